"""The Key Facts card in another site's page: the oEmbed height fits, the frame follows."""

import re
from pathlib import Path

import pytest

from articles.models import KeyFact
from tests.factories import make_article
from tests.helpers import EMBED_SPARE as SPARE
from tests.helpers import HostSite, card_metrics

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"

FACTS = [
    ("When", "Monday."),
    (
        "Why the clocks on the Moon run fast",
        "Weaker gravity makes time pass about 56 microseconds a day faster there "
        "than on Earth, which adds up to a navigation error of kilometres.",
    ),
    ("Who decides", "The International Astronomical Union, with NASA and ESA."),
    (
        "What changes for astronauts",
        "Nothing they would notice: the correction matters to satellites and "
        "landers that must agree on where they are to within a few metres, "
        "and to the radio links that carry their signals back home.",
    ),
    ("Cost", "Not yet known."),
]


@pytest.fixture
def explainer(db):
    article = make_article(
        title="Why the Moon needs its own time zone, and who will keep it",
        authors=(),
    )
    for position, (label, text) in enumerate(FACTS):
        KeyFact.objects.create(
            article=article, position=position, label=label, text=text
        )
    return article


def oembed(page, live_server, article, maxwidth):
    url = f"{live_server.url}{article.get_absolute_url()}"
    response = page.request.get(
        f"{live_server.url}/api/oembed/", params={"url": url, "maxwidth": maxwidth}
    )
    assert response.ok, response.text()
    return response.json()


@pytest.fixture
def host_site():
    site = HostSite()
    yield site
    site.server.shutdown()
    site.server.server_close()


def host_snippet(origin):
    """The listener docs/api.md gives hosts, pointed at the live server's origin."""
    snippets = re.findall(r"```js\n(.*?)```", DOCS.read_text(), re.DOTALL)
    (snippet,) = [s for s in snippets if "newsroom:embed-height" in s]
    assert "https://news.example" in snippet
    return snippet.replace("https://news.example", origin)


@pytest.mark.parametrize("maxwidth", [300, 480, 640])
def test_oembed_height_fits_the_card_without_clipping(
    browser_page, live_server, host_site, explainer, maxwidth
):
    data = oembed(browser_page, live_server, explainer, maxwidth)
    assert data["width"] == maxwidth

    frame = host_site.open(browser_page, data["html"])
    metrics = card_metrics(frame)

    assert metrics["viewport"] == data["height"]
    assert metrics["scroll"] <= data["height"], "the card is clipped"
    assert data["height"] - metrics["card"] <= SPARE, metrics


def test_card_posts_its_height_and_the_docs_snippet_resizes_the_frame(
    browser_page, live_server, host_site, explainer
):
    data = oembed(browser_page, live_server, explainer, 300)
    # A frame far too short, as a host that ignores the oEmbed height would make it.
    html = re.sub(r'height="\d+"', 'height="80"', data["html"])
    messages = []
    browser_page.expose_function("recordMessage", lambda data: messages.append(data))
    script = (
        'window.addEventListener("message", (e) => recordMessage(e.data));\n'
        + host_snippet(live_server.url)
    )

    frame = host_site.open(browser_page, html, script=script)
    browser_page.wait_for_function(
        "() => document.querySelector('iframe').height !== '80'"
    )
    metrics = card_metrics(frame)

    height = int(browser_page.query_selector("iframe").get_attribute("height"))
    assert height == pytest.approx(metrics["card"], abs=1)
    assert metrics["scroll"] <= height
    assert messages[-1] == {
        "type": "newsroom:embed-height",
        "height": height,
        "slug": explainer.slug,
    }


def test_snippet_ignores_height_messages_from_other_origins(
    browser_page, live_server, host_site, explainer
):
    # A look-alike card on the wrong origin claims a height; the host ignores it.
    host_site.pages["/card"] = (
        "text/html",
        "<script>parent.postMessage({type: 'newsroom:embed-height', height: 999, "
        "slug: 'x'}, '*'); document.title = 'sent';</script>",
    )
    html = '<iframe src="/card" height="150" data-newsroom-embed="x"></iframe>'

    frame = host_site.open(browser_page, html, script=host_snippet(live_server.url))
    frame.wait_for_function("() => document.title === 'sent'")
    browser_page.wait_for_timeout(300)

    assert browser_page.query_selector("iframe").get_attribute("height") == "150"
