"""The comment card markup on the explainer page (articles/templatetags/comment_cards.py)."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.comments.conftest import make_reader

pytestmark = pytest.mark.django_db


def region(response):
    html = response.content.decode()
    start = html.index('<section id="comments"')
    return html[start : html.index("</section>", start)]


def test_card_shows_escaped_name_local_time_and_edited_and_featured_marks(
    client, article, editor
):
    author = make_reader(username="amy", display_name="Amy <b>& co</b>")
    comment = services.comment_post(article=article, author=author, body="Hi.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 3, 4, 9, 5, tzinfo=UTC), edited_at=timezone.now()
    )
    services.comment_moderate(comment=comment, moderator=editor, action="feature")

    page = region(client.get(article.get_absolute_url()))

    assert f'<li class="comment comment--featured" id="comment-{comment.pk}"' in page
    assert 'aria-label="Comment by Amy &lt;b&gt;&amp; co&lt;/b&gt;"' in page
    assert '<span class="comment-author">Amy &lt;b&gt;&amp; co&lt;/b&gt;</span>' in page
    assert '<time datetime="2026-03-04T09:05:00+00:00">4 Mar 2026, 09:05</time>' in page
    assert '<span class="badge badge--featured">Featured</span>' in page
    assert '<span class="comment-edited">edited</span>' in page
    assert "<b>" not in page.split('class="comment-body"')[0]


def test_pending_reply_is_marked_for_its_author_only(client, article, verified_reader):
    parent = services.comment_post(article=article, author=verified_reader, body="Top")
    other = make_reader(username="ben")
    reply = services.comment_post(
        article=article, author=other, body="Under review", parent=parent
    )
    Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.PENDING)

    anonymous = region(client.get(article.get_absolute_url()))
    client.force_login(other)
    own = region(client.get(article.get_absolute_url()))

    assert "Under review" not in anonymous
    assert '<ol class="comment-replies" data-comment-replies>' in own
    assert f'<li class="comment comment--pending" id="comment-{reply.pk}"' in own
    assert "Pending review" in own
