"""A published explainer's old addresses lead to its current one; nothing else's do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_topic
from tests.helpers import assert_explainer_page_cost

pytestmark = pytest.mark.django_db

OEMBED = "/api/oembed/"


def page(slug):
    return f"/explainers/{slug}/"


def api_detail(slug):
    return f"/api/v1/articles/{slug}/"


def embed(slug):
    return f"/embed/{slug}/key-facts/"


def page_url(slug):
    return f"http://testserver{page(slug)}"


@pytest.fixture(params=[False, True], ids=["page-cache-off", "page-cache-on"])
def page_cache(request, settings):
    settings.NEWSROOM_PAGE_CACHE = request.param


@pytest.fixture
def change(editor_api_client):
    """change(article, **fields): an editor's PATCH through the content API."""

    def change(article, **fields):
        response = editor_api_client.patch(
            api_detail(article.slug), fields, format="json"
        )
        assert response.status_code == 200, response.content
        article.refresh_from_db()
        return article

    return change


def test_old_page_address_redirects_permanently_to_the_current_page(
    client, change, page_cache
):
    article = make_article(title="Why the river flooded", slug="river-flood")
    assert client.get(page("river-flood")).status_code == 200

    change(article, slug="river-flood-2024")
    response = client.get(page("river-flood"), {"comments": "newest"})

    assert response.status_code == 301
    assert response["Location"] == f"{page('river-flood-2024')}?comments=newest"
    assert "max-age=60" in response["Cache-Control"]
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert "Why the river flooded" in landed.content.decode()


def test_api_detail_at_an_old_slug_redirects_keeping_the_query_string(
    api, editor_api_client, change, page_cache
):
    article = make_article(slug="river-flood")
    assert api.get(api_detail("river-flood")).status_code == 200

    change(article, slug="river-flood-2024")
    response = api.get(f"{api_detail('river-flood')}?fields=slug,title")

    assert response.status_code == 301
    assert response["Location"] == f"{api_detail('river-flood-2024')}?fields=slug,title"
    assert api.get(response["Location"]).json()["slug"] == "river-flood-2024"
    # Only reads move: a write to the old address changes nothing.
    write = editor_api_client.patch(
        api_detail("river-flood"), {"dek": "x"}, format="json"
    )
    assert write.status_code == 404


def test_embed_card_at_an_old_slug_redirects_to_the_current_card(client, change):
    article = make_article(slug="river-flood", facts=2)
    change(article, slug="river-flood-2024")

    response = client.get(embed("river-flood"))

    assert response.status_code == 301
    assert response["Location"] == embed("river-flood-2024")
    card = client.get(response["Location"])
    assert card.status_code == 200
    assert "Fact 1" in card.content.decode()


def test_oembed_for_an_old_page_address_describes_the_current_explainer(api, change):
    article = make_article(
        slug="river-flood", facts=3, authors=[make_author("Ada Reporter")]
    )
    change(article, slug="river-flood-2024")

    old = api.get(OEMBED, {"url": page_url("river-flood")})
    current = api.get(OEMBED, {"url": page_url("river-flood-2024")})

    assert old.status_code == 200
    assert old.json() == current.json()
    assert embed("river-flood-2024") in old.json()["html"]


def _unpublished(client, change):
    article = make_article(slug="river-flood")
    change(article, slug="river-flood-2024")
    assert client.get(page("river-flood")).status_code == 301
    return change(article, status="draft")


def _draft(client, change):
    return change(make_article(slug="river-flood", status="draft"), slug="river-2024")


def _scheduled(client, change):
    tomorrow = timezone.now() + timedelta(days=1)
    article = make_article(slug="river-flood", publish_at=tomorrow)
    return change(article, slug="river-flood-2024")


@pytest.mark.parametrize("make", [_unpublished, _draft, _scheduled])
def test_old_addresses_of_an_explainer_readers_cannot_see_are_not_found_or_gone(
    client, api, change, page_cache, make
):
    article = make(client, change)

    # Readers saw the unpublished one here: its page and API say 410 Gone.
    gone = 410 if make is _unpublished else 404
    for url, expected in (
        (page("river-flood"), gone),
        (api_detail("river-flood"), gone),
        (embed("river-flood"), 404),
    ):
        response = client.get(url)
        assert response.status_code == expected, url
        assert article.slug not in response.content.decode()
    oembed = api.get(OEMBED, {"url": page_url("river-flood")})
    assert oembed.status_code == 404


def test_an_old_address_taken_by_a_new_explainer_serves_the_new_one(
    client, api, change, page_cache
):
    first = make_article(title="The old bridge", slug="bridge")
    assert client.get(page("bridge")).status_code == 200
    change(first, slug="old-bridge")
    assert client.get(page("bridge")).status_code == 301

    second = make_article(title="The new bridge", slug="bridge")
    response = client.get(page("bridge"))

    assert response.status_code == 200
    assert "The new bridge" in response.content.decode()
    assert api.get(api_detail("bridge")).json()["title"] == "The new bridge"
    # The address is the new explainer's now: when it moves on, so does the address.
    change(second, slug="new-bridge")
    assert client.get(page("bridge"))["Location"] == page("new-bridge")


def test_old_urls_lists_former_addresses_newest_first(change):
    """No page lists them yet (the admin form will), so the model method is asked."""
    article = make_article(slug="one")
    change(article, slug="two")
    change(article, slug="three")
    assert article.old_urls() == [page("two"), page("one")]

    make_article(slug="one")  # taken by another explainer: no longer this one's
    change(article, slug="two")  # back to a former address: not listed as old

    assert article.old_urls() == [page("three")]


@pytest.mark.parametrize("renames", [0, 3])
def test_article_page_query_count_does_not_grow_with_old_addresses(
    client, change, django_assert_num_queries, renames
):
    topic = make_topic()
    make_article(topics=[topic])
    article = make_article(
        facts=2,
        answers=1,
        faqs=1,
        corrections=1,
        topics=[topic],
        authors=[make_author()],
    )
    for n in range(renames):
        change(article, slug=f"renamed-{n}")

    assert_explainer_page_cost(
        client, article.get_absolute_url(), django_assert_num_queries
    )
    # An old address costs the failed lookup and the one for the old slug.
    if renames:
        with django_assert_num_queries(2):
            assert client.get(page("renamed-0")).status_code == 301
