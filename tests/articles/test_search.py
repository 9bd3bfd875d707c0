"""The reader search page and the search entry point the API shares.

Runs on whichever database DATABASE_URL names; the PostgreSQL-only tests check
what only full-text search does (stemming, websearch syntax, ts_rank, ts_headline)
and the fallback-only test what SQLite does instead.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import FAQ, Article, KeyFact, QuickAnswer
from articles.services import article_changed
from tests.factories import make_article, make_topic

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)
on_fallback = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the non-PostgreSQL fallback only"
)


def result_titles(response):
    """Titles of the result list, in order."""
    html = response.content.decode()
    items = re.findall(r'<li class="search-result">.*?</li>', html, re.S)
    return [re.search(r"<h2><a [^>]*>(.*?)</a>", item).group(1) for item in items]


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


def test_empty_query_shows_the_form_and_a_hint_but_no_results(client):
    make_article(title="Quokka census")
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.templates[0].name == "articles/search.html"
    html = response.content.decode()
    assert '<label for="search-q">' in html and 'id="search-q"' in html
    assert 'aria-describedby="search-hint"' in html and 'id="search-hint"' in html
    assert "Searches titles, stories, key facts, answers and FAQs." in html
    assert "search-results" not in html and "No explainers match" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert search(client, "   ").content.decode().count("search-result") == 0


def add_fact(article, text, label="Detail"):
    KeyFact.objects.create(article=article, position=9, label=label, text=text)
    article_changed(article)


def _annotated(word, kind):
    article = make_article(title="Harbour news")
    if kind == "fact label":
        KeyFact.objects.create(article=article, label=f"{word} route", text="Daily.")
    elif kind == "fact text":
        KeyFact.objects.create(article=article, label="Route", text=f"The {word} runs.")
    elif kind == "quick answer":
        QuickAnswer.objects.create(
            article=article, question="Running?", answer=f"No, the {word} is not."
        )
    elif kind == "faq question":
        FAQ.objects.create(article=article, question=f"What is {word}?", answer="A.")
    elif kind == "faq answer":
        FAQ.objects.create(article=article, question="Where?", answer=f"*{word}* bay.")
    article_changed(article)
    return article


WHERE = {
    "title": lambda w: make_article(title=f"The {w} ferry"),
    "dek": lambda w: make_article(dek=f"Why the {w} ferry stopped."),
    "body": lambda w: make_article(body=f"## Story\n\nThe **{w}** ferry stopped."),
    "background": lambda w: make_article(background=f"The _{w}_ route opened."),
    **{
        kind: (lambda w, kind=kind: _annotated(w, kind))
        for kind in [
            "fact label",
            "fact text",
            "quick answer",
            "faq question",
            "faq answer",
        ]
    },
}


@pytest.mark.parametrize("where", WHERE)
def test_finds_published_explainers_by_any_of_their_text(client, where):
    article = WHERE[where]("zanzibari")
    make_article(title="Unrelated story")

    response = search(client, "ZANZIBARI")

    assert response.status_code == 200
    assert result_titles(response) == [article.title]
    assert f'href="{article.get_absolute_url()}"' in response.content.decode()


def test_every_word_of_the_query_must_match(client):
    both = make_article(title="Harbour tolls", body="Tolls rise at the harbour.")
    make_article(title="Harbour lights", body="The lighthouse is repainted.")
    assert result_titles(search(client, "harbour tolls")) == [both.title]


@pytest.mark.parametrize("client_fixture", ["client", "editor_client"])
def test_unpublished_explainers_never_appear_even_by_annotation_text(
    request, client_fixture
):
    client = request.getfixturevalue(client_fixture)
    hidden = [
        make_article(title="Quokka draft", status=Article.Status.DRAFT),
        make_article(title="Quokka review", status=Article.Status.REVIEW),
        make_article(title="Quokka archive", status=Article.Status.ARCHIVED),
        make_article(
            title="Quokka scheduled", publish_at=timezone.now() + timedelta(hours=3)
        ),
    ]
    for article in hidden:
        add_fact(article, "The wallaby count doubled.")
    visible = make_article(title="Quokka published")

    assert result_titles(search(client, "quokka")) == [visible.title]
    response = search(client, "wallaby")
    assert result_titles(response) == []
    assert "No explainers match" in response.content.decode()


def test_scheduled_explainer_becomes_searchable_at_its_time(client):
    start = timezone.now()
    article = make_article(title="Lunar eclipse", publish_at=start + timedelta(hours=2))
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert result_titles(search(client, "eclipse")) == []
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        assert result_titles(search(client, "eclipse")) == [article.title]


def test_a_title_match_ranks_above_a_body_only_match(client):
    now = timezone.now()
    in_title = make_article(
        title="Glacier retreat explained", publish_at=now - timedelta(days=3)
    )
    in_body = make_article(
        title="Alpine summer",
        body="The glacier shrank again.",
        publish_at=now - timedelta(hours=1),
    )
    assert result_titles(search(client, "glacier")) == [in_title.title, in_body.title]


def snippets(response):
    return re.findall(r'<p class="snippet">(.*?)</p>', response.content.decode(), re.S)


def test_snippet_highlights_the_term_and_escapes_text_that_looks_like_html(client):
    article = make_article(
        title="Markup in the wild",
        body=(
            "Writers type `<b>bold</b>` for the platypus count: 3 < 5 & rising.\n\n"
            "<script>alert('body')</script>"
        ),
    )
    add_fact(article, '<img src=x onerror="alert(1)"> platypus sightings rose.')

    response = search(client, "platypus")

    [snippet] = snippets(response)
    assert "<mark>platypus</mark>" in snippet
    assert "3 &lt; 5 &amp; rising" in snippet
    if connection.vendor != "postgresql":  # ts_headline drops tag-like words
        assert "&lt;b&gt;bold&lt;/b&gt;" in snippet
    tags = set(re.findall(r"</?([a-z]+)", snippet))
    assert tags == {"mark"}
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_no_match_says_so_and_suggests_topics_with_published_explainers(client):
    used = make_topic("Climate")
    make_topic("Empty topic")
    drafts_only = make_topic("Secret topic")
    make_article(title="Heatwave", topics=[used])
    make_article(status=Article.Status.DRAFT, topics=[drafts_only])

    response = search(client, "xyzzyplugh")

    assert response.status_code == 200
    html = response.content.decode()
    assert "No explainers match “xyzzyplugh”" in html
    assert f'href="{used.get_absolute_url()}"' in html
    assert "Empty topic" not in html and "Secret topic" not in html


def test_a_very_long_query_is_cut_to_200_characters(client):
    make_article(title="Quokka census")
    response = search(client, "quokka " + "census " * 300)
    assert response.status_code == 200
    value = re.search(r'name="q" value="([^"]*)"', response.content.decode()).group(1)
    assert value.startswith("quokka census") and len(value) <= 200
    assert result_titles(response) == ["Quokka census"]


@pytest.mark.parametrize(
    "query",
    [
        *['"', '"unclosed phrase', "-", "or", "OR OR", "!!", ":*", "(", "a & b | !c"],
        *["\x00quokka", "<script>", "' OR 1=1 --", "\\", "%_%", "日本語"],
    ],
)
def test_odd_queries_never_raise(client, query):
    make_article(title="Quokka census")
    response = search(client, query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_results_are_paginated_and_bad_page_numbers_are_forgiven(client):
    for n in range(12):
        make_article(title=f"Wombat report {n}")
    first = search(client, "wombat")
    assert len(result_titles(first)) == 10
    assert "12 explainers match" in first.content.decode()
    assert 'rel="next" href="?q=wombat&amp;page=2"' in first.content.decode()
    assert len(result_titles(search(client, "wombat", page=2))) == 2
    assert len(result_titles(search(client, "wombat", page="nope"))) == 10
    assert len(result_titles(search(client, "wombat", page=99))) == 2


@pytest.mark.parametrize("matches", [3, 12])
def test_search_page_query_count_does_not_grow(
    client, django_assert_num_queries, matches
):
    topic = make_topic()
    for n in range(matches):
        make_article(title=f"Echidna {n}", facts=3, faqs=2, topics=[topic])
    with django_assert_num_queries(2):  # count, one page of results
        response = search(client, "echidna")
    assert len(result_titles(response)) == min(matches, 10)


def test_search_document_follows_annotation_edits(client):
    article = make_article(title="Bridge works")
    add_fact(article, "The span is made of basalt.")
    assert result_titles(search(client, "basalt")) == [article.title]
    fact = article.key_facts.get()
    fact.text = "The span is made of granite."
    fact.save()
    article_changed(article)
    assert result_titles(search(client, "basalt")) == []
    assert result_titles(search(client, "granite")) == [article.title]


def test_queryset_search_gives_rank_and_snippet_for_other_channels():
    make_article(title="Kelp forests", body="Kelp forests grow fast.")
    make_article(title="Coral", body="Reefs and kelp.", status=Article.Status.DRAFT)
    results = list(Article.objects.published().search("kelp"))
    assert [a.title for a in results] == ["Kelp forests"]
    assert isinstance(results[0].rank, float) and results[0].rank > 0
    assert "<mark>Kelp</mark>" in results[0].snippet
    assert not Article.objects.published().search("  ").exists()


@on_postgres
def test_postgres_search_stems_words_and_weights_fields():
    in_title = make_article(title="Elections in spring", body="A vote.")
    in_body = make_article(title="Spring", body="Two elected mayors.")
    in_fact = make_article(title="Budget", body="Money.")
    add_fact(in_fact, "The election date moved.")

    results = list(Article.objects.published().search("election"))

    assert [a.pk for a in results] == [in_title.pk, in_fact.pk, in_body.pk]
    assert results[0].rank > results[1].rank > results[2].rank > 0
    assert "<mark>elected</mark>" in results[2].snippet


def test_quoted_phrases_and_minus_words_narrow_the_search(client):
    phrase = make_article(title="Tidal power", body="The tidal barrage opens.")
    make_article(title="Tidal flats", body="Barrage of criticism; tidal mud.")
    assert result_titles(search(client, '"tidal barrage"')) == [phrase.title]
    assert result_titles(search(client, "tidal -mud")) == [phrase.title]


@on_postgres
def test_postgres_search_accepts_or_and_indexes_every_published_article():
    power = make_article(title="Tidal power")
    flats = make_article(title="Mud flats")
    results = Article.objects.published().search("power or flats")
    assert {a.pk for a in results} == {power.pk, flats.pk}
    assert not Article.objects.filter(search_vector__isnull=True).exists()


@on_fallback
def test_fallback_search_matches_substrings_and_marks_them():
    article = make_article(title="Rainfall", body="Record rainfall totals in May.")
    [result] = Article.objects.published().search("RAINFALL totals")
    assert result.pk == article.pk and result.rank == 1.0
    assert "<mark>rainfall</mark> <mark>totals</mark>" in result.snippet
