"""The Key Fact library: every fact once, searchable, with where it is used.

An editor opens it from an explainer's form ("Add a fact from the library"), finds
a fact and adds it to that explainer; it is then one fact in both (see
articles/shared_facts.py). The library itself changes nothing but by deleting a
fact, which asks first and names every explainer that would lose it.
"""

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import shared_facts
from ..models import Article, KeyFact

# The explainer the editor came from, kept while they search the library.
TARGET_SESSION_KEY = "articles:library-target"


def _uses():
    same_fact = (
        KeyFact.objects.filter(uid=OuterRef("uid"))
        .order_by()
        .values("uid")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(same_fact)


@admin.register(KeyFact)
class KeyFactLibraryAdmin(admin.ModelAdmin):
    list_display = ("label", "text", "uses_count", "needs_source")
    list_filter = ("needs_source",)
    search_fields = ("label", "text", "article__title")
    fields = ("label", "text", "needs_source", "used_in_links")
    readonly_fields = fields
    actions = None
    list_per_page = 50

    def get_queryset(self, request):
        return (
            shared_facts.library()
            .annotate(uses=_uses())
            .select_related("article")
            .order_by("label", "pk")
        )

    # Facts are written with their explainer, in its form.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("used in"), ordering="uses")
    def uses_count(self, obj):
        return ngettext("%(count)d explainer", "%(count)d explainers", obj.uses) % {
            "count": obj.uses
        }

    @admin.display(description=_("explainers using it"))
    def used_in_links(self, obj):
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> ({})</p>',
            (
                (
                    reverse("admin:articles_article_change", args=[article.pk]),
                    article.title,
                    article.get_status_display(),
                )
                for article in shared_facts.used_in(obj.uid)
            ),
        )

    def get_list_display(self, request):
        shown = ["label", "text", "uses_count", "needs_source"]
        if getattr(request, "library_target", None) is None:
            return shown

        @admin.display(description=_("add"))
        def add_button(obj):
            # The buttons belong to the form outside the list (change_list.html).
            return format_html(
                '<button type="submit" form="library-add" name="uid" value="{}" '
                'class="button">{}</button>',
                obj.uid,
                _("Add to this explainer"),
            )

        return [*shown, add_button]

    def changelist_view(self, request, extra_context=None):
        request.library_target = target = self._read_target(request)
        if "for" in request.GET:
            # Remember it in the session: the list's own links (search, pages,
            # filters) keep only the parameters the admin knows.
            query = request.GET.copy()
            del query["for"]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        context = {"title": _("Key fact library"), "library_target": target}
        context.update(extra_context or {})
        return super().changelist_view(request, context)

    def _read_target(self, request):
        if "for" in request.GET:
            pk = request.GET["for"]
            if pk.isdigit() and Article.objects.filter(pk=pk).exists():
                request.session[TARGET_SESSION_KEY] = int(pk)
            else:
                request.session.pop(TARGET_SESSION_KEY, None)
        if request.GET.get("stop") is not None:
            request.session.pop(TARGET_SESSION_KEY, None)
        pk = request.session.get(TARGET_SESSION_KEY)
        return Article.objects.filter(pk=pk).first() if pk else None

    # Adding a fact to the explainer the editor came from

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.add_to_view))
        return [
            path("add-to/", view, name="articles_keyfact_add_to"),
            *super().get_urls(),
        ]

    def add_to_view(self, request):
        article = get_object_or_404(Article, pk=request.POST.get("article", "x0"))
        article_admin = self.admin_site._registry[Article]
        if not article_admin.has_change_permission(request, article):
            raise PermissionDenied
        fact = (
            shared_facts.library().filter(uid=request.POST.get("uid") or None).first()
            if _is_uuid(request.POST.get("uid"))
            else None
        )
        back = reverse("admin:articles_article_change", args=[article.pk])
        if fact is None:
            messages.error(request, _("That fact is not in the library."))
            return HttpResponseRedirect(reverse("admin:articles_keyfact_changelist"))
        try:
            shared_facts.add_to_explainer(
                uid=fact.uid, article=article, user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        request.session.pop(TARGET_SESSION_KEY, None)
        messages.success(
            request,
            _(
                "Added “%(label)s” to the Key Facts. It is one fact: correcting it "
                "in any explainer corrects it in all of them."
            )
            % {"label": fact.label},
        )
        return HttpResponseRedirect(f"{back}#key_facts-group")

    # Deleting: asks first, naming every explainer that shows the fact

    def get_deleted_objects(self, objs, request):
        items = []
        for obj in objs:
            for row in shared_facts.rows_of(obj.uid).order_by("article__title"):
                items.append(
                    format_html(
                        "“{}” in {} ({})",
                        row.label,
                        row.article.title,
                        row.article.get_status_display(),
                    )
                )
        return items, {KeyFact._meta.verbose_name_plural: len(items)}, set(), []

    def render_delete_form(self, request, context):
        obj = context.get("object")
        if obj is not None:
            context["used_in"] = shared_facts.used_in(obj.uid)
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        shared_facts.delete_fact(uid=obj.uid, user=request.user)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
