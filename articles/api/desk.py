"""The editor's desk over the API: a live explainer's working copy, publishing it,
discarding it, and If-Match on every write (docs/editing.md, "Through the API")."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from articles import publishing
from articles.models import Article

from .http import PreconditionFailed, body_etag, sees_unpublished
from .schema import ErrorSerializer
from .serializers import ArticleSerializer, StagedArticleSerializer

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


class DeskActionsMixin:
    """Working-copy actions of the explainer viewset; `_written` and `_output` are
    the viewset's."""

    @extend_schema(
        summary="An explainer's unpublished changes (staff)",
        responses={200: StagedArticleSerializer, 404: ErrorSerializer},
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
        parameters=[IF_MATCH_PARAMETER],
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
        if not sees_unpublished(self.request):
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
        waiting = copy.status == copy.Status.REVIEW
        shown.working_copy_state = {
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
        context = self.get_serializer_context()
        data = StagedArticleSerializer(shown, context=context).data
        return Response(data, status=code)
