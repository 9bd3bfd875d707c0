"""A new reader signs up, verifies their address, signs in and comments, in Chromium."""

import re

import pytest
from django.core import mail

from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.browser


PASSWORD = "river-lantern-quietly-917"


def serious_violations(page, context=None):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_reader_signs_up_verifies_signs_in_and_comments(live_server, browser_page):
    page = browser_page
    article = make_article(title="Why the ferry fares went up")
    article_url = f"{live_server.url}{article.get_absolute_url()}"

    page.goto(article_url)
    page.get_by_role("link", name="Sign in to leave a comment").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Create a reader account").click()
    assert serious_violations(page) == []

    page.get_by_label("Display name").fill("Maya Ferry")
    page.get_by_label("Email").fill("maya@example.org")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url())))

    link = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body
    )
    page.goto(f"{live_server.url}{link.group(1)}")
    page.get_by_role("button", name="Verify this address").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    page.goto(article_url)
    page.get_by_role("link", name="Sign in to leave a comment").click()
    page.get_by_label("Username or email").fill("maya@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url())))

    page.get_by_label("Your comment").fill("Thanks, the fare table made it clear.")
    page.get_by_role("button", name="Post comment").click()
    new = page.locator(".comment-list .comment").filter(
        has_text="Thanks, the fare table made it clear."
    )
    new.wait_for()
    assert new.locator(".comment-author").inner_text() == "Maya Ferry"
    assert page.locator("[data-comment-count]").inner_text() == "1"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.author.display_name == "Maya Ferry"

    page.reload()
    assert page.locator(f"#comment-{comment.pk}").is_visible()
    assert serious_violations(page, context="#comments") == []
