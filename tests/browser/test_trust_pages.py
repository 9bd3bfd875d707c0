"""The pages readers use to check a story pass axe, light and dark, wide and narrow:
an explainer with claim sources, a shared fact's own page, the change history and
the corrections list."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import KeyFact, KeyFactSource, QuickAnswerSource
from tests.browser.test_reading import assert_no_serious_violations
from tests.factories import make_article, make_topic

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 375, "height": 740})


@pytest.fixture
def checked_story(db, editor):
    topic = make_topic("Water")
    story = make_article(
        title="Why the reservoir is low",
        facts=2,
        answers=1,
        corrections=1,
        topics=[topic],
        source_url="https://example.org/water-board/report",
        source_title="Reservoir levels, weekly report",
        source_publisher="Water Board",
    )
    fact = story.key_facts.first()
    KeyFactSource.objects.create(
        annotation=fact,
        url="https://example.org/rainfall",
        title="Rainfall statistics",
        publisher="Weather Office",
        quote="The driest spring since records began.",
    )
    QuickAnswerSource.objects.create(
        annotation=story.quick_answers.first(),
        url="https://example.org/usage",
        title="Household water use",
    )
    # The same fact in a second published explainer.
    other = make_article(title="What a hosepipe ban means")
    KeyFact.objects.create(
        article=other, position=0, uid=fact.uid, label=fact.label, text=fact.text
    )
    # A published edit, so the change history has a diff to show.
    services.article_save(
        user=editor,
        article=story,
        fields={"dek": "Reservoirs are at their lowest level in twenty years."},
        comment="Updated the summary.",
    )
    return story, fact


def test_trust_pages_pass_axe(live_server, checked_story, browser):
    story, fact = checked_story
    urls = {
        "explainer with sources": story.get_absolute_url(),
        "fact page": reverse(
            "articles:annotation",
            kwargs={"slug": story.slug, "kind": "facts", "anchor": fact.anchor},
        ),
        "change history": reverse("articles:changes", kwargs={"slug": story.slug}),
        "corrections": reverse("articles:corrections"),
    }
    for scheme in ("light", "dark"):
        for size in SIZES:
            page = browser.new_page(viewport=size, color_scheme=scheme)
            for name, url in urls.items():
                page.goto(f"{live_server.url}{url}")
                assert page.locator("h1").count() == 1, name
                label = f"{name} ({scheme}, {size['width']} px)"
                assert_no_serious_violations(page, label)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= size["width"], label
            page.close()
    # What each page is for is there to check.
    page = browser.new_page()
    page.goto(f"{live_server.url}{urls['fact page']}")
    assert page.get_by_text("Rainfall statistics").first.is_visible()
    assert page.get_by_role("link", name="What a hosepipe ban means").is_visible()
    page.close()
