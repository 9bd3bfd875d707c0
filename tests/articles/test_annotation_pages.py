"""Each Key Fact, Quick Answer and FAQ entry has a page of its own."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.services import article_save
from tests.factories import make_article, make_author, make_topic, png_bytes
from tests.helpers import EMBED_SPARE as SPARE
from tests.helpers import HostSite, card_metrics, signed_in

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def article():
    return make_article(
        title="Why the river flooded",
        slug="river-flood",
        facts=2,
        answers=2,
        faqs=2,
        source_url="https://example.org/report",
        source_title="Flood report",
        source_publisher="River Agency",
    )


def page(article, kind, anchor):
    return f"/explainers/{article.slug}/{kind}/{anchor}/"


def meta(html, name):
    """The content of the <meta property|name=`name`> tag in `html`."""
    found = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html
    )
    return found and found.group(1)


def test_key_fact_page_shows_the_fact_its_explainer_and_source(client, article):
    fact = article.key_facts.get(position=1)

    response = client.get(page(article, "facts", fact.anchor))

    assert response.status_code == 200
    assert response.templates[0].name == "articles/annotation.html"
    html = response.content.decode()
    assert "<h1>Fact 1</h1>" in html
    assert "Fact text 1." in html
    assert (
        f'href="/explainers/river-flood/#{fact.anchor}">Why the river flooded</a>'
        in html
    )
    assert "River Agency" in html
    assert 'href="https://example.org/report"' in html and "Flood report" in html


def test_quick_answer_page_shows_question_and_answer(client, article):
    answer = article.quick_answers.get(position=0)

    html = client.get(page(article, "answers", answer.anchor)).content.decode()

    assert "<h1>Question 0?</h1>" in html
    assert "Answer 0." in html


def test_faq_page_shows_the_sanitized_answer_html(client, article):
    faq = article.faqs.get(position=1)
    faq.answer = "It **rose** fast.<script>alert(1)</script>"
    faq.save()

    html = client.get(page(article, "faq", faq.anchor)).content.decode()

    assert "<h1>FAQ 1?</h1>" in html
    assert "<strong>rose</strong>" in html
    assert "<script>alert" not in html


def test_annotation_page_tells_sharers_about_the_claim_itself(client, article):
    faq = article.faqs.get(position=0)
    faq.answer = "The **levee** failed at dawn."
    faq.save()
    url = page(article, "faq", faq.anchor)

    html = client.get(url).content.decode()

    assert meta(html, "og:title") == "FAQ 0?"
    assert meta(html, "twitter:title") == "FAQ 0?"
    assert meta(html, "og:description") == "The levee failed at dawn."
    assert meta(html, "description") == "The levee failed at dawn."
    assert meta(html, "og:url") == f"{SITE}{url}"
    assert f'<link rel="canonical" href="{SITE}{url}">' in html
    assert meta(html, "og:image") == f"{SITE}/static/img/share.png"
    oembed = re.search(r'type="application/json\+oembed" href="([^"]+)"', html)
    assert oembed and "faq%2F" in oembed.group(1)


def test_annotation_page_shares_the_explainers_hero_image(client, article, media):
    article.hero_alt = "A flooded street"
    article.hero_image.save("street.png", ContentFile(png_bytes(size=(64, 36))))
    fact = article.key_facts.first()

    html = client.get(page(article, "facts", fact.anchor)).content.decode()

    # The hero's share card: 1200x630 at most, here as much of it as 64x36 allows.
    card = article.hero_image.url.replace(
        "/street", "/renditions/street-64x34-40x21-0.500-0.500"
    )
    assert meta(html, "og:image") == f"{SITE}{card}"
    assert meta(html, "og:image:alt") == "A flooded street"
    assert meta(html, "og:description") == fact.text


def test_long_text_is_cut_for_the_description(client, article):
    answer = article.quick_answers.first()
    answer.answer = "Word " * 99
    answer.save()

    html = client.get(page(article, "answers", answer.anchor)).content.decode()

    description = meta(html, "og:description")
    assert len(description) <= 200 and description.endswith("…")


def test_explainer_page_links_each_annotation_to_its_own_page(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    for kind, items in (
        ("facts", article.key_facts.all()),
        ("answers", article.quick_answers.all()),
        ("faq", article.faqs.all()),
    ):
        for item in items:
            assert (
                f'class="annotation-share" href="{page(article, kind, item.anchor)}"'
                in html
            )
            # The in-page permalink stays as it was.
            assert re.search(rf'class="permalink[^"]*" href="#{item.anchor}"', html)
    assert 'Share<span class="visually-hidden"> this fact: Fact 0</span>' in html


@pytest.mark.parametrize(
    "status, publish_in",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.PUBLISHED, timedelta(days=1)),  # scheduled
        (Article.Status.ARCHIVED, None),  # withdrawn
    ],
)
def test_annotations_of_unpublished_explainers_are_404(client, status, publish_in):
    publish_at = timezone.now() + publish_in if publish_in else None
    hidden = make_article(status=status, publish_at=publish_at, facts=1, faqs=1)

    for kind, item in (("facts", hidden.key_facts.get()), ("faq", hidden.faqs.get())):
        assert client.get(page(hidden, kind, item.anchor)).status_code == 404
        assert (
            client.get(f"/embed/{hidden.slug}/{kind}/{item.anchor}/").status_code == 404
        )


def test_unknown_anchor_or_kind_is_404(client, article):
    fact = article.key_facts.first()

    assert client.get(page(article, "facts", "fact-nothing")).status_code == 404
    # An anchor is only found under its own kind.
    assert client.get(page(article, "faq", fact.anchor)).status_code == 404
    assert client.get(page(article, "corrections", fact.anchor)).status_code == 404
    assert client.get(f"/explainers/no-such/facts/{fact.anchor}/").status_code == 404


def test_old_slug_redirects_permanently_to_the_annotation_page(client, article, editor):
    fact = article.key_facts.first()
    old = page(article, "facts", fact.anchor)
    article_save(user=editor, article=article, fields={"slug": "river-flood-2024"})

    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == f"/explainers/river-flood-2024/facts/{fact.anchor}/"
    assert "max-age=60" in response["Cache-Control"]
    assert client.get(response["Location"]).status_code == 200


def test_annotation_page_answers_304_until_the_explainer_changes(
    client, article, editor
):
    fact = article.key_facts.first()
    url = page(article, "facts", fact.anchor)
    first = client.get(url)
    etag = first["ETag"]

    assert first["Cache-Control"] == "public, max-age=60"
    assert "Last-Modified" in first
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    other = client.get(page(article, "facts", article.key_facts.last().anchor))
    assert other["ETag"] != etag

    article_save(user=editor, article=article, fields={"title": "Why the river rose"})
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Why the river rose" in changed.content.decode()


def test_signed_in_readers_get_a_private_page(article, reader):
    fact = article.key_facts.first()

    response = signed_in(reader).get(page(article, "facts", fact.anchor))

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


@pytest.mark.usefixtures("page_cache_on")
def test_cached_annotation_page_refreshes_after_an_edit(article, editor):
    fact = article.key_facts.first()
    url = page(article, "facts", fact.anchor)
    assert Client().get(url)["X-Cache"] == "miss"
    hit = Client().get(url)
    assert hit["X-Cache"] == "hit" and "Fact text 0." in hit.content.decode()

    items = [
        {"id": f.pk, "label": f.label, "text": f"Now {f.text}"}
        for f in article.key_facts.all()
    ]
    article_save(user=editor, article=article, fields={}, key_facts=items)

    fresh = Client().get(url)
    assert fresh["X-Cache"] == "miss"
    assert "Now Fact text 0." in fresh.content.decode()
    assert Client().get(url)["X-Cache"] == "hit"


@pytest.mark.usefixtures("page_cache_on")
def test_cached_annotation_page_is_gone_once_the_explainer_is_unpublished(
    article, editor
):
    fact = article.key_facts.first()
    url = page(article, "facts", fact.anchor)
    Client().get(url)
    assert Client().get(url)["X-Cache"] == "hit"

    article_save(user=editor, article=article, fields={"status": Article.Status.DRAFT})

    assert Client().get(url).status_code == 404


@pytest.mark.usefixtures("page_cache_on")
def test_cached_annotation_page_is_kept_when_another_explainer_changes(article):
    fact = article.key_facts.first()
    url = page(article, "facts", fact.anchor)
    Client().get(url)

    make_article(title="Something else entirely", facts=1)

    assert Client().get(url)["X-Cache"] == "hit"


@pytest.mark.parametrize("size", [1, 15])
def test_annotation_page_query_count_does_not_grow_with_content(
    client, django_assert_num_queries, size
):
    article = make_article(
        facts=size,
        answers=size,
        faqs=size,
        corrections=size,
        topics=[make_topic() for _ in range(size)],
        authors=[make_author() for _ in range(size)],
    )
    items = {
        "facts": article.key_facts.last(),
        "answers": article.quick_answers.last(),
        "faq": article.faqs.last(),
    }

    for kind, item in items.items():
        url = page(article, kind, item.anchor)
        # The annotation, joined to its published explainer; its sources; the
        # comments on it; for a Key Fact, also the explainers sharing it.
        with django_assert_num_queries(4 if kind == "facts" else 3):
            response = client.get(url)
        assert response.status_code == 200
        # A 304: the annotation, and for a Key Fact the explainers sharing it
        # (their publication changes the page).
        with django_assert_num_queries(2 if kind == "facts" else 1):
            assert (
                client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
            )


@pytest.mark.usefixtures("page_cache_on")
def test_annotation_page_from_the_page_cache_costs_no_query(
    article, django_assert_num_queries
):
    url = page(article, "faq", article.faqs.first().anchor)
    Client().get(url)

    with django_assert_num_queries(0):
        assert Client().get(url)["X-Cache"] == "hit"


@pytest.fixture
def card_host():
    """Another site framing the card (as in tests/browser/test_embed.py)."""
    site = HostSite()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.mark.parametrize("kind", ["facts", "answers", "faq"])
@pytest.mark.parametrize("maxwidth", [300, 640])
def test_annotation_card_height_fits_in_chromium(
    browser_page, live_server, card_host, kind, maxwidth
):
    long = (
        "Weaker gravity makes time pass about 56 microseconds a day faster there "
        "than on Earth, which adds up to a navigation error of kilometres."
    )
    article = make_article(
        title="Why the Moon needs its own time zone, and who will keep it"
    )
    if kind == "facts":
        item = article.key_facts.create(label="Why clocks run fast", text=long)
    elif kind == "answers":
        item = article.quick_answers.create(
            question="Why do clocks run fast?", answer=long
        )
    else:
        item = article.faqs.create(
            question="Why do clocks run fast?", answer=f"**{long}**\n\nAnd *more*."
        )
    url = f"{live_server.url}{page(article, kind, item.anchor)}"
    response = browser_page.request.get(
        f"{live_server.url}/api/oembed/", params={"url": url, "maxwidth": maxwidth}
    )
    data = response.json()

    frame = card_host.open(browser_page, data["html"])
    metrics = card_metrics(frame)

    assert metrics["scroll"] <= data["height"], "the card is clipped"
    assert data["height"] - metrics["card"] <= SPARE, metrics
