"""RSS and Atom feeds of the latest published explainers, site-wide and per topic.

The views in `urls.py` are these feeds wrapped by `conditional()`, so a reader polling
with If-None-Match or If-Modified-Since gets a 304 until something published changes.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from . import surrogates
from .cache import cache_anonymous
from .http import conditional_response, etag_of
from .models import Article, Correction, Topic
from .views import correction_validators

FEED_LENGTH = 20


def _published(slug=None):
    articles = Article.objects.published()
    return articles.filter(topics__slug=slug) if slug else articles


class LatestExplainersFeed(Feed):
    feed_type = Rss201rev2Feed
    item_guid_is_permalink = True

    def title(self):
        return f"{settings.NEWSROOM_SITE_NAME}: latest explainers"

    def link(self):
        return reverse("articles:home")

    def description(self):
        return "The newest explainers, with their key facts and answers."

    def subtitle(self):
        return self.description()

    def feed_url(self):
        return reverse("articles:feed-rss")

    def items(self):
        return self.latest(Article.objects.published())

    def latest(self, articles):
        return articles.prefetch_related("authors", "topics").order_by(
            "-publish_at", "-pk"
        )[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Feed readers read the description as HTML; the summary is plain text.
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        # Atom requires an author on every entry (RFC 4287, 4.1.2): without a
        # byline the publication stands as the author, as in the JSON-LD.
        names = ", ".join(author.name for author in item.authors.all())
        return names or settings.NEWSROOM_SITE_NAME

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class LatestExplainersAtomFeed(LatestExplainersFeed):
    feed_type = Atom1Feed

    def feed_url(self):
        return reverse("articles:feed-atom")


class TopicExplainersFeed(LatestExplainersFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"{settings.NEWSROOM_SITE_NAME}: {topic.name}"

    def link(self, topic):
        return topic.get_absolute_url()

    def description(self, topic):
        return topic.description or f"The newest explainers about {topic.name}."

    def subtitle(self, topic):
        return self.description(topic)

    def feed_url(self, topic):
        return reverse("articles:topic-feed-rss", kwargs={"slug": topic.slug})

    def items(self, topic):
        return self.latest(Article.objects.published().filter(topics=topic))


class TopicExplainersAtomFeed(TopicExplainersFeed):
    feed_type = Atom1Feed

    def feed_url(self, topic):
        return reverse("articles:topic-feed-atom", kwargs={"slug": topic.slug})


def _feed_state(request, slug=None):
    """Newest change, newest publish time and count of what a feed may show.

    Memoized on the request: `condition` asks for the ETag and Last-Modified apart.
    """
    cache = request.__dict__.setdefault("_feed_state", {})
    if slug not in cache:
        if slug is not None and not Topic.objects.filter(slug=slug).exists():
            cache[slug] = None  # no validators: the feed itself answers 404
        else:
            cache[slug] = _published(slug).aggregate(
                changed=Max("updated_at"),
                published=Max("publish_at"),
                count=Count("pk"),
            )
    return cache[slug]


def _explainer_validators(request, slug=None):
    state = _feed_state(request, slug)
    if state is None:
        return None  # no such topic: the feed itself answers 404
    moments = [state["changed"], state["published"]]
    return [*moments, state["count"], slug], max(
        (m for m in moments if m), default=None
    )


def conditional(feed, validators=_explainer_validators):
    """Wrap a feed view so unchanged content answers 304 Not Modified, from the
    validators alone (articles/http.py)."""

    def view(request, *args, slug=None, **kwargs):
        # Every feed is a site-wide list for the edge caches (topic feeds too: few,
        # and cheap to render again).
        surrogates.add(request, surrogates.LISTS)
        found = validators(request, slug)
        if slug is not None:
            kwargs["slug"] = slug

        def render():
            response = feed(request, *args, **kwargs)
            # Feed stamps the newest date among its own items; the validators'
            # Last-Modified is the one If-Modified-Since is compared against.
            response.headers.pop("Last-Modified", None)
            return response

        if found is None:
            return render()
        parts, last_modified = found
        return conditional_response(
            request,
            render,
            etag=etag_of(*parts),
            last_modified=last_modified,
            vary=(),  # the same for everyone
        )

    return view


class CorrectionsFeed(Feed):
    """Every correction and update, newest first, each linking to its place."""

    feed_type = Rss201rev2Feed
    item_guid_is_permalink = True

    def title(self):
        return f"{settings.NEWSROOM_SITE_NAME}: corrections and updates"

    def link(self):
        return reverse("articles:corrections")

    def description(self):
        return "Every correction and update to our explainers, newest first."

    def subtitle(self):
        return self.description()

    def feed_url(self):
        return reverse("articles:corrections-rss")

    def items(self):
        public = Correction.objects.public().select_related("article")
        return public.order_by("-created_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item):
        return escape(item.note)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return settings.NEWSROOM_SITE_NAME  # corrections are the publication's


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed

    def feed_url(self):
        return reverse("articles:corrections-atom")


def _correction_validators(request, slug=None):
    return correction_validators()


latest_rss = cache_anonymous(conditional(LatestExplainersFeed()))
latest_atom = cache_anonymous(conditional(LatestExplainersAtomFeed()))
topic_rss = cache_anonymous(conditional(TopicExplainersFeed()))
topic_atom = cache_anonymous(conditional(TopicExplainersAtomFeed()))
corrections_rss = cache_anonymous(
    conditional(CorrectionsFeed(), _correction_validators)
)
corrections_atom = cache_anonymous(
    conditional(CorrectionsAtomFeed(), _correction_validators)
)
