from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

import comments.api
from figures.api_charts import ChartViewSet
from figures.api_images import ImageViewSet

from . import annotations, changes, docs, embeds, exceptions, index, versions, views

app_name = "api"

router = SimpleRouter()
router.register("v1/articles", views.ArticleViewSet, basename="article")
router.register("v1/topics", views.TopicViewSet, basename="topic")
router.register("v1/authors", views.AuthorViewSet, basename="author")
router.register("v1/key-facts", annotations.KeyFactViewSet, basename="key-fact")
router.register(
    "v1/quick-answers", annotations.QuickAnswerViewSet, basename="quick-answer"
)
router.register("v1/faqs", annotations.FAQViewSet, basename="faq")
router.register("v1/charts", ChartViewSet, basename="chart")
router.register("v1/images", ImageViewSet, basename="image")

urlpatterns = [
    *router.urls,
    path("v1/", index.api_index, name="index"),
    path("v1/changes/", changes.change_feed, name="changes"),
    path(
        "v1/articles/<slug:slug>/versions/",
        versions.version_list,
        name="article-versions",
    ),
    path(
        "v1/articles/<slug:slug>/versions/<int:number>/",
        versions.version_detail,
        name="article-version",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("oembed/", embeds.OEmbedView.as_view(), name="oembed"),
    # Reader comments: /api/v1/articles/<slug>/comments/ and /api/v1/comments/<id>/.
    path("v1/", include(comments.api)),
    # Anything else under /api/ (with its slash appended) is a JSON 404.
    re_path(r"^[\s\S]*/$", exceptions.not_found),
]
