import datetime

from django import forms
from django.db.models import F, Q
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from articles.models import Article, Author, Topic

ORDERINGS = {
    "published_at": [F("publish_at").asc(nulls_first=True), "pk"],
    "-published_at": [F("publish_at").desc(nulls_last=True), "-pk"],
    "updated_at": ["updated_at", "pk"],
    "-updated_at": ["-updated_at", "-pk"],
    "title": ["title", "pk"],
    "-title": ["-title", "-pk"],
}


class SafeIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime; dates beyond the calendar's edge are an error, not a 500."""

    def strptime(self, value, format):
        try:
            return super().strptime(value, format)
        except (OverflowError, OSError) as error:
            raise ValueError(str(error)) from error

    def to_python(self, value):
        try:
            result = super().to_python(value)
            if result is not None:
                # Send UTC: PostgreSQL refuses offsets Python allows (e.g. +18:41).
                result = result.astimezone(datetime.UTC)
        except (OverflowError, OSError):
            raise forms.ValidationError(
                "Enter a valid ISO 8601 date and time.", code="invalid"
            ) from None
        return result


class SafeIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField


class ChangedFilterSet(filters.FilterSet):
    """`updated_after` / `updated_before`, shared by every list a partner syncs."""

    updated_after = SafeIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        help_text=(
            "Only items changed after this time (ISO 8601). To walk every "
            "change, sort with ordering=updated_at and follow `next`."
        ),
    )
    updated_before = SafeIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="lt",
        help_text="Only items last changed before this time (ISO 8601).",
    )


class ArticleFilter(ChangedFilterSet):
    topic = filters.CharFilter(
        field_name="topics__slug", help_text="Only explainers in this topic (slug)."
    )
    author = filters.CharFilter(
        field_name="authors__slug", help_text="Only explainers by this author (slug)."
    )
    published_after = SafeIsoDateTimeFilter(
        field_name="publish_at",
        lookup_expr="gte",
        help_text="ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z.",
    )
    published_before = SafeIsoDateTimeFilter(
        field_name="publish_at",
        lookup_expr="lte",
        help_text="ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z.",
    )
    status = filters.ChoiceFilter(
        choices=Article.Status.choices,
        help_text=(
            "Staff with the change permission: list explainers in this status. "
            "Everyone else only ever sees published explainers."
        ),
    )
    q = filters.CharFilter(
        method="filter_search", help_text="Words to search for; best matches first."
    )
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_ordering",
        help_text="Sort order; newest first by default. Unknown values give 400.",
    )

    class Meta:
        model = Article
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])


NAME_ORDERINGS = {
    "name": ["name", "pk"],
    "-name": ["-name", "-pk"],
    "updated_at": ["updated_at", "pk"],
    "-updated_at": ["-updated_at", "-pk"],
}


class _NamedFilter(ChangedFilterSet):
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in NAME_ORDERINGS],
        method="filter_ordering",
        help_text="Sort order; by name by default. Unknown values give 400.",
    )

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*NAME_ORDERINGS[value])


class TopicFilter(_NamedFilter):
    class Meta:
        model = Topic
        fields = []


class AuthorFilter(_NamedFilter):
    class Meta:
        model = Author
        fields = []


# Annotations: the explainer's order (newest explainer first, then the order on
# its page), or by last change, which Pagination walks by cursor.
ANNOTATION_ORDERINGS = {
    "position": ["-article__publish_at", "-article_id", "position", "pk"],
    "updated_at": ["updated_at", "pk"],
    "-updated_at": ["-updated_at", "-pk"],
}


class AnnotationFilter(ChangedFilterSet):
    """Filters shared by the three annotation lists (no model: one class serves all)."""

    explainer = filters.CharFilter(
        method="filter_explainer",
        help_text="Only the items of this explainer (its slug or its id).",
    )
    topic = filters.CharFilter(
        field_name="article__topics__slug",
        help_text="Only items of explainers in this topic (slug).",
    )
    q = filters.CharFilter(
        method="filter_search",
        help_text="Only items whose text contains these characters (any case).",
    )
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in ANNOTATION_ORDERINGS],
        method="filter_ordering",
        help_text=(
            "Sort order; by default `position`: newest explainer first, then the "
            "order on its page. Unknown values give 400."
        ),
    )

    def filter_explainer(self, queryset, name, value):
        # A slug may be all digits too: such a value matches either. Longer
        # numbers are no id, and would overflow SQLite's integers.
        match = Q(article__slug=value)
        if value.isascii() and value.isdigit() and len(value) <= 18:
            match |= Q(article_id=int(value))
        return queryset.filter(match)

    def filter_search(self, queryset, name, value):
        match = Q()
        for field in queryset.model.text_fields:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ANNOTATION_ORDERINGS[value])


class KeyFactFilter(AnnotationFilter):
    fact_id = filters.UUIDFilter(
        field_name="uid",
        help_text="Only this fact, in every explainer that shows it (shared facts).",
    )
