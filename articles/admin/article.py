"""The explainer admin: the main editing screen for an article.

This module holds ``ArticleAdmin`` together with the form it builds per request.
The form refuses status and publication-time changes the acting user may not
make, comparing against a snapshot of the article taken before the edit. The admin
adds annotation counts to the change list, a live Markdown preview endpoint for
the body and background fields, bulk status actions that report per explainer,
and revision handling on top of django-reversion-compare, including a revert that
parks ordered annotations first so a reordering can be undone safely.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from reversion_compare.admin import CompareVersionAdmin
from reversion_compare.helpers import html_diff

from .. import markup, services
from ..models import Article
from .inlines import (
    ORDERED_ANNOTATIONS,
    PARKED_ANCHOR_PREFIX,
    CorrectionInline,
    FAQInline,
    KeyFactInline,
    QuickAnswerInline,
    park_annotations,
)

BEFORE_ATTR = "_newsroom_article_before"


def snapshot(article):
    """What the status checks compare against: the article as it was before this edit."""
    if article is None:
        return None
    return {"status": article.status, "publish_at": article.publish_at}


class ArticleAdminForm(forms.ModelForm):
    # Filled per request by ArticleAdmin.get_form.
    acting_user = None
    before = None

    def clean(self):
        cleaned_data = super().clean()
        old_status = self.before["status"] if self.before else None
        new_status = cleaned_data.get("status")
        if new_status:
            try:
                services.check_status_change(
                    user=self.acting_user, old_status=old_status, new_status=new_status
                )
            except PermissionDenied:
                self.add_error(
                    "status",
                    ValidationError(
                        _(
                            "Only editors may publish or unpublish. Save it as "
                            "“In review” and an editor will take it from there."
                        ),
                        code="publish_permission",
                    ),
                )
        publish_at = cleaned_data.get("publish_at")
        old_publish_at = self.before["publish_at"] if self.before else None
        if (
            publish_at
            and old_publish_at
            and publish_at == old_publish_at.replace(microsecond=0)
        ):
            # The admin's widgets show whole seconds; keep the stored time exact.
            cleaned_data["publish_at"] = publish_at = old_publish_at
        # Moving the time of a published explainer publishes or hides it too.
        if (
            old_status == Article.Status.PUBLISHED
            and "publish_at" in cleaned_data
            and publish_at != old_publish_at
            and not services.can_publish(self.acting_user)
        ):
            self.add_error(
                "publish_at",
                ValidationError(
                    _("Only editors may change when a published explainer appears."),
                    code="publish_permission",
                ),
            )
        return cleaned_data


@admin.register(Article)
class ArticleAdmin(CompareVersionAdmin):
    form = ArticleAdminForm
    inlines = [KeyFactInline, QuickAnswerInline, FAQInline, CorrectionInline]
    list_display = (
        "title",
        "status",
        "publish_at",
        "author_names",
        "topic_names",
        "key_fact_count",
        "quick_answer_count",
        "faq_count",
    )
    list_filter = ("status", "topics", "authors")
    search_fields = ("title", "dek", "body")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("authors", "topics")
    readonly_fields = ("rendered_body",)
    actions = ["publish_now", "send_to_review", "unpublish"]
    fieldsets = (
        (
            _("Story"),
            {
                "fields": (
                    "title",
                    "slug",
                    "dek",
                    "body",
                    "rendered_body",
                    "authors",
                    "topics",
                )
            },
        ),
        (
            _("Annotations"),
            {
                "fields": ("background",),
                "description": _(
                    "Key facts, quick answers, FAQ and corrections are edited below."
                ),
            },
        ),
        (_("Source"), {"fields": ("source_url", "source_title", "source_publisher")}),
        (_("Image"), {"fields": ("hero_image", "hero_alt", "hero_credit")}),
        (_("Publishing"), {"fields": ("status", "publish_at", "comments_mode")}),
        (
            _("SEO"),
            {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)},
        ),
    )

    class Media:
        js = ("js/admin-preview.js",)
        css = {"all": ("css/admin-explainer.css",)}

    # Lists and pages

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_key_facts=Count("key_facts", distinct=True),
                n_quick_answers=Count("quick_answers", distinct=True),
                n_faqs=Count("faqs", distinct=True),
            )
            .prefetch_related("authors", "topics")
        )

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description=_("topics"))
    def topic_names(self, obj):
        return ", ".join(topic.name for topic in obj.topics.all())

    @admin.display(description=_("key facts"), ordering="n_key_facts")
    def key_fact_count(self, obj):
        return obj.n_key_facts

    @admin.display(description=_("quick answers"), ordering="n_quick_answers")
    def quick_answer_count(self, obj):
        return obj.n_quick_answers

    @admin.display(description=_("FAQ"), ordering="n_faqs")
    def faq_count(self, obj):
        return obj.n_faqs

    @admin.display(description=_("Rendered body"))
    def rendered_body(self, obj):
        if obj is None or not obj.body_html:
            return "—"
        # body_html is only ever written by markup.render() in Article.save(), so it
        # is already sanitized against the allowlist.
        return mark_safe(obj.body_html)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        story, options = fieldsets[0]
        fields = tuple(f for f in options["fields"] if f != "rendered_body")
        return ((story, {**options, "fields": fields}), *fieldsets[1:])

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published() else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        before = getattr(request, BEFORE_ATTR, snapshot(obj))
        return type(
            form.__name__, (form,), {"acting_user": request.user, "before": before}
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"body", "background"}:
            field.widget.attrs["data-markdown-preview"] = reverse(
                f"{self.admin_site.name}:articles_article_markdown_preview"
            )
        return field

    # Saving

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.article_changed(form.instance)

    # Revisions

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin wraps the whole list view in one revision, which would put
        # every explainer a bulk action touches into a single revision (and reverting
        # one would revert them all). The status service records one per explainer.
        context = {"has_change_permission": self.has_change_permission(request)}
        context.update(extra_context or {})
        return admin.ModelAdmin.changelist_view(self, request, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = Article.objects.filter(pk=unquote(object_id)).first()
        # The status checks must see the article as it is now, not as reverted.
        setattr(request, BEFORE_ATTR, snapshot(article))
        with transaction.atomic():
            parked = []
            if article is not None:
                # Reverting a reorder would otherwise swap positions row by row and
                # collide; every parked row is rewritten or deleted by the revert.
                for model in ORDERED_ANNOTATIONS:
                    rows = model._default_manager.filter(article=article)
                    park_annotations(rows)
                    parked.append(rows)
            response = super().revision_view(
                request, object_id, version_id, extra_context
            )
            still_parked = any(
                rows.filter(anchor__startswith=PARKED_ANCHOR_PREFIX).exists()
                for rows in parked
            )
            if still_parked:
                # Only looked at, refused, or failed: leave everything as it was.
                transaction.set_rollback(True)
        return response

    def recover_view(self, request, version_id, extra_context=None):
        setattr(request, BEFORE_ATTR, None)
        return super().recover_view(request, version_id, extra_context)

    def compare_ManyToOneRel(self, obj_compare):
        """Show which fields of each key fact, answer or correction changed."""
        info = obj_compare.get_m2o_change_info()
        changed = []
        for old, new in info["changed_items"]:
            before, after = old.field_dict, new.field_dict
            fields = [
                {
                    "name": old._model._meta.get_field(name).verbose_name,
                    "diff": html_diff(before[name], after.get(name, "")),
                }
                for name in before
                if not name.endswith("_html")
                and name not in {"id", "article_id"}
                and before[name] != after.get(name)
            ]
            changed.append({"name": new.object_repr, "fields": fields})
        removed = [*info["removed_items"], *info["deleted_items"]]
        return render_to_string(
            "admin/articles/article/compare_annotations.html",
            {"changed": changed, "removed": removed, "added": info["added_items"]},
        )

    def compare_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    # Live Markdown preview

    def get_urls(self):
        preview = path(
            "preview-markdown/",
            self.admin_site.admin_view(require_POST(self.markdown_preview_view)),
            name="articles_article_markdown_preview",
        )
        return [preview, *super().get_urls()]

    def markdown_preview_view(self, request):
        """Render posted Markdown the way saving would, for the editor's preview pane."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        return JsonResponse({"html": markup.render(request.POST.get("text", ""))})

    # Status actions

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: article.is_published(),
            change=lambda article: services.article_publish_now(
                article=article, user=request.user
            ),
            done=_("Published"),
        )

    @admin.action(description=_("Send to review"), permissions=["change"])
    def send_to_review(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: article.status == Article.Status.REVIEW,
            change=lambda article: services.article_set_status(
                article=article, status=Article.Status.REVIEW, user=request.user
            ),
            done=_("Sent to review"),
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            skip=lambda article: article.status == Article.Status.DRAFT,
            change=lambda article: services.article_set_status(
                article=article, status=Article.Status.DRAFT, user=request.user
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
                refused.append((article.title, " ".join(exc.messages)))
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
