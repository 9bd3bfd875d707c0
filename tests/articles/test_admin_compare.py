"""The revision compare page (articles/admin/compare.py), read as an editor reads it."""

import re

import pytest
import reversion
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from articles import publishing
from articles.models import FAQ, Article, Correction, KeyFact, QuickAnswer
from tests.factories import make_article, make_topic
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def saved_as_revision(change=None, **fields):
    """Make an article in one revision; apply `change(article)` in a second one."""
    with reversion.create_revision():
        article = make_article(**fields)
    if change is not None:
        with reversion.create_revision():
            change(article)
            # As the admin does, whichever rows the change touched; read afresh, as
            # `article` may hold annotations prefetched before the change.
            reversion.add_to_revision(Article.objects.get(pk=article.pk))
    return article


def compare_page(client, article):
    """The main part of the compare page for the article's first two versions."""
    first, second = Version.objects.get_for_object(article).order_by("pk")[:2]
    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div id="content-main">') : html.index("</blockquote>")]


def test_compare_names_fields_and_annotation_lists_as_editors_know_them(
    editor_client,
):
    def change(article):
        article.body = "Paragraph one, rewritten."
        article.save()
        article.topics.add(make_topic("Climate"))
        fact = article.key_facts.get()
        fact.text = "A changed fact."
        fact.save()
        answer = QuickAnswer.objects.get(article=article)
        answer.answer = "Yes, now."
        answer.save()
        FAQ.objects.create(
            article=article, position=1, question="Why now?", answer="Because."
        )
        Correction.objects.create(article=article, note="We misstated the height.")

    article = saved_as_revision(change, facts=1, answers=1, faqs=1)
    html = compare_page(editor_client, article)

    for label in (
        "Body",
        "Topics",
        "Key Facts",
        "Quick Answers",
        "FAQ",
        "Corrections and updates",
    ):
        assert f"<h3>{label}</h3>" in html
    for code_name in ("key_facts", "quick_answers", "faqs", "corrections<"):
        assert code_name not in html
    assert "<ins>Climate</ins>" in html
    assert "<ins>Why now?</ins>" in html and "<ins>Because.</ins>" in html
    # A correction is shown with its text, not only its kind and date.
    assert "<ins>We misstated the height.</ins>" in html


def test_compare_shows_both_texts_in_full_with_only_the_changed_words_marked(
    editor_client,
):
    def change(article):
        article.body = "The river rose twelve feet overnight.\n\nThen it <b>fell</b>."
        article.save()

    article = saved_as_revision(
        change, body="The river rose ten feet overnight.\n\nThen it <b>fell</b>."
    )
    html = compare_page(editor_client, article)

    assert "The river rose <del>ten</del> feet overnight." in html
    assert "The river rose <ins>twelve</ins> feet overnight." in html
    # Text is escaped, never taken for markup.
    assert html.count("Then it &lt;b&gt;fell&lt;/b&gt;.") == 2
    assert "<b>fell</b>" not in html


def test_compare_marks_words_in_annotations_and_joins_neighbouring_changes(
    editor_client,
):
    def change(article):
        KeyFact.objects.filter(article=article).update(text="Twelve million euros.")

    article = saved_as_revision(change, facts=1)
    html = compare_page(editor_client, article)

    assert "Changed: Fact 0" in text_of(html)
    assert "<del>Fact text 0</del>." in html
    assert "<ins>Twelve million euros</ins>." in html


def test_compare_leaves_out_housekeeping_and_empty_values(editor_client, editor):
    def change(article):
        article.dek = "A new dek."
        article.save()

    for fields in ({}, {"created_by": editor}):
        article = saved_as_revision(change, **fields)
        html = compare_page(editor_client, article)

        assert "<h3>Dek</h3>" in html
        assert html.count("<h3>") == 1
        for noise in (
            "created",
            "Created",
            "updated",
            "Updated",
            "None",
            "body_html",
            "search_document",
            "_html",
        ):
            assert noise not in html, noise


def test_compare_shows_a_new_order_not_renumbered_positions(editor_client):
    def change(article):
        first, second, third = article.key_facts.order_by("position")
        # Swap the first two through a free position, then drop the third.
        KeyFact.objects.filter(pk=first.pk).update(position=9)
        KeyFact.objects.filter(pk=second.pk).update(position=0)
        KeyFact.objects.filter(pk=first.pk).update(position=1)
        third.delete()

    article = saved_as_revision(change, facts=3)
    html = compare_page(editor_client, article)

    assert "Reordered" in html
    assert "Position" not in html
    assert "Removed: Fact 2" in text_of(html)
    assert "<del>Fact text 2.</del>" in html


def test_empty_value_is_shown_as_empty(editor_client):
    def change(article):
        article.source_title = "The report"
        article.save()

    article = saved_as_revision(change)
    html = compare_page(editor_client, article)

    assert "(empty)" in text_of(html)
    assert "<ins>The report</ins>" in html


# ---- Claims' sources -----------------------------------------------------------


def published_with_fact_sources(editor, *versions):
    """An explainer with two Key Facts, published once per item of `versions`: each
    a list of sources for the first fact, given as (url, title, publisher)."""
    article = make_article(facts=2)
    for sources in versions:
        state = publishing.explainer_state(article)
        state["key_facts"][0]["sources"] = [
            {"url": url, "title": title, "publisher": publisher}
            for url, title, publisher in sources
        ]
        publishing.explainer_publish(article=article, user=editor, state=state)
    return article


def test_compare_shows_a_source_added_to_a_key_fact_as_a_change_of_that_fact(
    editor_client, editor
):
    article = published_with_fact_sources(
        editor, [], [("https://example.org/budget", "Budget tables", "Statistics")]
    )
    html = compare_page(editor_client, article)

    assert "<h3>Key Facts</h3>" in html
    # Only its sources changed, and the fact is listed as changed all the same.
    assert "Changed: Fact 0 Sources Before(empty) After" in text_of(html)
    assert (
        "<ins>Budget tables, Statistics &lt;https://example.org/budget&gt;</ins>"
        in html
    )
    assert "Fact 1" not in html


def test_compare_marks_the_changed_words_of_an_edited_source(editor_client, editor):
    article = published_with_fact_sources(
        editor,
        [("https://example.org/a", "Original report", "Agency")],
        [("https://example.org/a", "Revised report", "Agency")],
    )
    html = compare_page(editor_client, article)

    assert "Changed: Fact 0 Sources" in text_of(html)
    assert "<del>Original</del> report, Agency &lt;https://example.org/a&gt;" in html
    assert "<ins>Revised</ins> report, Agency &lt;https://example.org/a&gt;" in html


def test_compare_shows_a_removed_source_as_removed(editor_client, editor):
    article = published_with_fact_sources(
        editor,
        [
            ("https://example.org/a", "Kept report", ""),
            ("https://example.org/b", "Dropped report", "Agency"),
        ],
        [("https://example.org/a", "Kept report", "")],
    )
    html = compare_page(editor_client, article)

    assert "Changed: Fact 0 Sources" in text_of(html)
    dropped = "Dropped report, Agency &lt;https://example.org/b&gt;"
    assert re.search(rf"<del>\s*{re.escape(dropped)}</del>", html)
    assert html.count("Kept report &lt;https://example.org/a&gt;") == 2


def test_compare_shows_the_sources_of_added_and_removed_facts(editor_client, editor):
    article = published_with_fact_sources(
        editor, [("https://example.org/old", "Old fact's source", "")]
    )
    state = publishing.explainer_state(article)
    state["key_facts"] = [
        *state["key_facts"][1:],
        {
            "label": "New fact",
            "text": "A new fact.",
            "sources": [{"url": "https://example.org/new", "title": "New source"}],
        },
    ]
    publishing.explainer_publish(article=article, user=editor, state=state)
    html = compare_page(editor_client, article)

    text = text_of(html)
    assert "Added: New fact" in text and "Removed: Fact 0" in text
    assert "<ins>New source &lt;https://example.org/new&gt;</ins>" in html
    assert "<del>Old fact&#x27;s source &lt;https://example.org/old&gt;</del>" in html


def test_compare_reads_sources_without_a_query_per_fact(editor_client, editor):
    def compare_cost(facts):
        article = make_article(facts=facts)
        for title in ("First", "Second"):
            state = publishing.explainer_state(article)
            for row in state["key_facts"]:
                row["sources"] = [{"url": "https://example.org/", "title": title}]
            publishing.explainer_publish(article=article, user=editor, state=state)
        with CaptureQueriesContext(connection) as queries:
            html = compare_page(editor_client, article)
        assert html.count("<ins>Second</ins>") == facts
        return len(queries)

    assert compare_cost(1) == compare_cost(4)
