"""The staff preview of an explainer readers cannot see yet, and the admin's links to it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from tests.factories import make_article, make_user
from tests.helpers import change_url

pytestmark = pytest.mark.django_db


def annotations(article):
    return [
        *article.key_facts.all(),
        *article.quick_answers.all(),
        *article.faqs.all(),
        *article.corrections.all(),
    ]


def test_view_on_site_links_of_a_draft_lead_to_the_preview_at_each_row(
    editor_client,
):
    draft = make_article(
        status=Article.Status.DRAFT, facts=1, answers=1, faqs=1, corrections=1
    )
    preview = reverse("articles:preview", kwargs={"pk": draft.pk})

    html = editor_client.get(change_url(draft)).content.decode()

    assert draft.get_absolute_url() not in html
    for row in annotations(draft):
        anchor = row.get_absolute_url().partition("#")[2]
        assert f'href="{preview}#{anchor}">View on site</a>' in html
    page = editor_client.get(preview)
    assert page.status_code == 200
    for row in annotations(draft):
        anchor = row.get_absolute_url().partition("#")[2]
        assert f'id="{anchor}"' in page.content.decode()


def test_view_on_site_links_of_a_published_explainer_lead_to_the_public_page(
    editor_client, client
):
    live = make_article(facts=1, answers=1, faqs=1, corrections=1)

    html = editor_client.get(change_url(live)).content.decode()

    assert reverse("articles:preview", kwargs={"pk": live.pk}) + "#" not in html
    for row in annotations(live):
        assert f'href="{row.get_absolute_url()}">View on site</a>' in html
    assert client.get(live.get_absolute_url()).status_code == 200


def test_view_on_site_links_do_not_cost_a_query_per_row(editor_client):
    def queries_for(article):
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(change_url(article)).status_code == 200
        return len(queries)

    small = make_article(status=Article.Status.DRAFT, facts=1, corrections=1)
    large = make_article(status=Article.Status.DRAFT, facts=6, corrections=6)

    assert queries_for(large) == queries_for(small)


def test_preview_of_a_draft_offers_no_comment_form(editor_client):
    draft = make_article(status=Article.Status.DRAFT)
    post_url = reverse("comments:post", kwargs={"slug": draft.slug})

    html = editor_client.get(f"/preview/{draft.pk}/").content.decode()

    assert '<section id="comments"' in html
    assert "Comments open once the explainer is published." in html
    assert "comment-form" not in html and post_url not in html
    assert "Start the conversation" not in html


def test_preview_of_a_live_explainer_sends_comments_to_the_public_page(
    editor_client, client
):
    live = make_article()
    reader = make_user(display_name="Ada Reader")
    Comment.objects.create(article=live, author=reader, body="A first comment.")
    post_url = reverse("comments:post", kwargs={"slug": live.slug})

    html = editor_client.get(f"/preview/{live.pk}/").content.decode()

    assert "A first comment." in html
    assert "comment-form" not in html and post_url not in html
    assert f'<a href="{live.get_absolute_url()}#comments">' in html

    # Readers keep their form, with a reply box under the comment.
    client.force_login(reader)
    page = client.get(live.get_absolute_url()).content.decode()
    assert page.count(f'action="{post_url}"') == 2
