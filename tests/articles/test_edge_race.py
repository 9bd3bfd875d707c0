"""A page built while a write to what it shows commits is not left to edge caches
(articles/surrogates.py): it may hold the rows from before the commit and reach
Varnish after the purge, where readers waiting on that fetch would get it."""

import pytest
from django.test.signals import template_rendered

from articles import versions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.make_article(title="Alpha explainer")


@pytest.fixture
def write_during_render(article):
    """An edit of the explainer commits while its page is being rendered."""

    def commit(**kwargs):
        template_rendered.disconnect(commit)
        versions.bump(versions.article_key(article.pk))

    template_rendered.connect(commit)
    yield
    template_rendered.disconnect(commit)


def test_a_page_built_undisturbed_is_kept_by_the_edge(client, article):
    response = client.get(article.get_absolute_url())

    assert "public" in response["Cache-Control"]
    assert f"a{article.pk}" in response["xkey"].split()
    assert "Surrogate-Control" in response


def test_a_page_built_while_its_explainer_changed_is_kept_by_no_shared_cache(
    client, article, write_during_render
):
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert "xkey" not in response
    # Varnish keeps it for no time (rather than remembering the address as
    # uncacheable for a minute): the next reader's fetch is kept.
    assert response["Surrogate-Control"] == "max-age=0"


def test_a_write_to_another_explainer_meanwhile_changes_nothing(client, article):
    other = factories.make_article(title="Beta explainer")

    def commit(**kwargs):
        template_rendered.disconnect(commit)
        versions.bump(versions.article_key(other.pk))

    template_rendered.connect(commit)
    try:
        response = client.get(article.get_absolute_url())
    finally:
        template_rendered.disconnect(commit)

    assert "public" in response["Cache-Control"]
    assert f"a{article.pk}" in response["xkey"].split()


@pytest.mark.usefixtures("page_cache_on")
def test_an_api_detail_whose_row_was_read_before_a_write_is_kept_by_no_cache(
    client, article, monkeypatch
):
    """The first build of an address reads the explainer's row before its version:
    a write committing in between must not leave the old row cached anywhere."""
    from articles import services
    from articles.api import views

    detail = views.ArticleViewSet._detail
    editor = factories.make_user(role="Editor")

    def write_then_detail(self, row):
        # The row in hand is read; now an edit commits, then the build goes on.
        monkeypatch.setattr(views.ArticleViewSet, "_detail", detail)
        services.article_save(
            user=editor,
            article=row.__class__.objects.get(pk=row.pk),
            fields={"dek": "The dek after the edit."},
        )
        return detail(self, row)

    monkeypatch.setattr(views.ArticleViewSet, "_detail", write_then_detail)
    url = f"/api/v1/articles/{article.slug}/"
    first = client.get(url)
    assert first.json()["dek"] != "The dek after the edit."  # built from the old row
    assert first["Cache-Control"].startswith("private")
    assert "xkey" not in first
    # Not kept by the page cache either: the next reader gets the edit.
    assert client.get(url).json()["dek"] == "The dek after the edit."
