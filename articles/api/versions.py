"""A published explainer's public versions: the list, and each one as it was.

The versions are those of the reader page's change history (articles/history.py):
every revision readers saw, numbered from 1, oldest first. Drafts, working copies
and unpublished periods have none. Anonymous and read-only; an old slug redirects
(301) while the explainer is published.
"""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import publishing
from articles.cache import cache_anonymous
from articles.history import public_versions
from articles.models import ANNOTATION_KINDS, Article
from articles.versions import depend_on_article
from articles.views import REDIRECT_MAX_AGE

from .http import CacheHeadersMixin, StrictQueryMixin
from .schema import ErrorSerializer
from .serializers import ArticleSerializer

KINDS = [("published", "Published"), ("updated", "Updated")]


class ArticleVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 for the first published version.")
    time = serializers.DateTimeField(help_text="When readers first saw it.")
    kind = serializers.ChoiceField(
        choices=KINDS,
        help_text="published: first, or again after being withdrawn; updated: an edit.",
    )
    note = serializers.CharField(
        help_text="The correction or update note this version added; may be empty."
    )
    url = serializers.URLField(help_text="This version in full.")


class ArticleVersionListSerializer(serializers.Serializer):
    slug = serializers.CharField()
    changes_url = serializers.URLField(help_text="The reader page of the changes.")
    results = ArticleVersionSerializer(many=True, help_text="Newest first.")


class ArticleVersionDetailSerializer(ArticleSerializer):
    """The explainer as a version left it, shaped like the explainer itself."""

    version = ArticleVersionSerializer(source="public_version")

    class Meta(ArticleSerializer.Meta):
        fields = [
            *(n for n in ArticleSerializer.Meta.fields if n != "comment_count"),
            "version",
        ]
        read_only_fields = fields


def _version_data(request, article, version):
    path = reverse(
        "api:article-version", kwargs={"slug": article.slug, "number": version.number}
    )
    return {
        "number": version.number,
        "time": version.time,
        "kind": version.kind,
        "note": version.note,
        "url": request.build_absolute_uri(path),
    }


def _as_it_was(article, version):
    """An unsaved Article holding `version`, with its lists (articles/publishing.py)."""
    fields = {name: version.fields.get(name) for name in publishing.STATE_FIELDS}
    fields["hero_image"] = getattr(fields["hero_image"], "name", fields["hero_image"])
    fields = {name: "" if value is None else value for name, value in fields.items()}
    state = {"fields": fields, "authors": version.authors, "topics": version.topics}
    for kind in ANNOTATION_KINDS:
        state[kind.list_name] = [
            {
                "id": row["id"],
                "anchor": row["anchor"],
                **{name: row[name] for name in kind.text_fields},
                "sources": row.get("sources", []),
            }
            for row in version.lists[kind.list_name]
        ]
    state["corrections"] = [
        {
            "id": row["id"],
            "kind": row["kind"],
            "note": row["note"],
            "created_at": row["created_at"].isoformat(),
        }
        for row in version.corrections
    ]
    shown = publishing.explainer_in_memory(state, base=article)
    shown.status = Article.Status.PUBLISHED
    shown.publish_at = version.fields.get("publish_at") or version.time
    shown.updated_at = version.time
    return shown


class VersionsMixin(StrictQueryMixin, CacheHeadersMixin):
    permission_classes = [AllowAny]

    def published_article(self, request, slug, **kwargs):
        """The published explainer at `slug`; Http404, or a redirect from an old slug."""
        try:
            return get_object_or_404(Article.objects.published(), slug=slug), None
        except Http404:
            moved = Article.objects.published().at_old_slug(slug)
            current = moved.values_list("slug", flat=True).first()
            if current is None:
                raise
        location = reverse(
            request.resolver_match.view_name, kwargs={**kwargs, "slug": current}
        )
        response = HttpResponsePermanentRedirect(location)
        patch_cache_control(response, public=True, max_age=REDIRECT_MAX_AGE)
        return None, response

    def versions(self, request, article):
        depend_on_article(request, article.pk)
        self.last_modified = article.updated_at
        return public_versions(article)


class ArticleVersionListView(VersionsMixin, APIView):
    @extend_schema(
        operation_id="v1_articles_versions_list",
        summary="An explainer's published versions",
        description=(
            "Every version readers have seen, newest first, with the correction or "
            "update note it added. Drafts and unpublished changes never appear."
        ),
        responses={200: ArticleVersionListSerializer, 404: ErrorSerializer},
    )
    def get(self, request, slug):
        article, redirect = self.published_article(request, slug)
        if redirect is not None:
            return redirect
        results = [
            _version_data(request, article, version)
            for version in reversed(self.versions(request, article))
        ]
        path = reverse("articles:changes", kwargs={"slug": article.slug})
        data = {
            "slug": article.slug,
            "changes_url": request.build_absolute_uri(path),
            "results": results,
        }
        return Response(ArticleVersionListSerializer(data).data)


class ArticleVersionDetailView(VersionsMixin, APIView):
    @extend_schema(
        operation_id="v1_articles_versions_retrieve",
        summary="One published version of an explainer, as it was",
        description=(
            "The explainer as readers saw it in that version, in the same shape as "
            "the explainer itself (without its comment count), plus `version`. "
            "Authors, topics and the hero image's size are as they are now."
        ),
        parameters=[
            OpenApiParameter(
                "number", int, OpenApiParameter.PATH, description="1 for the first."
            )
        ],
        responses={200: ArticleVersionDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request, slug, number):
        article, redirect = self.published_article(request, slug, number=number)
        if redirect is not None:
            return redirect
        versions = self.versions(request, article)
        if not 1 <= number <= len(versions):
            raise Http404
        version = versions[number - 1]
        shown = _as_it_was(article, version)
        shown.public_version = _version_data(request, article, version)
        context = {"request": request}
        return Response(ArticleVersionDetailSerializer(shown, context=context).data)


# Cached for anonymous clients like the explainer, until it changes.
version_list = cache_anonymous(ArticleVersionListView.as_view())
version_detail = cache_anonymous(ArticleVersionDetailView.as_view())
