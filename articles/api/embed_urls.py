"""Embeddable cards, mounted at /embed/ (outside /api/: they are HTML pages)."""

from django.urls import path

from . import embeds

app_name = "embed"

urlpatterns = [
    path("<slug:slug>/key-facts/", embeds.embed_key_facts, name="key-facts"),
    path(
        "<slug:slug>/<annotation_kind:kind>/<slug:anchor>/",
        embeds.embed_annotation,
        name="annotation",
    ),
]
