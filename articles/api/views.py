import datetime
import hashlib

from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from articles import changes, publishing, services
from articles.cache import cache_anonymous
from articles.models import Article, Author, Topic
from articles.versions import (
    ANY_COMMENTS,
    content_state,
    depend_on,
    depend_on_article,
)
from articles.views import old_slug_redirect
from integrations.models import IntegrationKey

from .filters import ArticleFilter
from .queries import articles_for_api, attach_annotations
from .schema import ErrorSerializer
from .serializers import (
    ArticleInputSerializer,
    ArticleSerializer,
    AuthorSerializer,
    TopicSerializer,
)

SLUG_REGEX = r"[-a-zA-Z0-9_]+"
PUBLIC_MAX_AGE = 60


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class StrictQueryMixin:
    """Refuse (400) query parameters the endpoint does not know, naming them.

    A misspelt filter would otherwise be ignored and return everything, which a
    client cannot tell from a real answer.
    """

    def allowed_query_params(self):
        names = {"format"}
        if getattr(self, "action", None) == "list" or not hasattr(self, "action"):
            if self.pagination_class is not None:
                names |= {"page", "page_size"}
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                names |= set(filterset.base_filters)
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: ["This endpoint has no such query parameter."]
                    for name in unknown
                }
            )


def body_etag(data) -> str:
    """The ETag a GET of `data` carries (a hash of its JSON): one rule for reads,
    write responses and If-Match."""
    body = JSONRenderer().render(data)
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


class CacheHeadersMixin:
    """ETag (a hash of the body), Last-Modified, Cache-Control and 304 on GET/HEAD."""

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        response["ETag"] = etag
        timestamp = None
        if self.last_modified is not None:
            timestamp = int(self.last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        if request.user.is_authenticated or request.auth is not None:
            # Keys included: a read-drafts key's answers are not public.
            response["Cache-Control"] = "private, no-cache"
        else:
            response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )


def _sees_unpublished(request):
    """Staff with the change permission, and read-drafts integration keys when
    reading (previews for a partner)."""
    user = request.user
    if (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("articles.change_article")
    ):
        return True
    key = request.auth
    return (
        request.method in SAFE_METHODS
        and isinstance(key, IntegrationKey)
        and key.reads_drafts
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
STAGE_PARAMETER = OpenApiParameter(
    "stage",
    bool,
    description=(
        "Editors: keep a change to a published explainer in its working copy "
        "(202) instead of publishing it at once. A writer's change to a "
        "published explainer always goes to the working copy and waits for review."
    ),
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description=(
        "The ETag you read the explainer with: if it changed since, the write is "
        "refused with 412 and nothing is saved."
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
    update=extend_schema(
        summary="Replace an explainer's fields",
        request=ArticleInputSerializer,
        parameters=[STAGE_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ArticleSerializer, 202: ArticleSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some of an explainer's fields",
        request=ArticleInputSerializer,
        parameters=[STAGE_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ArticleSerializer, 202: ArticleSerializer},
    ),
    destroy=extend_schema(
        summary="Delete an explainer",
        parameters=[IF_MATCH_PARAMETER],
        responses={204: None},
    ),
)
class ArticleViewSet(StrictQueryMixin, CacheHeadersMixin, viewsets.GenericViewSet):
    """Explainers. Reads are public; writes need the explainer model permissions."""

    queryset = Article.objects.all()
    serializer_class = ArticleSerializer
    parser_classes = [JSONParser]
    filterset_class = ArticleFilter
    pagination_class = Pagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    # Model field names in Django validation errors, as the API calls them.
    model_field_names = {
        "publish_at": "published_at",
        "source_url": "source.url",
        "source_title": "source.title",
        "source_publisher": "source.publisher",
        "comments_mode": "comments_mode",
        "seo_title": "seo.title",
        "seo_description": "seo.description",
        "hero_alt": "hero_image.alt",
        "hero_credit": "hero_image.credit",
    }

    def allowed_query_params(self):
        names = super().allowed_query_params()
        if self.action in {"list", "retrieve"}:
            names.add("fields")
        if self.action == "retrieve":
            names.add("status")
        if self.action in {"update", "partial_update"}:
            names.add("stage")
        return names

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """Anonymous reads come from the page cache (articles/cache.py).

        The list depends on all published content; one explainer only on its own.
        """
        view = super().as_view(actions, **initkwargs)
        is_list = (actions or {}).get("get") == "list"
        return cache_anonymous(view, lists=is_list)

    def get_queryset(self):
        if self.request.method not in SAFE_METHODS:
            return Article.objects.all()
        params = self.request.query_params
        if _sees_unpublished(self.request) and (
            self.action == "retrieve" or "status" in params
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
        if self.action in {"list", "retrieve"}:
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
                if changes.was_public(slug):
                    raise Gone() from None
                raise
        depend_on_article(request, article.pk, comments=True)
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

    def update(self, request, slug):
        return self._change(request, partial=False)

    def partial_update(self, request, slug):
        return self._change(request, partial=True)

    def destroy(self, request, slug):
        article = self.get_object()
        self._check_if_match(request, article)
        services.article_delete(article=article, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _change(self, request, *, partial):
        article = self.get_object()
        self._check_if_match(request, article)
        staging = publishing.is_staged(article) and (
            not services.can_publish(request.user)
            or request.query_params.get("stage") in {"1", "true"}
        )
        if not staging:
            article = self._save(request, article=article, partial=partial)
            return self._written(article)
        self._save(request, article=article, partial=partial, stage=True)
        return self._working_copy_response(article, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="An explainer's unpublished changes (staff)",
        responses={200: ArticleSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], url_path="working-copy")
    def working_copy(self, request, slug):
        article = self._staff_article()
        if publishing.working_copy(article) is None:
            raise exceptions.NotFound("This explainer has no unpublished changes.")
        return self._working_copy_response(article, status.HTTP_200_OK)

    @extend_schema(
        summary="Publish an explainer, with its unpublished changes (editors)",
        request=None,
        responses={200: ArticleSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, slug):
        article = self._staff_article()
        self._check_if_match(request, article)
        article = publishing.explainer_publish(article=article, user=request.user)
        return self._written(article)

    @extend_schema(
        summary="Discard an explainer's unpublished changes",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, slug):
        publishing.explainer_discard(article=self._staff_article(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _staff_article(self):
        if not _sees_unpublished(self.request):
            raise exceptions.NotFound()
        return get_object_or_404(Article, slug=self.kwargs["slug"])

    def _check_if_match(self, request, article):
        """Refuse (412) a write whose If-Match names a version that is gone."""
        wanted = request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return
        current = body_etag(self._output(article))
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        if current not in tags:
            raise PreconditionFailed()

    def _working_copy_response(self, article, code):
        copy = publishing.working_copy(article)
        shown = publishing.explainer_in_memory(copy.state, base=article)
        shown.comment_count = 0
        data = ArticleSerializer(shown, context=self.get_serializer_context()).data
        waiting = copy.status == copy.Status.REVIEW
        data["working_copy"] = {
            "status": copy.status,
            "updated_at": copy.updated_at,
            "publish_at": copy.publish_at,
            "message": (
                "Saved as unpublished changes, waiting for an editor's review; "
                "readers see the published version until then."
                if waiting
                else "Saved as unpublished changes; readers see the published "
                "version until they are published."
            ),
        }
        return Response(data, status=code)

    def _save(self, request, *, article, partial, stage=False):
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        fields = {
            name: data[name]
            for name in ("title", "dek", "body", "background", "status")
            if name in data
        }
        if data.get("slug"):
            fields["slug"] = data["slug"]
        if "published_at" in data:
            fields["publish_at"] = data["published_at"]
        for name, value in data.get("source", {}).items():
            fields[f"source_{name}"] = value
        for name, value in data.get("seo", {}).items():
            fields[f"seo_{name}"] = value
        for name, value in data.get("hero_image", {}).items():
            fields[f"hero_{name}"] = value
        if "comments_mode" in data:
            fields["comments_mode"] = data["comments_mode"]
        elif "comments_open" in data:
            modes = Article.CommentsMode
            if not data["comments_open"]:
                fields["comments_mode"] = modes.CLOSED
            elif article is None or article.comments_mode == modes.CLOSED:
                fields["comments_mode"] = modes.OPEN
        lists = {
            name: data.get(name)
            for name in (
                "authors",
                "topics",
                "key_facts",
                "quick_answers",
                "faqs",
                "corrections",
            )
        }
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


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = (
        "This explainer was published and has been withdrawn: remove your copy "
        "(the change feed says when)."
    )
    default_code = "gone"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The explainer changed since you read it (If-Match): read it again, then "
        "send your change."
    )
    default_code = "precondition_failed"


class _ReadOnlyViewSet(
    StrictQueryMixin, CacheHeadersMixin, viewsets.ReadOnlyModelViewSet
):
    permission_classes = [AllowAny]
    pagination_class = Pagination
    filter_backends = []
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self):
        published = Article.objects.published().values("pk")
        return self.model.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=published))
        ).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="List topics"),
    retrieve=extend_schema(summary="One topic"),
)
class TopicViewSet(_ReadOnlyViewSet):
    """Topics, each with the number of published explainers in it."""

    model = Topic
    serializer_class = TopicSerializer


@extend_schema_view(
    list=extend_schema(summary="List authors"),
    retrieve=extend_schema(summary="One author"),
)
class AuthorViewSet(_ReadOnlyViewSet):
    """Bylines, each with the number of published explainers carrying it."""

    model = Author
    serializer_class = AuthorSerializer
