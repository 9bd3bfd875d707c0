import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

OEMBED = "/api/oembed/"


def page_url(article):
    return f"http://testserver{article.get_absolute_url()}"


def test_oembed_describes_a_rich_key_facts_card(api, article):
    response = api.get(OEMBED, {"url": page_url(article)})

    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "rich"
    assert data["version"] == "1.0"
    assert data["title"] == "Why the river flooded"
    assert data["provider_name"] == "Newsroom"
    assert data["provider_url"] == "http://testserver/"
    assert data["author_name"] == "Ada Reporter"
    assert data["width"] == 480
    assert data["height"] > 0
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1)
    assert src == f"http://testserver/embed/{article.slug}/key-facts/"
    assert f'width="{data["width"]}"' in data["html"]
    assert response["Cache-Control"] == "public, max-age=60"


def test_oembed_respects_maxwidth_and_maxheight(api, article):
    data = api.get(
        OEMBED, {"url": page_url(article), "maxwidth": 300, "maxheight": 90}
    ).json()

    assert (data["width"], data["height"]) == (300, 90)
    assert 'width="300" height="90"' in data["html"]


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/explainers/{slug}/",
        "http://testserver/explainers/no-such-thing/",
        "http://testserver/topics/climate/",
        "not a url at all",
        "javascript:alert(1)",
    ],
)
def test_oembed_unknown_or_foreign_urls_are_404(api, article, url):
    response = api.get(OEMBED, {"url": url.format(slug=article.slug)})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_oembed_does_not_reveal_drafts(api, draft):
    assert api.get(OEMBED, {"url": page_url(draft)}).status_code == 404
    assert api.get(f"/embed/{draft.slug}/key-facts/").status_code == 404


def test_oembed_xml_is_501_and_missing_url_is_400(api, article):
    xml = api.get(OEMBED, {"url": page_url(article), "format": "xml"})
    assert xml.status_code == 501
    assert xml.json()["error"]["code"] == "not_implemented"

    missing = api.get(OEMBED)
    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == ["url"]
    bad_width = api.get(OEMBED, {"url": page_url(article), "maxwidth": "wide"})
    assert list(bad_width.json()["error"]["fields"]) == ["maxwidth"]


def test_embed_card_shows_key_facts_and_may_be_framed(client, article):
    response = client.get(f"/embed/{article.slug}/key-facts/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert "Fact text 2." in html
    assert f'href="{article.get_absolute_url()}"' in html
    assert "css/embed.css" in html
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_embed_card_escapes_fact_text(client):
    article = factories.make_article(title="Escaping")
    article.key_facts.create(
        position=0, label="<b>Label</b>", text="<script>x</script>"
    )

    html = client.get(f"/embed/{article.slug}/key-facts/").content.decode()

    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_article_page_advertises_oembed(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    link = re.search(
        r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html
    )
    assert link, "discovery link missing"
    href = link.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == OEMBED
    assert query["url"] == [page_url(article)]
    assert client.get(href).status_code == 200
