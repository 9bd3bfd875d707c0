"""The change feed: every publish, update, unpublish and delete, in commit order.

A partner keeps a copy in sync by following it: start with no cursor, apply each
event (fetch the explainer on "published" and "updated", drop it on "unpublished"
and "deleted"), and ask again with the cursor it returned. Drafts and working
copies never appear: events are recorded only when readers saw something change
(articles/changes.py).
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import surrogates
from articles.cache import cache_anonymous
from articles.models import ChangeEvent

from .http import StrictQueryMixin
from .schema import ErrorSerializer

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class ChangeQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        required=False,
        min_value=0,
        default=0,
        help_text="The cursor a previous page returned; 0 or none starts at the beginning.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=f"Events per page, at most {MAX_LIMIT}.",
    )


class ExplainerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    url = serializers.URLField(help_text="The reader page (where it was, once gone).")


class ChangeSerializer(serializers.ModelSerializer):
    explainer = serializers.SerializerMethodField()
    time = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ChangeEvent
        fields = ["id", "kind", "explainer", "time"]

    @extend_schema_field(ExplainerRefSerializer)
    def get_explainer(self, event):
        path = reverse("articles:detail", kwargs={"slug": event.slug})
        request = self.context["request"]
        return {
            "id": event.article_id,
            "slug": event.slug,
            "url": request.build_absolute_uri(path),
        }


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    cursor = serializers.IntegerField(help_text="Pass as `after` to continue.")
    next = serializers.URLField(
        allow_null=True, help_text="The next page, or null when you are up to date."
    )


class ChangeFeedView(StrictQueryMixin, APIView):
    permission_classes = [AllowAny]
    query_serializer = ChangeQuerySerializer

    @extend_schema(
        summary="Changes to public explainers, in commit order",
        parameters=[
            OpenApiParameter("after", int, description="Cursor: continue after it."),
            OpenApiParameter("limit", int, description="Events per page (1-500)."),
        ],
        responses={200: ChangePageSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        query = ChangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = list(ChangeEvent.objects.filter(pk__gt=after).order_by("pk")[:limit])
        cursor = events[-1].pk if events else after
        following = None
        if len(events) == limit:
            following = request.build_absolute_uri(
                f"{request.path}?after={cursor}&limit={limit}"
            )
        context = {"request": request}
        return Response(
            {
                "results": ChangeSerializer(events, many=True, context=context).data,
                "cursor": cursor,
                "next": following,
            }
        )


# Anonymous pages of the feed are cached like every list: until content changes.
change_feed = surrogates.keyed(
    cache_anonymous(ChangeFeedView.as_view()), surrogates.LISTS
)
