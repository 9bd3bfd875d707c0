"""Reader pages: home, explainer, topic, author, and the staff draft preview.

Public pages answer conditional requests: each view computes its validators from
a single cheap query (kept for reuse by the page itself), so a 304 costs one query.
"""

from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    patch_cache_control,
)
from django.views.generic import DetailView, ListView

from . import changes, publishing, services, surrogates
from .cache import cache_anonymous
from .fragments import explainer_parts, published_explainer
from .http import conditional_response, etag_of
from .models import Article, Author, Correction, KeyFact, Topic
from .versions import content_state, depend_on_article, thread_version

PAGE_SIZE = 12
# How long anyone may keep a redirect from an old address: as long as a page, since
# the address may be given to a new explainer.
REDIRECT_MAX_AGE = 60


def _fact_count():
    counts = (
        KeyFact.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def old_slug_redirect(request, slug, view_name):
    """Redirect (301) to `view_name` of the published explainer that was at `slug`.

    The query string goes along. Raises Http404 when no published explainer had
    the slug: a draft's or an unpublished explainer's old address is unknown.
    """
    moved = Article.objects.published().at_old_slug(slug)
    current = moved.values_list("slug", flat=True).first()
    if current is None:
        raise Http404
    location = reverse(view_name, kwargs={"slug": current})
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponsePermanentRedirect(
        f"{location}?{query}" if query else location
    )
    patch_cache_control(response, public=True, max_age=REDIRECT_MAX_AGE)
    return response


class ConditionalPageMixin:
    """Answer If-None-Match / If-Modified-Since from `validators()`, before the
    page is rendered (articles/http.py sets the cache headers)."""

    def validators(self):
        """Return (parts for the ETag, last-modified datetime or None)."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        parts, last_modified = self.validators()
        user = request.user
        etag = etag_of(*parts, f"user={user.pk if user.is_authenticated else '-'}")

        def render():
            response = super(ConditionalPageMixin, self).get(request, *args, **kwargs)
            response.render()
            return response

        return conditional_response(
            request,
            render,
            etag=etag,
            last_modified=last_modified,
            private=user.is_authenticated,
        )


class ArticleListMixin(ConditionalPageMixin):
    """A paginated list of published explainers, newest first."""

    paginate_by = PAGE_SIZE
    context_object_name = "articles"

    def published(self):
        return Article.objects.published()

    def list_keys(self):
        """The surrogate key of this list (articles/surrogates.py)."""
        return [surrogates.LISTS]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each explainer shown too: one leaving the list (a topic removed) purges it.
        shown = [surrogates.article(article.pk) for article in context["object_list"]]
        surrogates.add(self.request, *self.list_keys(), *shown)
        return context

    def get_queryset(self):
        return (
            self.published()
            .prefetch_related("topics")
            # A subquery, not a join: a GROUP BY would aggregate every published
            # row before the page is cut; this way the index gives the page in order.
            .annotate(fact_count=_fact_count())
            .order_by("-publish_at", "-pk")
        )

    def list_validators(self, *extra):
        stats = self.published().aggregate(
            count=Count("pk", distinct=True),
            newest=Max("publish_at"),
            updated=Max("updated_at"),
        )
        moments = [m for m in (stats["newest"], stats["updated"]) if m]
        return [*extra, *stats.values()], max(moments, default=None)


class HomeView(ArticleListMixin, ListView):
    template_name = "articles/home.html"

    def validators(self):
        # The topic navigation is part of the page, so it is part of the ETag too.
        self.topics = list(
            Topic.objects.filter(articles__in=Article.objects.published())
            .annotate(article_count=Count("articles", distinct=True))
            .order_by("name")
        )
        nav = [(t.slug, t.name, t.article_count) for t in self.topics]
        return self.list_validators(nav)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topics=self.topics, **kwargs)


class TopicView(ArticleListMixin, ListView):
    template_name = "articles/topic.html"

    def validators(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return self.list_validators(self.topic.name, self.topic.description)

    def published(self):
        return Article.objects.published().filter(topics=self.topic)

    def list_keys(self):
        return [surrogates.topic(self.topic.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class AuthorView(ArticleListMixin, ListView):
    template_name = "articles/author.html"

    def validators(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return self.list_validators(self.author.name, self.author.bio)

    def published(self):
        return Article.objects.published().filter(authors=self.author)

    def list_keys(self):
        return [surrogates.author(self.author.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class CorrectionsView(ConditionalPageMixin, ListView):
    """Every correction and update readers can see, across the site, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 30

    def get_queryset(self):
        return (
            Correction.objects.public()
            .select_related("article")
            .order_by("-created_at", "-pk")
        )

    def validators(self):
        return correction_validators()


def correction_validators():
    """(ETag parts, Last-Modified) of the public corrections: their count, the
    newest, and the newest change to an explainer carrying one (a rewording)."""
    stats = Correction.objects.public().aggregate(
        count=Count("pk"), newest=Max("created_at"), changed=Max("article__updated_at")
    )
    moments = [stats["newest"], stats["changed"]]
    return [*stats.values()], max((m for m in moments if m), default=None)


class ArticleContextMixin:
    """The explainer page from its parts (articles/fragments.py), in fixed queries."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    # Whether anonymous readers may share cached parts (never for the staff preview).
    shareable = True
    preview = False
    next_publish = None

    def get_context_data(self, **kwargs):
        parts = explainer_parts(
            self.request,
            self.object,
            next_publish=self.next_publish,
            shareable=self.shareable,
            preview=self.preview,
        )
        return super().get_context_data(parts=parts, **kwargs)


class ArticleDetailView(ArticleContextMixin, ConditionalPageMixin, DetailView):
    def get(self, request, *args, **kwargs):
        try:
            self.object = published_explainer(request, kwargs["slug"])
        except Http404:
            # Old addresses are looked up only here, so a page costs what it did.
            try:
                return old_slug_redirect(request, kwargs["slug"], "articles:detail")
            except Http404:
                if not changes.was_public(slug=kwargs["slug"]):
                    raise
            # Readers saw it here, and it was withdrawn: 410, not "never existed".
            return render(request, "410.html", status=410)
        return super().get(request, *args, **kwargs)

    def validators(self):
        # The page also lists related explainers, so any publish, unpublish or edit
        # elsewhere changes the ETag too: the site's content version moves on every
        # write, and the next scheduled time moves on once it has passed. Both come
        # from the cache, so the one query stays cheap however many explainers exist.
        article = self.object
        depend_on_article(self.request, article.pk, comments=True)
        content_version, self.next_publish = content_state(self.request)
        parts = [
            article.pk,
            article.updated_at.isoformat(),
            content_version,
            self.next_publish,
            # The comments region changes without the article row changing.
            thread_version(self.request, article.pk),
            self.request.GET.get("comments", ""),
        ]
        return parts, max(article.updated_at, article.publish_at)

    def get_object(self, queryset=None):
        return self.object


class ArticlePreviewView(ArticleContextMixin, DetailView):
    """Any explainer, in any state, as readers would see it: staff editors only."""

    queryset = Article.objects.all()
    shareable = False
    preview = True

    def dispatch(self, request, *args, **kwargs):
        if not services.can_see_unpublished(request.user):
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        copy = publishing.working_copy(article)
        if copy is None:
            return article
        # A live explainer's preview shows its unpublished changes.
        return publishing.explainer_in_memory(copy.state, base=article)

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=self.preview, **kwargs)


# Anonymous readers get these from the page cache (articles/cache.py).
home = cache_anonymous(HomeView.as_view())
article_detail = cache_anonymous(ArticleDetailView.as_view())
topic_detail = cache_anonymous(TopicView.as_view())
author_detail = cache_anonymous(AuthorView.as_view())
corrections = surrogates.keyed(
    cache_anonymous(CorrectionsView.as_view()), surrogates.LISTS
)
article_preview = ArticlePreviewView.as_view()
