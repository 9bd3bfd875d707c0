"""The explainer list's bulk actions (publish now, send to review, unpublish), one
explainer at a time through articles/publishing.py, each refusal said by name."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import publishing, services
from ..models import Article


def error_messages(error):
    """The sentences of a refusal, for a message to the editor."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


class StatusActionsMixin:
    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: (
                article.is_published() and publishing.working_copy(article) is None
            ),
            change=lambda article: publishing.explainer_publish(
                article=article, user=request.user, now=True
            ),
            done=_("Published"),
        )

    @admin.action(description=_("Send to review"), permissions=["change"])
    def send_to_review(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: article.status == Article.Status.REVIEW,
            change=lambda article: publishing.article_submit(
                article=article, user=request.user
            ),
            done=_("Sent to review"),
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: article.status == Article.Status.DRAFT,
            change=lambda article: publishing.explainer_unpublish(
                article=article, user=request.user
            ),
            done=_("Moved back to draft"),
        )

    def _apply_to_each(self, request, queryset, *, skip, change, done):
        changed, refused = 0, []
        for article in queryset:
            if skip(article):
                continue
            try:
                change(article)
            except PermissionDenied as exc:
                refused.append((article.title, str(exc)))
            except ValidationError as exc:
                refused.append((article.title, " ".join(error_messages(exc))))
            else:
                changed += 1
        if changed:
            self.message_user(
                request,
                ngettext(
                    "%(done)s: %(count)d explainer.",
                    "%(done)s: %(count)d explainers.",
                    changed,
                )
                % {"done": done, "count": changed},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                format_html_join(" ", "“{}” was not changed: {}", refused),
                messages.ERROR,
            )
        if not changed and not refused:
            self.message_user(request, _("Nothing to change."), messages.INFO)
