"""The explainer admin: the editor's desk for one explainer, and the list of them.

The change form saves through articles/publishing.py, like every other write: a
draft in place, a live explainer's edits to its working copy. Its buttons say
what a save does (Save draft, Preview, Submit for review, Publish or Schedule,
Unpublish, Discard changes), and its top says where the explainer stands
(articles/admin/desk.py). The list shows that state, filters by it and searches
the annotations too. Revisions come from django-reversion-compare; restoring one
makes a working copy (or a draft) and keeps every correction readers have seen.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from reversion_compare.admin import CompareVersionAdmin

from .. import publishing, services
from ..models import Article
from .actions import StatusActionsMixin, error_messages
from .compare import RevisionCompareMixin
from .desk import (
    ArticleAdminForm,
    DeskStateFilter,
    desk_status,
    form_state,
    label_parts,
    last_saved_at,
)
from .import_export import ImportExportMixin
from .inlines import CorrectionInline, FAQInline, KeyFactInline, QuickAnswerInline
from .presence import (
    DeskEndpointsMixin,
    autosave_offer,
    mark_present,
    presence_lines,
)
from .preview import PreviewMixin
from .revisions import RevisionRestoreMixin
from .sources import NeedsSourceFilter


def _schedules(adminform):
    """Whether the form's publish time is still to come: Publish reads Schedule."""
    form = getattr(adminform, "form", None)
    if form is None or "publish_at" not in form.fields:
        return False
    when = form["publish_at"].value()
    if isinstance(when, list | tuple):  # a form that came back: the posted parts
        return False  # (the page's script names the button from the fields)
    return bool(when) and when > timezone.now()


ACTION_MESSAGES = {
    "save": _("Saved the draft."),
    "save_staged": _(
        "Saved. Readers still see the published version until an editor publishes "
        "these changes."
    ),
    "submit": _(
        "Submitted for review. An editor will publish it or send it back with a note."
    ),
    "publish": _("Published: readers see it now."),
    "schedule": _("Scheduled for %(time)s."),
    "unpublish": _("Unpublished: readers no longer see it."),
    "discard": _("Discarded the unpublished changes; the live version is unchanged."),
    "send_back": _("Sent back to the writer with your note."),
}


@admin.register(Article)
class ArticleAdmin(
    StatusActionsMixin,
    RevisionRestoreMixin,
    PreviewMixin,
    ImportExportMixin,
    DeskEndpointsMixin,
    RevisionCompareMixin,
    CompareVersionAdmin,
):
    form = ArticleAdminForm
    inlines = [KeyFactInline, QuickAnswerInline, FAQInline, CorrectionInline]
    list_display = (
        "title",
        "desk_state",
        "publish_at",
        "author_names",
        "topic_names",
        "key_fact_count",
        "quick_answer_count",
        "faq_count",
    )
    list_filter = (DeskStateFilter, NeedsSourceFilter, "topics", "authors")
    search_fields = (
        "title",
        "dek",
        "body",
        "key_facts__label",
        "key_facts__text",
        "quick_answers__question",
        "quick_answers__answer",
        "faqs__question",
        "faqs__answer",
    )
    date_hierarchy = "publish_at"
    # No prepopulated slug: the admin's JavaScript drops letters outside Latin
    # scripts, so an empty slug is made on save by models.unique_slug, as for the
    # API and the importers.
    autocomplete_fields = ("authors", "topics")
    readonly_fields = ("old_addresses",)
    actions = ["publish_now", "send_to_review", "unpublish"]
    fieldsets = (
        (
            _("Story"),
            {
                "fields": (
                    "edit_token",
                    "opened_state",
                    "title",
                    "slug",
                    "old_addresses",
                    "dek",
                    "body",
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
        (
            _("Image"),
            {"fields": ("hero_image", "chosen_image", "hero_alt", "hero_credit")},
        ),
        (_("Publishing"), {"fields": ("publish_at", "comments_mode")}),
        (
            _("SEO"),
            {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)},
        ),
    )

    class Media:
        js = ("js/admin-preview.js", "js/admin-desk.js")
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
            .select_related("working_copy__updated_by")
            .prefetch_related("authors", "topics")
        )

    @admin.display(description=_("state"), ordering="status")
    def desk_state(self, obj):
        return desk_status(obj)

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

    @admin.display(description=_("Old addresses"))
    def old_addresses(self, obj):
        urls = obj.old_urls() if obj is not None else []
        if not urls:
            return _("None: the address has not changed since it was published.")
        return format_html_join(", ", "<code>{}</code>", ((url,) for url in urls))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        story, options = fieldsets[0]
        fields = tuple(f for f in options["fields"] if f != "old_addresses")
        return ((story, {**options, "fields": fields}), *fieldsets[1:])

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published() else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        staged = obj is not None and publishing.is_staged(obj)
        attrs = {
            "acting_user": request.user,
            "staged": staged,
            "state": publishing.current_state(obj) if obj is not None else None,
        }
        return type(form.__name__, (form,), attrs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        copy = publishing.working_copy(obj) if obj is not None and obj.pk else None
        if copy is not None and request.method != "POST":
            kwargs["rows"] = copy.state[prefix]
        return kwargs

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "publish_at":
            label_parts(field)
        if db_field.name == "body":
            field.help_text = render_to_string(
                "admin/articles/article/_markdown_help.html"
            )
            field.widget.attrs["data-markdown-toolbar"] = "1"
        if db_field.name in {"body", "background"}:
            field.widget.attrs["data-markdown-preview"] = reverse(
                f"{self.admin_site.name}:articles_article_markdown_preview"
            )
        return field

    def _desk_url(self, request, name, article):
        url = reverse(f"{self.admin_site.name}:articles_article_{name}")
        return f"{url}?article={article.pk}" if article is not None else url

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        article = context.get("original")
        can_publish = services.can_publish(request.user)
        copy = publishing.working_copy(article) if article is not None else None
        staged = article is not None and publishing.is_staged(article)
        in_review = (copy is not None and copy.status == copy.Status.REVIEW) or (
            article is not None and article.status == Article.Status.REVIEW
        )
        context["desk"] = {
            "status": desk_status(article) if article is not None else _("New draft"),
            "review_note": article.review_note if article is not None else "",
            "can_publish": can_publish,
            "staged": staged,
            "has_changes": copy is not None,
            "in_review": in_review,
            "can_unpublish": can_publish and staged,
            "can_send_back": can_publish and in_review,
            "schedules": _schedules(context.get("adminform")),
            "autosave": autosave_offer(request.user, article, last_saved_at(article)),
            "editing": presence_lines(article.pk, request.user) if article else [],
            "autosave_url": self._desk_url(request, "autosave", article),
            "presence_url": self._desk_url(request, "presence", article),
            "preview_url": self._desk_url(request, "form_preview", article),
        }
        if article is not None:
            mark_present(article.pk, request.user)
        return super().render_change_form(request, context, add, change, **kwargs)

    # Saving: every button goes through articles/publishing.py

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        action = request.POST.get("_action") if request.method == "POST" else None
        if object_id and action in {"discard", "send_back"}:
            return self._desk_action(request, object_id, action)
        if action == "preview":
            return self._preview(request, object_id)
        if request.method == "GET" and request.GET.get("restore") == "autosave":
            article = (
                self.get_object(request, unquote(object_id)) if object_id else None
            )
            if self.restore_request(request, article) is not None:
                with transaction.atomic():
                    return self._changeform_view(
                        request, object_id, form_url, extra_context
                    )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _desk_action(self, request, object_id, action):
        article = get_object_or_404(Article, pk=unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        try:
            if action == "discard":
                publishing.explainer_discard(article=article, user=request.user)
            else:
                publishing.review_send_back(
                    article=article,
                    user=request.user,
                    note=request.POST.get("review_note", ""),
                )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(error_messages(error)), messages.ERROR)
        else:
            self.message_user(request, ACTION_MESSAGES[action], messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def delete_model(self, request, obj):
        services.article_delete(
            article=obj, user=request.user, comment=gettext("Deleted in the admin.")
        )

    def delete_queryset(self, request, queryset):
        for article in queryset:
            self.delete_model(request, article)

    def save_model(self, request, obj, form, change):
        # Saved with its lists in save_related, where the formsets are at hand.
        if not change:
            obj.created_by = request.user

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # read by construct_change_message
            formset.new_objects, formset.changed_objects = [], []
            formset.deleted_objects = []
        state = form_state(form, formsets)
        article, user, action = form.instance, request.user, form.action
        self.autosave_discard(request, article if article.pk else None)
        staged = publishing.is_staged(article)
        if action == "publish":
            when = form.cleaned_data.get("publish_at")
            publishing.explainer_publish(
                article=article, user=user, state=state, publish_at=when
            )
            later = when is not None and when > timezone.now()
            key = "schedule" if later else "publish"
            request._desk_message = ACTION_MESSAGES[key] % {"time": when}
            return
        publishing.explainer_save(
            article=article, state=state, user=user, submit=action == "submit"
        )
        if action == "unpublish":
            publishing.explainer_unpublish(article=article, user=user)
        elif action == "save" and staged:
            action = "save_staged"
        request._desk_message = ACTION_MESSAGES.get(action, ACTION_MESSAGES["save"])

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_form(request, obj)

    def response_change(self, request, obj):
        return self._back_to_form(request, obj)

    def _back_to_form(self, request, obj):
        if "_popup" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, request._desk_message, messages.SUCCESS)
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    # Revisions

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin wraps the whole list view in one revision, which would put
        # every explainer a bulk action touches into a single revision (and reverting
        # one would revert them all). The status service records one per explainer.
        context = {"has_change_permission": self.has_change_permission(request)}
        context.update(extra_context or {})
        return admin.ModelAdmin.changelist_view(self, request, context)

    # Addresses of its own

    def get_urls(self):
        return [
            *self.import_export_urls(),
            self.post_url(self.markdown_preview_view, "markdown_preview"),
            self.post_url(self.form_preview_view, "form_preview"),
            self.post_url(self.autosave_view, "autosave"),
            self.post_url(self.presence_view, "presence"),
            *super().get_urls(),
        ]

    def post_url(self, view, name):
        """A staff-only, POST-only address of this admin, named articles_article_<name>."""
        wrapped = self.admin_site.admin_view(require_POST(view))
        return path(f"{name}/", wrapped, name=f"articles_article_{name}")
