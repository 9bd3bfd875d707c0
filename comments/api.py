"""Comment API: read an explainer's thread; signed-in readers post, edit and delete.

Writes go through comments.services, like the pages; errors use the API's one
JSON shape (articles/api/exceptions.py).
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from articles.api.http import StrictQueryMixin
from articles.models import Article

from . import services
from .models import Comment


class ReplySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author",
            "body_html",
            "status",
            "is_featured",
            "is_deleted",
            "created_at",
            "edited_at",
            "url",
        ]
        read_only_fields = fields

    def get_author(self, obj) -> dict | None:
        # The model's rule, as every page shows it.
        return {"name": str(obj.author_name), "is_staff": obj.is_staff_author}

    def get_body_html(self, obj) -> str:
        return "" if obj.is_deleted else obj.body_html


class CommentSerializer(ReplySerializer):
    replies = serializers.SerializerMethodField()

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "replies"]
        read_only_fields = fields

    def get_replies(self, obj) -> list:
        return ReplySerializer(obj.visible_replies, many=True).data


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=True)
    parent = serializers.IntegerField(required=False, allow_null=True)


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=True)


class CommentPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except services.CommentRateLimited as exc:
        raise exceptions.Throttled(detail=exc.messages[0]) from exc


# The write views read their own input serializers: name them in the schema.
@extend_schema_view(
    post=extend_schema(
        request=CommentInputSerializer, responses={201: CommentSerializer}
    )
)
class ArticleCommentsView(StrictQueryMixin, generics.ListCreateAPIView):
    """Visible comments of a published explainer, oldest first, replies nested."""

    serializer_class = CommentSerializer
    pagination_class = CommentPagination

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def get_article(self):
        if not hasattr(self, "_article"):
            self._article = get_object_or_404(
                Article.objects.published(), slug=self.kwargs["slug"]
            )
        return self._article

    def get_queryset(self):
        if getattr(
            self, "swagger_fake_view", False
        ):  # schema generation: no URL kwargs
            return Comment.objects.none()
        visible_replies = Comment.objects.visible().select_related("author", "article")
        return (
            Comment.objects.for_article(self.get_article())
            .in_thread()
            .filter(parent__isnull=True)
            .select_related("author", "article")
            .prefetch_related(
                Prefetch("replies", visible_replies, to_attr="visible_replies")
            )
            .order_by("-is_featured", "created_at", "pk")
        )

    def create(self, request, *args, **kwargs):
        article = self.get_article()
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if parent_id := data.validated_data.get("parent"):
            parent = Comment.objects.filter(pk=parent_id, article=article).first()
            if parent is None:
                raise exceptions.ValidationError(
                    {"parent": ["No comment with that id on this explainer."]}
                )
        comment = _call(
            services.comment_post,
            article=article,
            author=request.user,
            body=data.validated_data["body"],
            parent=parent,
            ip=request.META.get("REMOTE_ADDR"),
        )
        comment.visible_replies = []
        return Response(
            CommentSerializer(comment).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": comment.get_absolute_url()},
        )


@extend_schema_view(patch=extend_schema(request=CommentEditSerializer))
class CommentDetailView(StrictQueryMixin, generics.RetrieveUpdateDestroyAPIView):
    """One comment; its author may edit it (within the edit window) or delete it."""

    serializer_class = CommentSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        user = self.request.user
        shown = Q(status=Comment.Status.PUBLISHED)
        if user.is_authenticated:
            shown |= Q(author=user) & ~Q(status=Comment.Status.REMOVED)
        return (
            Comment.objects.filter(shown, article__in=Article.objects.published())
            .select_related("author", "article")
            .prefetch_related(
                Prefetch(
                    "replies",
                    Comment.objects.visible().select_related("author", "article"),
                    to_attr="visible_replies",
                )
            )
        )

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        data = CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_edit(
            comment=comment, user=request.user, body=data.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.comment_delete(comment=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        ArticleCommentsView.as_view(),
        name="article-comments",
    ),
    path("comments/<int:pk>/", CommentDetailView.as_view(), name="comment-detail"),
]
