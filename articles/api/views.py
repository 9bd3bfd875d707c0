import datetime

from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response

from articles import changes, publishing, services, surrogates
from articles.cache import cache_anonymous
from articles.models import Article, Author, Topic
from articles.versions import (
    ANY_COMMENTS,
    content_state,
    depend_on,
    depend_on_article,
)
from articles.views import old_slug_redirect

from .desk import IF_MATCH_PARAMETER, STAGE_PARAMETER, DeskActionsMixin
from .filters import ArticleFilter, AuthorFilter, TopicFilter
from .http import (
    CacheHeadersMixin,
    Gone,
    StrictQueryMixin,
    body_etag,
    sees_unpublished,
)
from .pagination import Pagination
from .queries import articles_for_api, attach_annotations
from .serializers import (
    ArticleInputSerializer,
    ArticleSerializer,
    AuthorSerializer,
    StagedArticleSerializer,
    TopicSerializer,
    article_api_names,
)

SLUG_REGEX = r"[-a-zA-Z0-9_]+"


# Ids get their own address (`id/<n>/`): a slug may be all digits too.
ID_PATH = r"id/(?P<id>[0-9]+)"
ID_PARAMETER = OpenApiParameter(
    "id", int, location=OpenApiParameter.PATH, description="The stable numeric id."
)

STATUS_PARAMETER = OpenApiParameter(
    "status",
    enum=Article.Status.values,
    description=(
        "Staff with the change permission only: require this status. "
        "Everyone else only ever sees published explainers."
    ),
)


FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    str,
    description=(
        "Comma-separated names of the fields to send, e.g. "
        "`fields=id,slug,title,updated_at` for a light list. Unknown names are 400."
    ),
)


@extend_schema_view(
    list=extend_schema(
        summary="List published explainers", parameters=[FIELDS_PARAMETER]
    ),
    retrieve=extend_schema(
        summary="One explainer", parameters=[STATUS_PARAMETER, FIELDS_PARAMETER]
    ),
    create=extend_schema(
        summary="Create an explainer",
        request=ArticleInputSerializer,
        responses={201: ArticleSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some of an explainer's fields",
        request=ArticleInputSerializer,
        parameters=[STAGE_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ArticleSerializer, 202: StagedArticleSerializer},
    ),
    destroy=extend_schema(
        summary="Delete an explainer",
        parameters=[IF_MATCH_PARAMETER],
        responses={204: None},
    ),
)
class ArticleViewSet(
    DeskActionsMixin,
    StrictQueryMixin,
    CacheHeadersMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Explainers. Reads are public; writes need the explainer model permissions."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    parser_classes = [JSONParser]
    filterset_class = ArticleFilter
    pagination_class = Pagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    @property
    def model_field_names(self):
        """Model field names in Django validation errors, as the API calls them."""
        return article_api_names()

    def allowed_query_params(self):
        names = super().allowed_query_params()
        if self.action in {"list", "retrieve", "by_id"}:
            names.add("fields")
        if self.action in {"retrieve", "by_id"}:
            names.add("status")
        if self.action == "partial_update":
            names.add("stage")
        return names

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """Anonymous reads come from the page cache (articles/cache.py).

        The list depends on all published content; one explainer only on its own.
        """
        view = super().as_view(actions, **initkwargs)
        is_list = (actions or {}).get("get") == "list"
        view = cache_anonymous(view, lists=is_list)
        return surrogates.keyed(view, surrogates.LISTS) if is_list else view

    def get_queryset(self):
        if self.request.method not in SAFE_METHODS:
            return Article.objects.all()
        params = self.request.query_params
        if sees_unpublished(self.request) and (
            self.action in {"retrieve", "by_id"} or "status" in params
        ):
            visible = Article.objects.all()
            # Drafts may lack a publish time; they go last.
            newest_first = (F("publish_at").desc(nulls_last=True), "-pk")
        else:
            visible = Article.objects.published()
            # Published rows always have one, so this is the same order, and the
            # one the list index (status, -publish_at, -id) serves.
            newest_first = ("-publish_at", "-pk")
        return articles_for_api(visible.order_by(*newest_first))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in {"list", "retrieve", "by_id"}:
            context["fields"] = self._selected_fields()
        return context

    def _selected_fields(self):
        """The `fields=` a client asked for, checked against the explainer's."""
        value = self.request.query_params.get("fields")
        if value is None:
            return None
        wanted = [name.strip() for name in value.split(",") if name.strip()]
        known = ArticleSerializer.Meta.fields
        unknown = [name for name in wanted if name not in known]
        if unknown or not wanted:
            raise exceptions.ValidationError(
                {"fields": [f"Choose among: {', '.join(known)}."]}
            )
        return wanted

    def filter_queryset(self, queryset):
        if self.action == "list":
            return super().filter_queryset(queryset)
        wanted = self.request.query_params.get("status")
        if wanted is not None and self.request.method in SAFE_METHODS:
            if wanted not in Article.Status.values:
                raise exceptions.ValidationError(
                    {"status": [f"“{wanted}” is not a status."]}
                )
            queryset = queryset.filter(status=wanted)
        return queryset

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        articles = attach_annotations(self.paginate_queryset(queryset))
        depend_on(request, ANY_COMMENTS)  # each article carries its comment count
        surrogates.add(request, *(surrogates.thread(a.pk) for a in articles))
        # Never backwards: an unpublish moves the site's content version forward
        # like any write, and that version is a time (articles/versions.py).
        content_version, _next = content_state(request)
        changed = datetime.datetime.fromtimestamp(content_version / 1e9, datetime.UTC)
        self.last_modified = max([changed, *(a.updated_at for a in articles)])
        data = self.get_serializer(articles, many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request, slug):
        try:
            article = self.get_object()
        except Http404:
            # Reads only: a write to an old address stays a 404.
            try:
                return old_slug_redirect(request, slug, "api:article-detail")
            except Http404:
                if changes.was_public(slug=slug):
                    raise Gone() from None
                raise
        return self._detail(article)

    @extend_schema(
        summary="One explainer, by its id",
        description=(
            "The same answer as the address with its slug, for a client that keeps "
            "ids; the id never changes, even when the slug does."
        ),
        parameters=[ID_PARAMETER, STATUS_PARAMETER, FIELDS_PARAMETER],
        responses={200: ArticleSerializer},
    )
    @action(detail=False, methods=["get"], url_path=ID_PATH, url_name="by-id")
    def by_id(self, request, **kwargs):
        article_id = int(kwargs["id"])
        queryset = self.filter_queryset(self.get_queryset())
        article = queryset.filter(pk=article_id).first()
        if article is None:
            if changes.was_public(article_id=article_id):
                raise Gone()
            raise exceptions.NotFound()
        response = self._detail(article)
        response["Content-Location"] = reverse(
            "api:article-detail", kwargs={"slug": article.slug}
        )
        return response

    def _detail(self, article):
        depend_on_article(self.request, article.pk, comments=True)
        attach_annotations([article])
        self.last_modified = article.updated_at
        return Response(self.get_serializer(article).data)

    def create(self, request):
        article = self._save(request, article=None, partial=False)
        location = request.build_absolute_uri(
            reverse("api:article-detail", kwargs={"slug": article.slug})
        )
        response = self._written(article, status=status.HTTP_201_CREATED)
        response["Location"] = location
        return response

    # No PUT: a replacement would have to clear every field left out, which no
    # client wants by accident; PATCH changes what it names (docs/api.md).
    def partial_update(self, request, slug):
        return self._change(request)

    def perform_destroy(self, instance):
        # DELETE itself is DRF's DestroyModelMixin.
        self._check_if_match(self.request, instance)
        services.article_delete(article=instance, user=self.request.user)

    def _change(self, request):
        article = self.get_object()
        self._check_if_match(request, article)
        staging = publishing.is_staged(article) and (
            not services.can_publish(request.user)
            or request.query_params.get("stage") in {"1", "true"}
        )
        if not staging:
            article = self._save(request, article=article, partial=True)
            return self._written(article)
        self._save(request, article=article, partial=True, stage=True)
        return self._working_copy_response(article, status.HTTP_202_ACCEPTED)

    def _save(self, request, *, article, partial, stage=False):
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lists = {name: data.pop(name, None) for name in serializer.list_names}
        comments_open = data.pop("comments_open", None)
        if not data.get("slug", True):
            del data["slug"]  # blank: keep the slug (a new one is made from the title)
        fields = data
        if comments_open is not None and "comments_mode" not in fields:
            modes = Article.CommentsMode
            if not comments_open:
                fields["comments_mode"] = modes.CLOSED
            elif article is None or article.comments_mode == modes.CLOSED:
                fields["comments_mode"] = modes.OPEN
        if stage:
            timed = {"status", "publish_at"} & fields.keys()
            if timed and not services.can_publish(request.user):
                raise exceptions.PermissionDenied(
                    "You do not have permission to publish, unpublish or change "
                    "when a published explainer appears."
                )
            state = publishing.state_with_changes(
                publishing.current_state(article), fields=fields, **lists
            )
            return publishing.explainer_save(
                article=article,
                state=state,
                user=request.user,
                submit=not services.can_publish(request.user),
            )
        return services.article_save(
            user=request.user, article=article, fields=fields, **lists
        )

    def _written(self, article, status=status.HTTP_200_OK):
        """The explainer as written, with the ETag a GET would give: a client can
        chain If-Match writes without reading it again."""
        data = self._output(article)
        return Response(data, status=status, headers={"ETag": body_etag(data)})

    def _output(self, article):
        fresh = articles_for_api(Article.objects.filter(pk=article.pk)).get()
        attach_annotations([fresh])
        return ArticleSerializer(fresh, context=self.get_serializer_context()).data


class _ReadOnlyViewSet(
    StrictQueryMixin, CacheHeadersMixin, viewsets.ReadOnlyModelViewSet
):
    permission_classes = [AllowAny]
    pagination_class = Pagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # Counts of published explainers: every publish changes them.
        view = super().as_view(actions, **initkwargs)
        return surrogates.keyed(view, surrogates.LISTS)

    def get_queryset(self):
        published = Article.objects.published().values("pk")
        return self.model.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=published))
        ).order_by("name", "pk")

    @action(detail=False, methods=["get"], url_path=ID_PATH, url_name="by-id")
    def by_id(self, request, **kwargs):
        item = get_object_or_404(self.get_queryset(), pk=int(kwargs["id"]))
        response = Response(self.get_serializer(item).data)
        response["Content-Location"] = reverse(
            f"api:{self.basename}-detail", kwargs={"slug": item.slug}
        )
        return response


@extend_schema_view(
    list=extend_schema(summary="List topics"),
    retrieve=extend_schema(summary="One topic"),
    by_id=extend_schema(summary="One topic, by its id", parameters=[ID_PARAMETER]),
)
class TopicViewSet(_ReadOnlyViewSet):
    """Topics, each with the number of published explainers in it."""

    model = Topic
    serializer_class = TopicSerializer
    filterset_class = TopicFilter


@extend_schema_view(
    list=extend_schema(summary="List authors"),
    retrieve=extend_schema(summary="One author"),
    by_id=extend_schema(summary="One author, by its id", parameters=[ID_PARAMETER]),
)
class AuthorViewSet(_ReadOnlyViewSet):
    """Bylines, each with the number of published explainers carrying it."""

    model = Author
    serializer_class = AuthorSerializer
    filterset_class = AuthorFilter
