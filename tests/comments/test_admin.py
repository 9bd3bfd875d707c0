import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from comments import services
from comments.models import BannedWord, Comment, CommentBan, Flag
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def test_editor_group_can_moderate_and_writer_cannot():
    editor = factories.make_user(role="editor")
    writer = factories.make_user(role="writer")
    assert editor.has_perm("comments.moderate_comment")
    assert editor.has_perm("comments.change_comment")
    assert editor.has_perm("comments.add_bannedword")
    assert not writer.has_perm("comments.moderate_comment")
    assert Group.objects.get(name="Editor").permissions.filter(
        codename="moderate_comment"
    )


def test_queue_lists_pending_and_flagged_first(
    client, article, verified_reader, other_reader
):
    editor = factories.make_user(role="editor")
    calm = services.comment_post(article=article, author=verified_reader, body="Calm")
    flagged = services.comment_post(
        article=article, author=verified_reader, body="Flagged one"
    )
    for _ in range(3):
        services.comment_flag(comment=flagged, user=factories.make_reader())
    pending = services.comment_post(
        article=article,
        author=factories.make_reader(verified=False),
        body="Pending one",
    )
    client.force_login(editor)
    html = client.get(CHANGELIST).content.decode()
    positions = [html.index(text) for text in ("Pending one", "Flagged one", "Calm")]
    assert positions == sorted(positions)
    assert calm.pk and pending.pk
    assert (
        client.get(CHANGELIST, {"flagged": "yes"}).content.decode().count("Flagged one")
    )


def test_bulk_actions_moderate_comments(client, article, verified_reader, other_reader):
    editor = factories.make_user(role="editor")
    held = services.comment_post(
        article=article, author=factories.make_reader(verified=False), body="Let me in"
    )
    rude = services.comment_post(article=article, author=other_reader, body="Rude")
    client.force_login(editor)
    client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [held.pk]},
    )
    client.post(CHANGELIST, {"action": "remove", "_selected_action": [rude.pk]})
    client.post(CHANGELIST, {"action": "feature", "_selected_action": [held.pk]})
    held.refresh_from_db()
    rude.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED
    assert held.is_featured
    assert rude.status == Comment.Status.REMOVED
    client.post(CHANGELIST, {"action": "ban_authors", "_selected_action": [rude.pk]})
    assert CommentBan.objects.filter(user=other_reader).exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Let me in" in page
    assert "Rude" not in page


def test_moderation_actions_need_the_moderation_permission(
    client, article, verified_reader
):
    clerk = factories.make_user()
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_comment"),
        Permission.objects.get(codename="change_comment"),
    )
    comment = services.comment_post(article=article, author=verified_reader, body="Hey")
    client.force_login(clerk)
    html = client.get(CHANGELIST).content.decode()
    assert "Hey" in html
    assert 'value="approve"' not in html
    assert 'value="ban_authors"' not in html
    client.post(CHANGELIST, {"action": "hide", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_readers_and_writers_cannot_open_the_queue(client, verified_reader):
    client.force_login(verified_reader)
    assert client.get(CHANGELIST).status_code == 302
    client.force_login(factories.make_user(role="writer"))
    assert client.get(CHANGELIST).status_code == 403


def test_banned_words_and_bans_are_managed_in_admin(client, article):
    editor = factories.make_user(role="editor")
    client.force_login(editor)
    client.post(reverse("admin:comments_bannedword_add"), {"word": "  Spam  Link "})
    assert BannedWord.objects.get().word == "spam link"
    troll = factories.make_reader()
    client.post(
        reverse("admin:comments_commentban_add"), {"user": troll.pk, "reason": "x"}
    )
    ban = CommentBan.objects.get(user=troll)
    assert ban.banned_by == editor
    with pytest.raises(Exception, match="may no longer post comments"):
        services.comment_post(article=article, author=troll, body="Hello again")


def test_comment_change_page_shows_flags(client, article, verified_reader):
    editor = factories.make_user(role="editor")
    comment = services.comment_post(
        article=article, author=verified_reader, body="Fine"
    )
    services.comment_flag(
        comment=comment, user=factories.make_reader(), reason=Flag.Reason.SPAM
    )
    client.force_login(editor)
    html = client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()
    assert "Spam or advertising" in html


def test_blank_display_names_do_not_collide(client):
    admin = factories.make_user(role="superuser")
    first, second = factories.make_user(), factories.make_user()
    client.force_login(admin)
    for user in (first, second):
        response = client.post(
            reverse("admin:accounts_user_change", args=[user.pk]),
            {
                "username": user.username,
                "email": user.email,
                "display_name": "",
                "is_active": "on",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "00:00:00",
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.display_name is None
