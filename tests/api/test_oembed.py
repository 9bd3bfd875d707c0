import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile

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
    assert "style=" not in html and "<style" not in html
    # One script, from this site's static files (the CSP has no 'unsafe-inline').
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/embed-height.js" defer>'
    ]


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


def test_oembed_takes_the_page_url_without_its_trailing_slash(api, article):
    url = page_url(article).rstrip("/")

    data = api.get(OEMBED, {"url": url}).json()

    assert data["title"] == article.title
    assert f'data-newsroom-embed="{article.slug}"' in data["html"]


def test_oembed_takes_the_page_url_under_another_allowed_host(api, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", ".news.example"]
    url = f"https://www.news.example{article.get_absolute_url()}"

    response = api.get(OEMBED, {"url": url})

    assert response.status_code == 200
    assert response.json()["title"] == article.title
    foreign = url.replace("news.example", "news.example.evil")
    assert api.get(OEMBED, {"url": foreign}).status_code == 404


def test_oembed_height_grows_with_the_text_and_maxheight_only_caps_it(api):
    short = factories.make_article(title="Short", facts=1)
    long = factories.make_article(title="Long", facts=1)
    long.key_facts.update(text="A fact that goes on for a while. " * 12)

    def height(article, **params):
        query = {"url": page_url(article), **params}
        return api.get(OEMBED, query).json()["height"]

    assert height(long) > height(short) + 100
    assert height(long, maxwidth=300) > height(long)
    assert height(long, maxheight=5000) == height(long)
    assert height(long, maxheight=150) == 150


def test_oembed_gives_the_hero_image_as_thumbnail(api, article, media):
    image = factories.png_bytes(size=(64, 36), colour="navy")
    article.hero_alt = "A flooded street"
    article.hero_image.save("street.png", ContentFile(image))

    data = api.get(OEMBED, {"url": page_url(article)}).json()

    assert data["thumbnail_url"] == f"http://testserver{article.hero_image.url}"
    assert (data["thumbnail_width"], data["thumbnail_height"]) == (64, 36)


def test_oembed_without_an_image_has_no_thumbnail(api, article):
    data = api.get(OEMBED, {"url": page_url(article)}).json()

    assert not {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & set(data)


def test_embed_card_has_an_etag_and_answers_304(client, article):
    url = f"/embed/{article.slug}/key-facts/"
    response = client.get(url)
    etag = response["ETag"]

    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag and again.content == b""
    article.key_facts.update(text="Changed.")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# ---- One annotation's card --------------------------------------------------------


def annotation_page_url(article, kind, anchor):
    return f"http://testserver/explainers/{article.slug}/{kind}/{anchor}/"


@pytest.mark.parametrize(
    "kind, list_name, title, frame_title",
    [
        ("facts", "key_facts", "Fact 1", "Key fact: Fact 1"),
        ("answers", "quick_answers", "Question 1?", "Quick answer: Question 1?"),
        ("faq", "faqs", "FAQ 1?", "FAQ entry: FAQ 1?"),
    ],
)
def test_oembed_describes_a_card_for_one_annotation(
    api, article, kind, list_name, title, frame_title
):
    item = getattr(article, list_name).get(position=1)

    response = api.get(OEMBED, {"url": annotation_page_url(article, kind, item.anchor)})

    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "rich"
    assert data["title"] == title
    assert data["author_name"] == "Ada Reporter"
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1)
    assert src == f"http://testserver/embed/{article.slug}/{kind}/{item.anchor}/"
    assert f'title="{frame_title}"' in data["html"]
    assert f'height="{data["height"]}"' in data["html"]
    assert response["Cache-Control"] == "public, max-age=60"


def test_annotation_card_shows_one_item_and_may_be_framed(client, article):
    faq = article.faqs.get(position=1)
    faq.answer = "It **rose** by <em>two</em> metres."
    faq.save()

    response = client.get(f"/embed/{article.slug}/faq/{faq.anchor}/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    # The answer as plain text, laid out as the Key Facts card's one item.
    assert "<dd>It rose by two metres.</dd>" in html
    assert "FAQ 0?" not in html
    assert f'href="{article.get_absolute_url()}#{faq.anchor}"' in html
    assert f'href="/explainers/{article.slug}/faq/{faq.anchor}/"' in html
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/embed-height.js" defer>'
    ]
    again = client.get(
        f"/embed/{article.slug}/faq/{faq.anchor}/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_annotation_card_height_grows_with_its_text(api):
    short = factories.make_article(title="Short", answers=1)
    long = factories.make_article(title="Long", answers=1)
    long.quick_answers.update(answer="An answer that goes on for a while. " * 10)

    def height(article, **params):
        anchor = article.quick_answers.get().anchor
        url = annotation_page_url(article, "answers", anchor)
        return api.get(OEMBED, {"url": url, **params}).json()["height"]

    assert height(long) > height(short) + 100
    assert height(long, maxwidth=300) > height(long)
    assert height(long, maxheight=150) == 150


def test_oembed_for_annotations_hides_drafts_and_unknown_anchors(api, article, draft):
    fact = draft.key_facts.get()

    assert (
        api.get(
            OEMBED, {"url": annotation_page_url(draft, "facts", fact.anchor)}
        ).status_code
        == 404
    )
    assert (
        api.get(
            OEMBED, {"url": annotation_page_url(article, "facts", "fact-no")}
        ).status_code
        == 404
    )
    assert api.get(f"/embed/{article.slug}/facts/fact-no/").status_code == 404


def test_oembed_takes_an_annotation_page_at_an_old_slug(
    api, article, editor_api_client
):
    fact = article.key_facts.first()
    old = annotation_page_url(article, "facts", fact.anchor)
    moved = editor_api_client.patch(
        f"/api/v1/articles/{article.slug}/", {"slug": "river-moved"}, format="json"
    )
    assert moved.status_code == 200

    data = api.get(OEMBED, {"url": old.rstrip("/")}).json()

    assert (
        f'src="http://testserver/embed/river-moved/facts/{fact.anchor}/"'
        in data["html"]
    )
    card = api.get(f"/embed/{article.slug}/facts/{fact.anchor}/")
    assert card.status_code == 301
    assert card["Location"] == f"/embed/river-moved/facts/{fact.anchor}/"
