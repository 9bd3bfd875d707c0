"""/corrections/: every correction readers can see, across the site, with feeds."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from articles import publishing, services
from articles.models import Article, Correction
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PAGE = "/corrections/"


def correct(article, note, *, days_ago=0, kind=Correction.Kind.CORRECTION):
    correction = Correction.objects.create(
        article=article,
        kind=kind,
        note=note,
        created_at=timezone.now() - timedelta(days=days_ago),
    )
    services.article_changed(article)
    return correction


def test_the_page_lists_every_public_correction_newest_first_with_its_place(client):
    rivers = make_article(title="Why the river flooded")
    tides = make_article(title="How tides work")
    old = correct(rivers, "The dam is 40 m high, not 14 m.", days_ago=3)
    new = correct(tides, "Added the spring tide tables.", kind=Correction.Kind.UPDATE)

    html = client.get(PAGE).content.decode()

    assert html.index("Added the spring tide tables.") < html.index("The dam is 40 m")
    assert f'href="/explainers/{rivers.slug}/#{old.anchor}"' in html
    assert f'href="/explainers/{tides.slug}/#{new.anchor}"' in html
    assert ">Update<" in html and ">Correction<" in html
    # The anchor is there on the explainer page to land on.
    assert (
        f'id="{old.anchor}"' in client.get(rivers.get_absolute_url()).content.decode()
    )


def test_drafts_scheduled_and_unpublished_explainers_corrections_never_show(
    client, editor
):
    draft = make_article(status=Article.Status.DRAFT)
    later = make_article(publish_at=timezone.now() + timedelta(days=1))
    withdrawn = make_article()
    for article, note in [(draft, "Draft"), (later, "Later"), (withdrawn, "Gone")]:
        correct(article, f"{note} note, never public.")
    publishing.explainer_unpublish(article=withdrawn, user=editor)

    for address in (PAGE, "/corrections/feed/rss/", "/corrections/feed/atom/"):
        body = client.get(address).content.decode()
        assert "never public" not in body, address


def test_feeds_carry_each_correction_with_its_link_and_the_publication_as_author(
    client,
):
    article = make_article(title="Why the river flooded")
    correction = correct(article, "The dam is 40 m high, not 14 m.")

    for address in ("/corrections/feed/rss/", "/corrections/feed/atom/"):
        feed = feedparser.parse(client.get(address).content)
        assert not feed.bozo, address
        [entry] = feed.entries
        assert entry.title == "Correction: Why the river flooded"
        assert entry.link.endswith(f"/explainers/{article.slug}/#{correction.anchor}")
        assert "40 m high" in entry.summary
        assert entry.author == "Newsroom"


def test_an_unchanged_log_answers_304_and_a_new_correction_changes_it(client):
    article = make_article()
    correct(article, "First note.")
    first = client.get(PAGE)
    etag = first["ETag"]

    assert client.get(PAGE, HTTP_IF_NONE_MATCH=etag).status_code == 304
    correct(article, "Second note.")
    again = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and "Second note." in again.content.decode()
    feed = client.get("/corrections/feed/rss/")
    assert (
        client.get(
            "/corrections/feed/rss/", HTTP_IF_NONE_MATCH=feed["ETag"]
        ).status_code
        == 304
    )


def test_the_page_costs_the_same_queries_however_many_corrections(
    client, django_assert_max_num_queries
):
    correct(make_article(), "One.")
    with django_assert_max_num_queries(10) as few:
        client.get(PAGE)
    for n in range(12):
        correct(make_article(), f"Note {n}.")
    with django_assert_max_num_queries(10) as many:
        client.get(PAGE)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_footer_links_to_the_log(client):
    assert 'href="/corrections/"' in client.get("/").content.decode()
