from django.urls import path

from . import annotation_views, feeds, history, search_views, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("explainers/<slug:slug>/", views.article_detail, name="detail"),
    path("explainers/<slug:slug>/changes/", history.changes, name="changes"),
    path(
        "explainers/<slug:slug>/<annotation_kind:kind>/<slug:anchor>/",
        annotation_views.annotation_page,
        name="annotation",
    ),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("search/", search_views.search, name="search"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/rss/", feeds.corrections_rss, name="corrections-rss"),
    path("corrections/feed/atom/", feeds.corrections_atom, name="corrections-atom"),
    path("feeds/rss/", feeds.latest_rss, name="feed-rss"),
    path("feeds/atom/", feeds.latest_atom, name="feed-atom"),
    path("topics/<slug:slug>/feed/rss/", feeds.topic_rss, name="topic-feed-rss"),
    path("topics/<slug:slug>/feed/atom/", feeds.topic_atom, name="topic-feed-atom"),
]
