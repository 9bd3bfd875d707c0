"""A reader discusses a Key Fact in Chromium: from the explainer to the fact's page,
a comment posted there, and back in the thread with its quote; axe on each page."""

import re

import pytest
from django.test import Client

from comments import services
from comments.models import Comment
from tests.factories import make_article, make_reader

pytestmark = pytest.mark.browser


def serious_violations(page, context=None):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def signed_in_page(browser, live_server):
    """A page in its own browser context, signed in as a new verified reader."""
    client = Client()
    client.force_login(make_reader(display_name="Maya Ferry"))
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_reader_discusses_a_fact_and_finds_it_in_the_thread(
    live_server, signed_in_page
):
    page = signed_in_page
    article = make_article(title="Why the ferry fares went up", facts=2, faqs=1)
    fact = article.key_facts.first()
    # Someone got there first, with a reply: the page shows a real conversation.
    earlier = services.comment_post(
        article=article,
        author=make_reader(display_name="Ben Early"),
        body="The fuel surcharge explains most of it.",
        annotation=fact.anchor,
    )
    services.comment_post(
        article=article,
        author=make_reader(display_name="Cleo Reply"),
        body="Not the winter timetable, though.",
        parent=earlier,
    )

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.get_by_role("link", name=re.compile(r"^Discuss this fact\W+Fact 0$")).click()
    page.wait_for_url(f"**/facts/{fact.anchor}/#comments")
    heading = page.locator("#comments-title")
    assert " ".join(heading.inner_text().split()) == "Comments on this key fact 2"
    assert serious_violations(page) == []

    page.get_by_label("Your comment").fill("And the new harbour dues on top.")
    page.get_by_role("button", name="Post comment").click()
    new = page.locator(".comment-list .comment").filter(
        has_text="And the new harbour dues on top."
    )
    new.wait_for()
    comment = Comment.objects.get(body="And the new harbour dues on top.")
    assert comment.annotation_anchor == fact.anchor

    page.reload()
    assert page.locator(f"#comment-{comment.pk}").is_visible()
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    count = page.locator(f"#{fact.anchor} .annotation-comments")
    assert count.inner_text() == "3 comments"
    quote = page.locator(f"#comment-{comment.pk} .comment-quote")
    assert "Fact 0: Fact text 0." in quote.inner_text()
    assert serious_violations(page) == []
