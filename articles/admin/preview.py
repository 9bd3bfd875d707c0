"""Previews in the explainer admin: the whole unsaved form as readers will see it,
and one Markdown field as saving would render it. Neither saves anything."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .. import markup, publishing
from ..fragments import explainer_parts
from ..models import Article
from .desk import form_state


class PreviewMixin:
    def form_preview_view(self, request):
        """The preview panel's address: the posted form, rendered (see _preview)."""
        return self._preview(request, request.GET.get("article"))

    def _preview(self, request, object_id):
        """The posted form as readers would see it, saving nothing.

        The Preview button posts the form here through the change view (so it
        works without JavaScript); the preview panel through form_preview_view.
        Reader templates, annotations and corrections, exactly as typed.
        """
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        allowed = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj or Article())
        formsets, _inlines = self._create_formsets(
            request, form.instance, change=obj is not None
        )
        form.is_valid()
        for formset in formsets:
            formset.is_valid()
        state = form_state(form, formsets, store_files=False)
        article = publishing.explainer_in_memory(state, base=obj)
        parts = explainer_parts(request, article, shareable=False, preview=True)
        response = render(
            request,
            "articles/article_detail.html",
            {"article": article, "parts": parts, "preview": True},
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def markdown_preview_view(self, request):
        """Render posted Markdown the way saving would, for the editor's preview pane."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        return JsonResponse({"html": markup.render(request.POST.get("text", ""))})
