"""Admin screens for the people and subjects explainers are filed under.

Authors and topics are small lookup tables that editors maintain by hand and that
the explainer form picks from through autocomplete. Both change lists show how
many explainers use each entry, via a shared mixin that annotates the count and
gives the list a fixed alphabetical order.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Author, Topic


class ArticleCountMixin:
    # Grouped queries drop Meta.ordering; lists and autocomplete need one.
    ordering = ("name",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_articles=Count("articles", distinct=True))
        )

    @admin.display(description=_("explainers"), ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Author)
class AuthorAdmin(ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "user", "article_count")
    list_select_related = ("user",)
    search_fields = ("name", "bio")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)


@admin.register(Topic)
class TopicAdmin(ArticleCountMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
