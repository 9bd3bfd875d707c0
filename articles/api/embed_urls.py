"""Embeddable cards, mounted at /embed/ (outside /api/: they are HTML pages)."""

from django.urls import path

from . import views

app_name = "embed"

urlpatterns = [
    path("<slug:slug>/key-facts/", views.embed_key_facts, name="key-facts"),
]
