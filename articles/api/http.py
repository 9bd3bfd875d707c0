"""HTTP rules every content API view shares: strict query strings, ETags and
conditional GETs, who sees unpublished explainers, and the API's own statuses."""

from rest_framework import exceptions, mixins, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer

from articles import services
from articles.http import conditional_response, etag_of
from integrations.models import IntegrationKey


class StrictQueryMixin:
    """Refuse (400) query parameters the endpoint does not know, naming them.

    A misspelt filter would otherwise be ignored and return everything, which a
    client cannot tell from a real answer. A view names what it reads in
    `query_serializer` (a serializer of its parameters) or `query_names`; lists
    add their pagination's and filters' names.
    """

    query_serializer = None
    query_names = ()

    def allowed_query_params(self):
        names = {"format", *self.query_names}
        if self.query_serializer is not None:
            names |= set(self.query_serializer().fields)
        if self._lists():
            pagination = getattr(self, "pagination_class", None)
            if pagination is not None:
                names |= {pagination.page_query_param, pagination.page_size_query_param}
                cursor = getattr(pagination, "cursor_query_param", None)
                names |= {cursor} if cursor else set()
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                names |= set(filterset.base_filters)
        return names

    def _lists(self):
        if hasattr(self, "action"):  # a viewset
            return self.action == "list"
        return isinstance(self, mixins.ListModelMixin) and self.request.method == "GET"

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
    return etag_of(JSONRenderer().render(data))


class CacheHeadersMixin:
    """ETag (a hash of the body), Last-Modified, Cache-Control and 304 on GET/HEAD."""

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        return conditional_response(
            request,
            response,
            etag=etag_of(response.content),
            last_modified=self.last_modified,
            # Keys included: a read-drafts key's answers are not public.
            private=request.user.is_authenticated or request.auth is not None,
            vary=("Authorization", "Cookie"),
        )


def sees_unpublished(request):
    """Staff who may change explainers (the one rule, services.can_see_unpublished),
    and read-drafts integration keys when reading (previews for a partner)."""
    if services.can_see_unpublished(request.user):
        return True
    key = request.auth
    return (
        request.method in SAFE_METHODS
        and isinstance(key, IntegrationKey)
        and key.reads_drafts
    )


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
