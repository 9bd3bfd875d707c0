import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def detail(slug):
    return f"/api/v1/articles/{slug}/"


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


def test_article_detail_has_every_documented_field(api, article, topic, author):
    data = api.get(detail(article.slug)).json()

    assert data["id"] == article.pk
    assert data["url"] == f"http://testserver/explainers/{article.slug}/"
    assert data["title"] == "Why the river flooded"
    assert data["status"] == "published"
    assert data["published_at"].endswith("Z")
    assert datetime.datetime.fromisoformat(data["updated_at"]).tzinfo is not None
    assert data["authors"] == [
        {
            "id": author.pk,
            "name": "Ada Reporter",
            "slug": author.slug,
            "url": f"http://testserver/authors/{author.slug}/",
        }
    ]
    assert data["topics"] == [
        {
            "id": topic.pk,
            "name": "Climate",
            "slug": "climate",
            "url": "http://testserver/topics/climate/",
        }
    ]
    assert data["body"].startswith("## What happened")
    assert "<h2" in data["body_html"]
    assert data["background"] == "" and data["background_html"] == ""
    assert [f["label"] for f in data["key_facts"]] == ["Fact 0", "Fact 1", "Fact 2"]
    assert set(data["key_facts"][0]) == {
        "id",
        "fact_id",
        "label",
        "text",
        "anchor",
        "sources",
    }
    assert [q["question"] for q in data["quick_answers"]] == [
        "Question 0?",
        "Question 1?",
    ]
    assert data["faqs"][0]["answer_html"] == "<p><strong>Answer</strong> 0.</p>"
    assert set(data["faqs"][0]) == {
        *("id", "question", "answer", "answer_html", "anchor", "sources"),
    }
    assert data["source"] == {
        "url": "https://example.org/report",
        "title": "Flood report",
        "publisher": "River Agency",
    }
    assert data["corrections"][0]["kind"] == "correction"
    assert data["corrections"][0]["note"] == "Corrected detail 0."
    assert data["comments_open"] is True
    assert data["comment_count"] == 0


def test_list_is_paginated_newest_first(api):
    now = timezone.now()
    for days in range(3):
        factories.make_article(
            title=f"Day {days}", publish_at=now - datetime.timedelta(days=days)
        )

    response = api.get(LIST, {"page_size": 2})
    data = response.json()

    assert data["count"] == 3
    assert [r["title"] for r in data["results"]] == ["Day 0", "Day 1"]
    assert data["previous"] is None
    assert data["next"].startswith("http://testserver/api/v1/articles/?page=2")
    assert [r["title"] for r in api.get(data["next"]).json()["results"]] == ["Day 2"]


def test_page_size_defaults_to_20_and_is_capped_at_100(api):
    past = timezone.now() - datetime.timedelta(hours=1)
    Article.objects.bulk_create(
        Article(
            title=f"Bulk {i}", slug=f"bulk-{i}", status="published", publish_at=past
        )
        for i in range(101)
    )

    assert len(api.get(LIST).json()["results"]) == 20
    assert len(api.get(LIST, {"page_size": 5}).json()["results"]) == 5
    assert len(api.get(LIST, {"page_size": 500}).json()["results"]) == 100


def test_page_past_the_end_is_404_in_the_error_shape(api, article):
    response = api.get(LIST, {"page": 9})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_filters_by_topic_and_author(api, article, topic, author):
    other = factories.make_article(title="Unrelated")

    assert slugs(api.get(LIST, {"topic": topic.slug})) == [article.slug]
    assert slugs(api.get(LIST, {"author": author.slug})) == [article.slug]
    assert slugs(api.get(LIST, {"topic": "no-such-topic"})) == []
    assert other.slug in slugs(api.get(LIST))


def test_filters_by_publication_window(api):
    now = timezone.now()
    old = factories.make_article(publish_at=now - datetime.timedelta(days=10))
    new = factories.make_article(publish_at=now - datetime.timedelta(hours=1))
    cut = (now - datetime.timedelta(days=2)).isoformat()

    assert slugs(api.get(LIST, {"published_after": cut})) == [new.slug]
    assert slugs(api.get(LIST, {"published_before": cut})) == [old.slug]


@pytest.mark.parametrize("field", ["published_after", "published_before"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-40T00:00:00Z"])
def test_bad_datetime_filter_is_400_naming_the_field(api, field, value):
    response = api.get(LIST, {field: value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_orderings(api):
    now = timezone.now()
    b = factories.make_article(
        title="Banana", publish_at=now - datetime.timedelta(days=1)
    )
    a = factories.make_article(
        title="Apple", publish_at=now - datetime.timedelta(days=2)
    )
    c = factories.make_article(
        title="Cherry", publish_at=now - datetime.timedelta(days=3)
    )
    Article.objects.filter(pk=c.pk).update(updated_at=now + datetime.timedelta(hours=1))

    assert slugs(api.get(LIST, {"ordering": "title"})) == [a.slug, b.slug, c.slug]
    assert slugs(api.get(LIST, {"ordering": "-title"})) == [c.slug, b.slug, a.slug]
    assert slugs(api.get(LIST, {"ordering": "published_at"})) == [
        c.slug,
        a.slug,
        b.slug,
    ]
    assert slugs(api.get(LIST, {"ordering": "-published_at"})) == [
        b.slug,
        a.slug,
        c.slug,
    ]
    assert slugs(api.get(LIST, {"ordering": "-updated_at"}))[0] == c.slug
    assert slugs(api.get(LIST, {"ordering": "updated_at"}))[-1] == c.slug


def test_unknown_ordering_is_400(api):
    response = api.get(LIST, {"ordering": "popularity"})

    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["fields"]


def test_search_finds_words_in_title_and_body(api):
    flood = factories.make_article(title="River flood explained")
    budget = factories.make_article(
        title="Budget", body="The council spent on bridges."
    )
    factories.make_article(title="Nothing relevant")

    assert slugs(api.get(LIST, {"q": "flood"})) == [flood.slug]
    assert slugs(api.get(LIST, {"q": "bridges"})) == [budget.slug]


def test_drafts_and_scheduled_never_reach_anonymous_callers(api, article, draft):
    scheduled = factories.make_article(
        title="Scheduled river piece",
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    hidden = {draft.slug, scheduled.slug}

    for params in [
        {},
        {"status": "draft"},
        {"status": "published"},
        {"q": "river"},
        {"topic": "climate"},
        {"ordering": "title"},
    ]:
        listed = set(slugs(api.get(LIST, params)))
        assert not listed & hidden, params
    for slug in hidden:
        assert api.get(detail(slug)).status_code == 404
        assert api.get(detail(slug), {"status": "draft"}).status_code == 404


def test_readers_do_not_see_drafts_either(api_as, reader, draft):
    client = api_as(reader)

    assert client.get(LIST, {"status": "draft"}).json()["results"] == []
    assert client.get(detail(draft.slug)).status_code == 404


def test_staff_with_change_permission_list_and_fetch_drafts(
    api_as, writer, article, draft
):
    client = api_as(writer)

    assert slugs(client.get(LIST)) == [article.slug]
    assert slugs(client.get(LIST, {"status": "draft"})) == [draft.slug]
    response = client.get(detail(draft.slug), {"status": "draft"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["published_at"] is None
    assert client.get(detail(draft.slug), {"status": "bogus"}).status_code == 400


def test_unknown_slug_is_404(api):
    response = api.get(detail("no-such-article"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_topics_and_authors_count_published_articles_only(
    api, article, draft, topic, author
):
    topics = api.get("/api/v1/topics/").json()
    authors = api.get("/api/v1/authors/").json()

    assert topics["results"] == [
        {
            "id": topic.pk,
            "name": "Climate",
            "slug": "climate",
            "url": "http://testserver/topics/climate/",
            "description": "",
            "article_count": 1,
            "updated_at": topic.updated_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    assert authors["results"][0]["article_count"] == 1
    assert authors["results"][0]["bio"] == ""
    one = api.get(f"/api/v1/authors/{author.slug}/").json()
    assert one["name"] == "Ada Reporter"
    assert api.get("/api/v1/topics/climate/").json()["article_count"] == 1
    assert api.get("/api/v1/topics/nope/").status_code == 404


def _populate(n_articles, n_items):
    topics = [factories.make_topic() for _ in range(2)]
    authors = [factories.make_author() for _ in range(2)]
    for _ in range(n_articles):
        factories.make_article(
            facts=n_items,
            answers=n_items,
            faqs=n_items,
            corrections=n_items,
            topics=topics,
            authors=authors,
        )


@pytest.mark.parametrize("n_articles,n_items", [(2, 1), (25, 6)])
def test_list_query_count_is_fixed(api, django_assert_num_queries, n_articles, n_items):
    _populate(n_articles, n_items)

    # count, page, authors, topics, all annotations and corrections (one UNION)
    with django_assert_num_queries(5):
        response = api.get(LIST)
    assert len(response.json()["results"]) == min(n_articles, 20)
    assert len(response.json()["results"][0]["faqs"]) == n_items


@pytest.mark.parametrize("n_items", [1, 12])
def test_detail_query_count_is_fixed(api, django_assert_num_queries, n_items):
    _populate(1, n_items)
    slug = Article.objects.get().slug

    with django_assert_num_queries(4):
        response = api.get(detail(slug))
    assert len(response.json()["key_facts"]) == n_items


@pytest.mark.parametrize("n_topics", [2, 30])
def test_topic_list_query_count_is_fixed(api, django_assert_num_queries, n_topics):
    for _ in range(n_topics):
        factories.make_topic()

    with django_assert_num_queries(2):
        api.get("/api/v1/topics/")


def test_comment_count_counts_only_comments_readers_see(api, article, reader):
    from comments.models import Comment

    Comment.objects.create(article=article, author=reader, body="Visible.")
    Comment.objects.create(
        article=article, author=reader, body="Held.", status="pending"
    )
    Comment.objects.create(
        article=article, author=reader, body="Hidden.", status="hidden"
    )

    assert api.get(f"/api/v1/articles/{article.slug}/").json()["comment_count"] == 1
    assert api.get(LIST).json()["results"][0]["comment_count"] == 1


def test_datetime_filters_take_any_valid_offset(api, article):
    """PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python accept."""
    response = api.get(LIST, {"published_before": "2020-01-22T11:50:07+18:41"})

    assert response.status_code == 200
    assert response.json()["results"] == []
    early = api.get(LIST, {"published_after": "0001-01-01T00:00:00+14:00"})
    assert early.status_code == 400
    assert list(early.json()["error"]["fields"]) == ["published_after"]
