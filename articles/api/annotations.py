"""Key Facts, Quick Answers and FAQ entries as API resources of their own, so
another site can pull only the facts ("Annotations as citable resources").

One viewset per kind of ANNOTATION_KINDS, all from `AnnotationViewSet`. Only
items of published explainers are ever shown, to everyone: the desk reads drafts
through the explainers themselves. Anchors are unique only within an explainer,
so an item's address is its id.
"""

import datetime

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from articles import surrogates
from articles.annotation_views import annotation_url
from articles.cache import cache_anonymous
from articles.models import FAQ, Article, KeyFact, QuickAnswer
from articles.versions import content_state

from .filters import ANNOTATION_ORDERINGS, AnnotationFilter, KeyFactFilter
from .http import CacheHeadersMixin, StrictQueryMixin
from .pagination import Pagination
from .serializers import AbsoluteURLField
from .sources import ClaimSourcesField
from .views import ID_PATH

ITEM_ID = OpenApiParameter(
    "id", int, location=OpenApiParameter.PATH, description="The item's numeric id."
)


# Annotations as resources of their own ("Annotations as citable resources"):
# /api/v1/key-facts/ etc., for a site that wants the facts without the explainers.


class ItemExplainerSerializer(serializers.ModelSerializer):
    url = AbsoluteURLField()

    class Meta:
        model = Article
        fields = ["id", "slug", "title", "url"]


@extend_schema_field(OpenApiTypes.URI)
class AnnotationURLField(AbsoluteURLField):
    """The annotation's own page (/explainers/<slug>/facts/<anchor>/), absolute."""

    def to_representation(self, value):
        url = annotation_url(value)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def annotation_item_fields(kind) -> list[str]:
    """What the API sends of one `kind` item: id, anchor, its text, where it lives."""
    html = [kind.html_field] if kind.html_field else []
    return [
        "id",
        "anchor",
        *kind.text_fields,
        *html,
        "sources",
        "url",
        "updated_at",
        "explainer",
    ]


class AnnotationItemSerializer(serializers.ModelSerializer):
    url = AnnotationURLField(help_text="The item's own page, to cite or share.")
    updated_at = serializers.DateTimeField(
        read_only=True,
        help_text=(
            "Last saved. An explainer saved with this item's list saves every "
            "item of it again, so this moves for each of them, changed or not."
        ),
    )
    explainer = ItemExplainerSerializer(
        source="article", read_only=True, help_text="The explainer it belongs to."
    )
    sources = ClaimSourcesField()


class KeyFactItemSerializer(AnnotationItemSerializer):
    fact_id = serializers.UUIDField(
        source="uid",
        read_only=True,
        help_text="The same in every explainer showing this fact (shared facts).",
    )

    class Meta:
        model = KeyFact
        fields = [*annotation_item_fields(KeyFact), "fact_id"]


class QuickAnswerItemSerializer(AnnotationItemSerializer):
    class Meta:
        model = QuickAnswer
        fields = annotation_item_fields(QuickAnswer)


class FAQItemSerializer(AnnotationItemSerializer):
    answer_html = serializers.CharField(
        read_only=True, help_text="The answer's Markdown, rendered."
    )

    class Meta:
        model = FAQ
        fields = annotation_item_fields(FAQ)


class AnnotationViewSet(
    StrictQueryMixin, CacheHeadersMixin, viewsets.ReadOnlyModelViewSet
):
    """The items of one annotation kind (`model`), across published explainers."""

    model = None
    permission_classes = [AllowAny]
    pagination_class = Pagination
    filterset_class = AnnotationFilter
    lookup_value_regex = "[0-9]+"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """Anonymous reads come from the page cache (articles/cache.py).

        An item shows its explainer's title and slug and goes when the explainer
        is unpublished, so every address here depends on all published content.
        """
        view = cache_anonymous(super().as_view(actions, **initkwargs), lists=True)
        return surrogates.keyed(view, surrogates.LISTS)

    def get_queryset(self):
        return (
            self.model.objects.filter(article__in=Article.objects.published())
            .select_related("article")
            .prefetch_related("sources")
            .order_by(*ANNOTATION_ORDERINGS["position"])
        )

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        items = self.paginate_queryset(queryset)
        # An unpublished explainer takes its items away without touching them:
        # the site's content version (a time) moves then, as with any write.
        content_version, _next = content_state(request)
        changed = datetime.datetime.fromtimestamp(content_version / 1e9, datetime.UTC)
        self.last_modified = max([changed, *(item.updated_at for item in items)])
        data = self.get_serializer(items, many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, pk):
        return self._detail(self.get_object())

    @action(detail=False, methods=["get"], url_path=ID_PATH, url_name="by-id")
    def by_id(self, request, **kwargs):
        """The same item as `<id>/`, at the `id/<id>/` address topics and authors
        have, for a client that builds every id address one way."""
        item = self.get_queryset().filter(pk=int(kwargs["id"])).first()
        if item is None:
            raise exceptions.NotFound()
        response = self._detail(item)
        response["Content-Location"] = reverse(
            f"api:{self.basename}-detail", kwargs={"pk": item.pk}
        )
        return response

    def _detail(self, item):
        self.last_modified = max(item.updated_at, item.article.updated_at)
        return Response(self.get_serializer(item).data)


@extend_schema_view(
    list=extend_schema(summary="List Key Facts of published explainers"),
    retrieve=extend_schema(summary="One Key Fact", parameters=[ITEM_ID]),
    by_id=extend_schema(summary="One Key Fact, by its id", parameters=[ITEM_ID]),
)
class KeyFactViewSet(AnnotationViewSet):
    """Key Facts: a label and one sentence each."""

    model = KeyFact
    serializer_class = KeyFactItemSerializer
    filterset_class = KeyFactFilter


@extend_schema_view(
    list=extend_schema(summary="List Quick Answers of published explainers"),
    retrieve=extend_schema(summary="One Quick Answer", parameters=[ITEM_ID]),
    by_id=extend_schema(summary="One Quick Answer, by its id", parameters=[ITEM_ID]),
)
class QuickAnswerViewSet(AnnotationViewSet):
    """Quick Answers: a question and a one-line answer each."""

    model = QuickAnswer
    serializer_class = QuickAnswerItemSerializer


@extend_schema_view(
    list=extend_schema(summary="List FAQ entries of published explainers"),
    retrieve=extend_schema(summary="One FAQ entry", parameters=[ITEM_ID]),
    by_id=extend_schema(summary="One FAQ entry, by its id", parameters=[ITEM_ID]),
)
class FAQViewSet(AnnotationViewSet):
    """FAQ entries: a question and a Markdown answer, also rendered."""

    model = FAQ
    serializer_class = FAQItemSerializer
