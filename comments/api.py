"""Comment API: read an explainer's thread; signed-in readers post, edit and delete.

Writes go through comments.services, like the pages; errors use the API's one
JSON shape (articles/api/exceptions.py).
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from articles.api.http import StrictQueryMixin
from articles.models import Article

from . import selectors, services
from .models import Comment


class AnnotationRefSerializer(serializers.Serializer):
    """The Key Fact, Quick Answer or FAQ entry a comment is about."""

    kind = serializers.CharField(source="annotation_kind")
    anchor = serializers.CharField(source="annotation_anchor")
    quote = serializers.CharField(source="annotation_quote")
    url = serializers.SerializerMethodField(
        help_text="Its page, or null once the explainer no longer has it."
    )

    def get_url(self, obj) -> str | None:
        return obj.quote_url or None


class ReplySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    annotation = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "annotation",
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

    @extend_schema_field(AnnotationRefSerializer(allow_null=True))
    def get_annotation(self, obj) -> dict | None:
        if not obj.annotation_anchor:
            return None
        if not hasattr(obj, "quote_url"):
            _quotes_prepare([obj], obj.article)
        return AnnotationRefSerializer(obj).data


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
    annotation = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="The anchor of the Key Fact, Quick Answer or FAQ entry the "
        "comment is about, e.g. fact-budget. A reply is about what its comment is.",
    )


class CommentQuerySerializer(serializers.Serializer):
    annotation = serializers.SlugField(
        required=False,
        max_length=80,
        help_text="Only the comments on the annotation at this anchor "
        "(e.g. fact-budget), with their replies.",
    )


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=True)


class CommentPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


def _quotes_prepare(comments, article) -> None:
    """Link each comment (and reply) on an annotation to it while it exists: one
    query, and only when one of them is on an annotation."""
    rows = [*comments]
    rows += [reply for c in comments for reply in getattr(c, "visible_replies", [])]
    about = [row for row in rows if row.annotation_anchor]
    if about:
        current = selectors.current_annotations(article)
        selectors.quotes_prepare(about, article, current=current)


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except services.CommentRateLimited as exc:
        raise exceptions.Throttled(detail=exc.messages[0]) from exc


# The write views read their own input serializers: name them in the schema.
@extend_schema_view(
    get=extend_schema(parameters=[CommentQuerySerializer]),
    post=extend_schema(
        request=CommentInputSerializer, responses={201: CommentSerializer}
    ),
)
class ArticleCommentsView(StrictQueryMixin, generics.ListCreateAPIView):
    """Visible comments of a published explainer, oldest first, replies nested;
    `?annotation=<anchor>` keeps those on one Key Fact, Quick Answer or FAQ entry."""

    serializer_class = CommentSerializer
    pagination_class = CommentPagination
    query_serializer = CommentQuerySerializer

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
        query = CommentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        comments = Comment.objects.for_article(self.get_article())
        if anchor := query.validated_data.get("annotation"):
            comments = comments.filter(annotation_anchor=anchor)
        visible_replies = Comment.objects.visible().select_related("author", "article")
        return (
            comments.in_thread()
            .filter(parent__isnull=True)
            .select_related("author", "article")
            .prefetch_related(
                Prefetch("replies", visible_replies, to_attr="visible_replies")
            )
            .order_by("-is_featured", "created_at", "pk")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        _quotes_prepare(page, self.get_article())
        return page

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
            annotation=data.validated_data.get("annotation") or "",
            ip=request.META.get("REMOTE_ADDR"),
        )
        comment.visible_replies = []
        # Checked a moment ago: its annotation is there.
        selectors.quotes_prepare([comment], article, current=None)
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

    def get_object(self):
        comment = super().get_object()
        _quotes_prepare([comment], comment.article)
        return comment

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
