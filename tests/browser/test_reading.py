"""A reader's path through the site in headless Chromium, with axe-core checks."""

from pathlib import Path

import pytest

from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.browser


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

BODY = """\
## What was decided

The city council approved a rent cap of 3% a year for the next five years,
after a debate that ran past midnight.[^vote] Landlords' groups say they will
challenge the decision in court.

## Who is covered

Every tenancy that started before January, which is most of the city's rented
homes.[^count] New buildings are exempt for their first ten years, a carve-out
that developers had asked for.

## What happens next

The cap takes effect in the spring. Tenants who were already told of a larger
rise will get a corrected notice.

[^vote]: Seven votes to four, with one abstention.
[^count]: About 212,000 homes, according to the city's housing office.
"""


@pytest.fixture
def explainer(db):
    housing = make_topic("Housing", description="Homes, rents and planning.")
    make_topic("Transport")
    author = make_author("Ana Ruiz", bio="Covers housing and city hall.")
    for n in range(3):
        make_article(
            title=f"Earlier housing story {n + 1}",
            topics=[housing],
            authors=[author],
            facts=2,
        )
    return make_article(
        title="What the new rent cap means for tenants",
        dek="The council capped rent rises at 3% a year. Here is who it covers and when.",
        body=BODY,
        background="Rents rose 11% last year, the fastest in a decade.",
        facts=3,
        answers=2,
        faqs=3,
        corrections=1,
        topics=[housing],
        authors=[author],
        source_url="https://example.org/council/rent-cap",
        source_title="Council minutes, rent cap vote",
        source_publisher="City Council",
    )


def assert_no_serious_violations(page, name):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    for violation in serious:
        print(name, violation["id"], violation["impact"], violation["help"])
        for node in violation["nodes"]:
            print("   ", node["target"], node.get("failureSummary", ""))
    assert serious == [], f"{name}: {[v['id'] for v in serious]}"


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_reader_goes_from_home_to_an_explainer_and_follows_its_links(
    live_server, explainer, browser
):
    page = browser.new_page(viewport=DESKTOP)

    page.goto(f"{live_server.url}/")
    assert_no_serious_violations(page, "home")
    screenshot(page, "home-desktop")
    page.get_by_role("link", name=explainer.title).click()
    page.wait_for_url(f"**{explainer.get_absolute_url()}")
    assert page.locator("h1").inner_text() == explainer.title

    # A Key Fact permalink puts the fact's anchor in the address and marks it.
    fact = explainer.key_facts.first()
    page.locator(f'a.permalink[href="#{fact.anchor}"]').click()
    assert page.url.endswith(f"#{fact.anchor}")
    assert page.evaluate("document.querySelector(':target').id") == fact.anchor

    # Following an FAQ link opens that entry; so does changing the fragment.
    faqs = list(explainer.faqs.all())
    page.goto(f"{live_server.url}{faqs[1].get_absolute_url()}")
    assert page.locator(f"#{faqs[1].anchor}").get_attribute("open") is not None
    assert page.locator(f"#{faqs[2].anchor}").get_attribute("open") is None
    page.evaluate(f"location.hash = '#{faqs[2].anchor}'")
    page.wait_for_function(f"document.getElementById('{faqs[2].anchor}').open === true")

    # Wide screens show footnotes as side notes beside the text.
    assert page.locator(".sidenote").count() == 2
    assert page.locator(".sidenote").first.is_visible()
    assert_no_serious_violations(page, "article")
    page.goto(f"{live_server.url}{explainer.get_absolute_url()}")
    screenshot(page, "article-desktop")

    page.get_by_role("link", name="Housing").first.click()
    page.wait_for_url("**/topics/housing/")
    assert_no_serious_violations(page, "topic")
    screenshot(page, "topic-desktop")

    # Search finds the explainer and marks the matched word in its snippet.
    page.goto(f"{live_server.url}/search/?q=tenants")
    result = page.get_by_role("link", name=explainer.title)
    assert result.is_visible()
    assert page.locator("mark").first.inner_text().lower() == "tenants"
    assert_no_serious_violations(page, "search")
    screenshot(page, "search-desktop")
    page.close()


def test_phone_layout_keeps_footnotes_as_a_list_and_passes_axe(
    live_server, explainer, browser
):
    page = browser.new_page(viewport=PHONE)

    page.goto(f"{live_server.url}{explainer.get_absolute_url()}")
    assert not page.locator(".sidenote").first.is_visible()
    assert page.locator(".footnote li").first.is_visible()
    # Nothing sticks out sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_violations(page, "article (phone)")
    screenshot(page, "article-phone")

    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "home-phone")

    # The narrowest phones we design for.
    page.set_viewport_size({"width": 360, "height": 740})
    for url in ("/", explainer.get_absolute_url(), "/topics/housing/"):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    page.close()


def test_dark_mode_passes_axe(live_server, explainer, browser):
    page = browser.new_page(viewport=DESKTOP, color_scheme="dark")

    page.goto(
        f"{live_server.url}{explainer.get_absolute_url()}#{explainer.faqs.first().anchor}"
    )
    assert_no_serious_violations(page, "article (dark)")
    screenshot(page, "article-desktop-dark")
    page.close()
