"""The sitemap: the home page, published explainers, and topic and author pages
that list at least one published explainer."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Article, Author, Topic


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        newest = Article.objects.published().aggregate(newest=Max("updated_at"))
        return newest["newest"]


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-publish_at", "-pk")

    def lastmod(self, article):
        return article.updated_at


class _ListingSitemap(Sitemap):
    """Pages listing explainers; lastmod is the newest change among theirs."""

    changefreq = "daily"
    priority = 0.5
    model = None

    def items(self):
        # Filtering before annotating makes Max() see only the published explainers.
        return (
            self.model.objects.filter(articles__in=Article.objects.published())
            .annotate(newest=Max("articles__updated_at"))
            .order_by("slug")
        )

    def lastmod(self, item):
        return item.newest


class TopicSitemap(_ListingSitemap):
    model = Topic


class AuthorSitemap(_ListingSitemap):
    model = Author


sitemaps = {
    "home": HomeSitemap,
    "explainers": ArticleSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
}
