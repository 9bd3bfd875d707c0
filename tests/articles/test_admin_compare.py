"""The revision compare page (articles/admin/compare.py), read as an editor reads it."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

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
