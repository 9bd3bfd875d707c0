"""Old versions of an explainer in the admin: shown without touching the live rows,
restored as a working copy (or the draft), never straight to readers."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from reversion.models import Version

from .. import publishing
from ..models import ANNOTATION_KINDS, Article
from ..services import park_annotations
from .actions import error_messages


class RevisionRestoreMixin:
    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            return self._restore(request, object_id, version_id)
        # Showing an old version: reversion reverts inside a transaction it rolls
        # back. Reverting a reorder would swap positions row by row and collide, so
        # the rows are parked first (rolled back with the rest).
        article = Article.objects.filter(pk=unquote(object_id)).first()
        with transaction.atomic():
            if article is not None:
                for model in ANNOTATION_KINDS:
                    park_annotations(model._default_manager.filter(article=article))
            response = super().revision_view(
                request, object_id, version_id, extra_context
            )
            transaction.set_rollback(True)
        return response

    def _restore(self, request, object_id, version_id):
        """Restore an old version as the working copy (or the draft), not live."""
        article = get_object_or_404(Article, pk=unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(article), pk=version_id
        )
        state, kept = publishing.state_from_revision(version.revision, article)
        try:
            publishing.explainer_save(article=article, state=state, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(error_messages(error)), messages.ERROR)
            return HttpResponseRedirect(request.path)
        when = version.revision.date_created
        if publishing.is_staged(article):
            text = gettext(
                "Restored the version of %(when)s as unpublished changes: readers "
                "see it once it is published."
            )
        else:
            text = gettext("Restored the version of %(when)s.")
        text %= {"when": when.strftime("%Y-%m-%d %H:%M")}
        if kept:
            text += " " + ngettext(
                "Kept %(count)d correction readers have already seen.",
                "Kept %(count)d corrections readers have already seen.",
                kept,
            ) % {"count": kept}
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )
