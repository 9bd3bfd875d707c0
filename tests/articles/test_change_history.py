"""The public change history at /explainers/<slug>/changes/."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def changes_url(article):
    return reverse("articles:changes", kwargs={"slug": article.slug})


def published_through_the_desk(editor, **fields):
    """A draft with a fact and an FAQ entry, published by `editor`."""
    draft = make_article(status=Article.Status.DRAFT, facts=1, faqs=1, **fields)
    return publishing.explainer_publish(article=draft, user=editor)


def edit_live(article, editor, *, publish=True, note=None, **changes):
    """Change a live explainer's working copy, then publish it unless told not to."""
    state = publishing.current_state(article)
    for name, value in changes.items():
        if name in state["fields"]:
            state["fields"][name] = value
        else:
            state[name] = value(state[name])
    if note:
        state["corrections"] = [
            *state["corrections"],
            {"kind": "correction", "note": note},
        ]
    publishing.explainer_save(article=article, state=state, user=editor)
    if publish:
        article = publishing.explainer_publish(article=article, user=editor)
    return Article.objects.get(pk=article.pk)


def page(article):
    response = Client().get(changes_url(article))
    assert response.status_code == 200
    return response.content.decode()


def test_each_published_version_shows_newest_first_with_its_changed_words(editor):
    article = published_through_the_desk(editor, dek="The vote is on Sunday.")
    article = edit_live(article, editor, dek="The vote is on Monday.")

    def reword(facts):
        return [{**facts[0], "text": "A sharper fact."}]

    article = edit_live(
        article, editor, note="We had the wrong polling day.", key_facts=reword
    )

    html = page(article)
    assert html.index("Version 3") < html.index("Version 2") < html.index("Version 1")
    assert "<del>Sunday</del>" in html and "<ins>Monday</ins>" in html
    assert "We had the wrong polling day." in html
    assert (
        "Key facts" in html and "Edited" in html and "<ins>A sharper fact</ins>" in html
    )


def test_added_and_removed_annotations_are_marked(editor):
    article = published_through_the_desk(editor)

    def replace(faqs):
        return [{"question": "Who can vote?", "answer": "Every resident."}]

    html = page(edit_live(article, editor, faqs=replace))
    assert "Added" in html and "<ins>Who can vote?</ins>" in html
    assert "Removed" in html and "<del>FAQ 0?</del>" in html


def test_an_unpublished_working_copy_and_drafts_never_show(editor):
    draft = make_article(status=Article.Status.DRAFT)
    publishing.explainer_save(
        article=draft, state=publishing.current_state(draft), user=editor
    )
    assert Client().get(changes_url(draft)).status_code == 404

    article = published_through_the_desk(editor, dek="Public words.")
    edit_live(article, editor, publish=False, dek="Secret words in the copy.")
    html = page(article)
    assert "Secret words" not in html
    assert "Version 2" not in html and "Version 1" in html


def test_the_unpublished_period_never_shows_and_a_republish_is_a_new_version(
    editor,
):
    article = published_through_the_desk(editor, dek="First words.")
    article = publishing.explainer_unpublish(article=article, user=editor)
    assert Client().get(changes_url(article)).status_code == 404
    publishing.explainer_save(
        article=article,
        state={
            **publishing.current_state(article),
            "fields": {
                **publishing.current_state(article)["fields"],
                "dek": "Draft words while it was down.",
            },
        },
        user=editor,
    )
    article = Article.objects.get(pk=article.pk)
    state = publishing.current_state(article)
    state["fields"]["dek"] = "Words on its return."
    article = publishing.explainer_publish(article=article, user=editor, state=state)

    html = page(article)
    assert "Draft words" not in html
    assert "Version 2: published" in html and "Version 3" not in html
    assert "<del>First words</del>" in html and "<ins>Words on its return</ins>" in html


def test_a_scheduled_version_replaced_before_its_time_never_shows(editor):
    article = published_through_the_desk(editor)
    later = timezone.now() + timedelta(days=1)
    publishing.explainer_publish(
        article=article, user=editor, publish_at=later, state=None
    )
    assert "Version 2" not in page(article)


def test_a_scheduled_explainer_shows_from_its_publish_time(editor):
    draft = make_article(status=Article.Status.DRAFT)
    due = timezone.now() + timedelta(hours=1)
    publishing.explainer_publish(article=draft, user=editor, publish_at=due)
    assert Client().get(changes_url(draft)).status_code == 404

    with time_machine.travel(due + timedelta(minutes=5)):
        html = page(draft)
    assert "Version 1: published" in html
    assert f'datetime="{due:%Y-%m-%dT%H:%M:%S}' in html


def test_a_schedule_withdrawn_before_its_time_never_shows(editor):
    draft = make_article(status=Article.Status.DRAFT, dek="Never seen.")
    due = timezone.now() + timedelta(hours=1)
    article = publishing.explainer_publish(article=draft, user=editor, publish_at=due)
    publishing.explainer_unpublish(article=article, user=editor)
    article = publishing.explainer_publish(
        article=Article.objects.get(pk=article.pk), user=editor
    )

    html = page(article)
    assert "Version 1: published" in html and "Version 2" not in html


def test_old_slug_redirects_and_unknown_slugs_are_404(editor):
    article = published_through_the_desk(editor)
    old = changes_url(article)
    edit_live(article, editor, slug="a-new-address")

    response = Client().get(old)
    assert response.status_code == 301
    assert response["Location"] == "/explainers/a-new-address/changes/"
    assert Client().get("/explainers/no-such-thing/changes/").status_code == 404


def test_the_updated_date_links_to_the_changes(editor):
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        article = published_through_the_desk(editor)
    article = edit_live(article, editor, dek="Later words.")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert f'href="{changes_url(article)}"' in html


def test_a_current_copy_gets_304(editor):
    article = published_through_the_desk(editor)
    first = Client().get(changes_url(article))
    again = Client().get(changes_url(article), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    edit_live(article, editor, dek="Something new.")
    fresh = Client().get(changes_url(article), HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200


def test_anonymous_page_is_cached_until_the_next_publish(editor, page_cache_on):
    article = published_through_the_desk(editor, dek="Before.")
    assert "Version 2" not in page(article)
    edit_live(article, editor, dek="After.")
    assert "Version 2" in page(article)


@pytest.mark.parametrize("edits", [1, 7])
def test_query_count_is_fixed(editor, edits, django_assert_num_queries):
    article = published_through_the_desk(editor)
    for n in range(edits):
        article = edit_live(article, editor, dek=f"Edit number {n}.")
    # The explainer, its versions, the rows they saved.
    with django_assert_num_queries(3):
        html = page(article)
    assert f"Version {edits + 1}" in html
