import io
import json
import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error
from PIL import Image

from articles.models import Article, Correction
from articles.services import article_changed
from comments import services
from tests.factories import (
    make_article,
    make_author,
    make_full_article,
    make_reader,
    make_topic,
    make_user,
)
from tests.helpers import assert_explainer_page_cost

pytestmark = pytest.mark.django_db

BODY_WITH_SECTIONS = """\
## What happened

The council voted on Tuesday.[^vote]

## Why it matters

Rents are *rising* fast.

### A detail

Not in the contents.

## What comes next

A second reading in May.

[^vote]: By seven votes to four.
"""


class PageParser(HTMLParser):
    """Collect what the tests look at: ids, headings, scripts, inline styles, links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()
        self.tags = Counter()
        self.style_attributes = 0
        self.event_handlers = 0
        self.scripts = []  # (attrs, text)
        self.meta = {}
        self.links = []
        self.anchors = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] += 1
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if "style" in attrs:
            self.style_attributes += 1
        self.event_handlers += sum(1 for name in attrs if name.startswith("on"))
        if tag == "script":
            self._script = [attrs, ""]
        elif tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None

    def link(self, rel):
        return [link for link in self.links if link.get("rel") == rel]

    def json_ld(self):
        return [
            json.loads(text)
            for attrs, text in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]


def parse(response):
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def assert_well_formed_page(response):
    page = parse(response)
    assert page.tags["h1"] == 1
    assert [i for i, n in page.ids.items() if n > 1] == []
    assert page.tags["style"] == 0
    assert page.style_attributes == 0
    assert page.event_handlers == 0
    for attrs, _text in page.scripts:
        # External scripts, or JSON-LD data blocks; nothing executable inline.
        assert attrs.get("src") or attrs.get("type") == "application/ld+json"
        assert attrs.get("src") is None or "defer" in attrs
    for key in ("header", "nav", "main", "footer"):
        assert page.tags[key] >= 1
    assert 'lang="en"' in response.content.decode()
    return page


SHARE_IMAGE = "http://testserver/static/img/share.png"
LOGO = "http://testserver/static/img/logo.png"


def to_the_second(moment):
    return moment.replace(microsecond=0).isoformat()


@pytest.fixture
def full_article(media):
    return make_full_article(
        body=BODY_WITH_SECTIONS,
        topics=[make_topic("Housing"), make_topic("Cities")],
        authors=[make_author("Ana Ruiz"), make_author("Ben Okoro")],
    )


# ---- Home, topic and author pages ------------------------------------------


def test_home_lists_published_explainers_with_their_summary(client):
    topic = make_topic("Energy")
    article = make_article(title="Grid prices", topics=[topic], facts=3)
    make_article(title="A draft", status=Article.Status.DRAFT)
    make_article(title="In review", status=Article.Status.REVIEW)
    make_article(title="Old news", status=Article.Status.ARCHIVED)
    make_article(title="Tomorrow", publish_at=timezone.now() + timedelta(days=1))

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Grid prices" in html
    assert article.dek in html
    assert "3 key facts" in html
    assert f'datetime="{to_the_second(article.publish_at)}"' in html
    assert f'href="{topic.get_absolute_url()}"' in html  # topic navigation and tag
    for hidden in ("A draft", "In review", "Old news", "Tomorrow"):
        assert hidden not in html
    assert_well_formed_page(response)


def test_home_paginates_and_refuses_bad_pages_with_404(client):
    for n in range(13):
        make_article(
            title=f"Story {n:02}", publish_at=timezone.now() - timedelta(hours=n + 1)
        )

    first = client.get("/").content.decode()
    second = client.get("/?page=2")

    assert "Story 00" in first and "Story 12" not in first
    assert 'rel="next" href="?page=2"' in first
    assert second.status_code == 200
    assert "Story 12" in second.content.decode()
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 404
    assert client.get("/?page=-1").status_code == 404


def test_topic_page_lists_only_its_published_explainers(client):
    topic = make_topic("Transport", description="Trains, buses and roads.")
    make_article(title="Rail strike", topics=[topic])
    make_article(title="Bus draft", topics=[topic], status=Article.Status.DRAFT)
    make_article(title="Unrelated story")

    response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rail strike" in html
    assert "Trains, buses and roads." in html
    assert "Bus draft" not in html and "Unrelated story" not in html
    assert_well_formed_page(response)
    assert client.get("/topics/no-such-topic/").status_code == 404
    assert client.get(f"{topic.get_absolute_url()}?page=2").status_code == 404


def test_author_page_lists_only_their_published_explainers(client):
    author = make_author("Priya Shah", bio="Covers science.")
    make_article(title="Comet season", authors=[author])
    make_article(title="Unpublished", authors=[author], status=Article.Status.REVIEW)
    make_article(title="Someone else's")

    response = client.get(author.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Comet season" in html and "Covers science." in html
    assert "Unpublished" not in html and "Someone else" not in html
    assert_well_formed_page(response)
    assert client.get("/authors/nobody/").status_code == 404


# ---- The explainer page ----------------------------------------------------


def test_article_page_shows_story_and_every_annotation(client, full_article):
    response = client.get(full_article.get_absolute_url())

    assert response.status_code == 200
    page = assert_well_formed_page(response)
    html = response.content.decode()
    assert re.search(r"<h1\b[^>]*>Why rents are rising</h1>", html)
    assert "A short guide to the rent vote." in html
    for author in full_article.authors.all():
        assert f'href="{author.get_absolute_url()}" rel="author">{author.name}' in html
    assert f'datetime="{to_the_second(full_article.publish_at)}"' in html
    assert "1 min read" in html
    # The hero is printed from renditions, sized and not lazy (figures/heroes.py).
    hero = re.search(r'<figure class="hero">.*?(<img [^>]*>)', html, re.S)[1]
    assert 'alt="A row of terraced houses"' in hero
    assert 'width="16" height="9"' in hero and "srcset=" in hero
    assert "loading=" not in hero
    assert "Image: Jo Photo" in html
    assert "three</em> rent zones" in html  # background, rendered on save
    assert (
        '<a href="https://example.org/rent-report" rel="noopener">Rent report 2026</a>'
        in html
    )
    assert "Example Gazette" in html
    # Corrections and updates, each dated and labelled with its kind.
    assert "Corrected detail 0." in html and "Added the May date." in html
    assert ">Correction</span>" in html and ">Update</span>" in html
    assert page.ids["corrections"] == 1
    # Quick answers pair the question with its one-line answer.
    assert "<dt>Question 0?</dt>" in html and "Answer 0." in html
    # Footnotes come as the linked list under the story.
    assert 'class="footnote-ref" href="#fn:vote"' in html
    assert page.ids["fn:vote"] == 1


def test_article_page_has_contents_from_the_body_h2_headings(client, full_article):
    html = client.get(full_article.get_absolute_url()).content.decode()

    contents = html.split('class="toc"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents) == [
        ("what-happened", "What happened"),
        ("why-it-matters", "Why it matters"),
        ("what-comes-next", "What comes next"),
    ]
    assert '<h2 id="what-happened">What happened</h2>' in html


def test_every_annotation_is_linkable_by_its_anchor(client, full_article):
    response = client.get(full_article.get_absolute_url())
    page = parse(response)
    html = response.content.decode()

    annotations = [
        *full_article.key_facts.all(),
        *full_article.quick_answers.all(),
        *full_article.faqs.all(),
    ]
    assert len(annotations) == 6
    hrefs = [a.get("href") for a in page.anchors if "permalink" in a.get("class", "")]
    for item in annotations:
        assert page.ids[item.anchor] == 1
        assert hrefs.count(f"#{item.anchor}") == 1
    faq = full_article.faqs.first()
    assert f'<details id="{faq.anchor}"' in html
    assert f"<summary>{faq.question}</summary>" in html
    assert "<strong>Answer</strong> 0." in html
    assert "Link to this fact: Fact 0" in html  # the permalink's accessible name


def test_related_explainers_share_a_topic_are_published_and_at_most_four(client):
    topic = make_topic("Health")
    article = make_article(title="Main story", topics=[topic])
    for n in range(5):
        make_article(
            title=f"Sibling {n}",
            topics=[topic],
            publish_at=timezone.now() - timedelta(hours=n + 1),
        )
    make_article(title="Draft sibling", topics=[topic], status=Article.Status.DRAFT)
    make_article(title="Other topic", topics=[make_topic()])

    html = client.get(article.get_absolute_url()).content.decode()
    related = html.split('class="related"')[1].split("</section>")[0]

    assert [f"Sibling {n}" in related for n in range(5)] == [True] * 4 + [False]
    assert "Main story" not in related
    assert "Draft sibling" not in related and "Other topic" not in related


def test_comments_region_invites_anonymous_readers_to_sign_in(client):
    article = make_article()

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<section id="comments"' in html
    assert f"/accounts/login/?next={article.get_absolute_url()}" in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.ARCHIVED},
        {"publish_at": timezone.now() + timedelta(days=365)},
    ],
    ids=["draft", "review", "archived", "scheduled"],
)
def test_unpublished_explainers_are_not_found(client, fields):
    article = make_article(title="Not yet", **fields)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    assert "Not yet" not in response.content.decode()
    assert "Not yet" not in client.get("/").content.decode()


def test_scheduled_explainer_appears_at_its_publish_time(client):
    start = timezone.now()
    topic = make_topic("Space")
    author = make_author("Lee")
    article = make_article(
        title="Launch day",
        publish_at=start + timedelta(hours=2),
        topics=[topic],
        authors=[author],
    )

    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 404
        assert "Launch day" not in client.get(topic.get_absolute_url()).content.decode()
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
        for url in ("/", topic.get_absolute_url(), author.get_absolute_url()):
            assert "Launch day" in client.get(url).content.decode()


# ---- Metadata ----------------------------------------------------------------


def test_article_metadata_and_feed_discovery(client, full_article):
    response = client.get(full_article.get_absolute_url())
    page = parse(response)
    url = f"http://testserver{full_article.get_absolute_url()}"
    # The hero's share card (1200x630 at most, cropped; figures/heroes.py).
    image = f"http://testserver{full_article.hero_image.url}".replace(
        "/hero.png", "/renditions/hero-16x8-40x21-0.500-0.500.png"
    )

    assert page.link("canonical")[0]["href"] == url
    assert page.meta["description"] == "What the rent vote means for tenants."
    assert page.meta["og:type"] == "article"
    assert page.meta["og:title"] == "Why rents are rising"
    assert page.meta["og:description"] == "What the rent vote means for tenants."
    assert page.meta["og:url"] == url
    assert page.meta["og:image"] == image
    assert page.meta["og:site_name"] == "Newsroom"
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["twitter:title"] == "Why rents are rising"
    alternates = {link["type"]: link["href"] for link in page.link("alternate")}
    assert alternates["application/rss+xml"] == "/feeds/rss/"
    assert alternates["application/atom+xml"] == "/feeds/atom/"


def test_without_a_hero_image_the_site_share_image_and_logo_stand_in(client, settings):
    article = make_article(dek="Plain dek.")

    page = parse(client.get(article.get_absolute_url()))

    assert page.meta["description"] == "Plain dek."
    assert page.meta["og:image"] == SHARE_IMAGE
    assert page.meta["og:image:alt"] == "Newsroom"
    assert page.meta["twitter:image"] == SHARE_IMAGE
    assert page.meta["twitter:card"] == "summary_large_image"
    [news] = page.json_ld()
    assert news["image"] == [SHARE_IMAGE]
    assert news["publisher"]["logo"] == {"@type": "ImageObject", "url": LOGO}
    # List pages share the same image.
    assert parse(client.get("/")).meta["og:image"] == SHARE_IMAGE
    settings.NEWSROOM_SHARE_IMAGE = "img/logo.png"
    assert parse(client.get("/")).meta["og:image"] == LOGO


def test_the_share_image_and_logo_are_static_pngs_of_their_sizes(settings):
    with Image.open(finders.find(settings.NEWSROOM_SHARE_IMAGE)) as share:
        assert (share.format, share.size) == ("PNG", (1200, 630))
    with Image.open(finders.find(settings.NEWSROOM_LOGO)) as logo:
        assert logo.format == "PNG" and logo.width == logo.height >= 112


def test_article_json_ld_describes_the_news_article_and_its_faq(
    client, settings, full_article
):
    settings.NEWSROOM_SITE_NAME = "The Daily Explainer"
    page = parse(client.get(full_article.get_absolute_url()))
    url = f"http://testserver{full_article.get_absolute_url()}"

    news, faq = page.json_ld()

    assert news["@context"] == "https://schema.org"
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Why rents are rising"
    assert news["description"] == "What the rent vote means for tenants."
    assert news["mainEntityOfPage"]["@id"] == url
    assert news["datePublished"].startswith(full_article.publish_at.isoformat()[:19])
    assert news["dateModified"] >= news["datePublished"]
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Ana Ruiz",
            "url": "http://testserver/authors/ana-ruiz/",
        },
        {
            "@type": "Person",
            "name": "Ben Okoro",
            "url": "http://testserver/authors/ben-okoro/",
        },
    ]
    assert news["publisher"] == {
        "@type": "Organization",
        "name": "The Daily Explainer",
        "url": "http://testserver/",
        "logo": {"@type": "ImageObject", "url": LOGO},
    }
    # The hero in 1:1, 4:3 and 16:9 (figures/heroes.py).
    assert [url.rsplit("/", 1)[1] for url in news["image"]] == [
        "hero-9x9-1x1-0.500-0.500.png",
        "hero-12x9-4x3-0.500-0.500.png",
        "hero-16x9-16x9-0.500-0.500.png",
    ]
    # Only corrections count as CorrectionComment; updates stay in the visible log.
    assert [(c["@type"], c["text"]) for c in news["correction"]] == [
        ("CorrectionComment", "Corrected detail 0.")
    ]
    assert news["correction"][0]["datePublished"]
    assert faq["@type"] == "FAQPage"
    assert [q["name"] for q in faq["mainEntity"]] == ["FAQ 0?", "FAQ 1?"]
    assert faq["mainEntity"][0]["@type"] == "Question"
    assert faq["mainEntity"][0]["acceptedAnswer"] == {
        "@type": "Answer",
        "text": "Answer 0.",
    }


def test_an_explainer_without_a_byline_is_authored_by_the_publication(client, settings):
    settings.NEWSROOM_SITE_NAME = "The Daily Explainer"
    article = make_article()

    [news] = parse(client.get(article.get_absolute_url())).json_ld()

    assert news["author"] == [
        {
            "@type": "Organization",
            "name": "The Daily Explainer",
            "url": "http://testserver/",
        }
    ]


CAPTURE_WITHOUT_DEK = """\
What the gauges showed
Tide gauges along the estuary recorded high water forty minutes later than the \
printed tables predicted on three mornings in a row, and the harbour office traced \
the delay to silt that has narrowed the channel since the spring floods.
The tables for next year will be corrected.
"""
FIRST_PARAGRAPH_SUMMARY = (
    "Tide gauges along the estuary recorded high water forty minutes later than the "
    "printed tables predicted on three mornings in a row, and the harbour office "
    "traced the delay to silt that has narrowed\u2026"
)


def test_a_capture_without_a_dek_is_described_by_its_first_paragraph(client, tmp_path):
    path = tmp_path / "capture.txt"
    path.write_text(CAPTURE_WITHOUT_DEK, encoding="utf-8")
    call_command(
        "import_explainer",
        str(path),
        "--title",
        "The late tide",
        "--publish",
        stdout=io.StringIO(),
    )
    article = Article.objects.get(title="The late tide")
    assert article.dek == ""

    page = parse(client.get(article.get_absolute_url()))
    feed = feedparser.parse(client.get("/feeds/rss/").content)

    summary = FIRST_PARAGRAPH_SUMMARY
    assert len(summary) <= 200
    assert page.meta["description"] == summary
    assert page.meta["og:description"] == summary
    assert page.meta["twitter:description"] == summary
    assert page.json_ld()[0]["description"] == summary
    assert feed.entries[0].summary == summary


HTML_DATETIME = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?(?:Z|[+-]\d\d:\d\d)"
)


def test_every_time_element_has_a_valid_html_datetime(client, tmp_path):
    """HTML allows 1-3 digits of a second's fraction; the API and importer give six."""
    moment = (timezone.now() - timedelta(days=1)).replace(microsecond=580516)
    document = tmp_path / "tide.md"
    document.write_text(
        "---\ntitle: Why the tide ran late\ntopics: [Tides]\n---\n\n"
        "The tide ran late.\n",
        encoding="utf-8",
    )
    with time_machine.travel(moment, tick=False):
        call_command(
            "import_explainer", str(document), "--publish", stdout=io.StringIO()
        )
        article = Article.objects.get(title="Why the tide ran late")
        Correction.objects.create(article=article, note="Fixed the tide time.")
        make_article(title="Tides again", topics=article.topics.all())
        services.comment_post(
            article=article, author=make_reader(), body="When is the next one?"
        )
    with time_machine.travel(moment + timedelta(hours=1), tick=False):
        article_changed(article)  # shows "Updated"

    pages = [
        "/",
        article.get_absolute_url(),
        "/search/?q=tide",
        article.topics.get().get_absolute_url(),
    ]
    found = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found += [
            (url, value)
            for value in re.findall(r'datetime="([^"]*)"', response.content.decode())
        ]

    assert [pair for pair in found if not HTML_DATETIME.fullmatch(pair[1])] == []
    # Published, updated, correction, related, comment; on the lists, each card.
    assert len(found) >= 10
    assert f"{moment.replace(microsecond=0).isoformat()}" in {v for _, v in found}


def test_json_ld_cannot_be_broken_out_of_by_article_text(client):
    article = make_article(title="</script><script>alert(1)</script> & more")

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert "<script>alert(1)" not in html
    assert parse(response).json_ld()[0]["headline"] == article.title


def test_list_pages_have_canonical_description_and_open_graph(client):
    topic = make_topic("Climate", description="Heat, floods and policy.")
    author = make_author("Kim")
    make_article(topics=[topic], authors=[author])

    home = parse(client.get("/?utm_source=x"))
    topic_page = parse(client.get(topic.get_absolute_url()))
    author_page = parse(client.get(author.get_absolute_url()))

    assert home.link("canonical")[0]["href"] == "http://testserver/"
    assert home.meta["og:type"] == "website" and home.meta["description"]
    assert (
        topic_page.link("canonical")[0]["href"] == "http://testserver/topics/climate/"
    )
    assert topic_page.meta["og:title"] == "Climate"
    assert topic_page.meta["description"] == "Heat, floods and policy."
    topic_feeds = [link["href"] for link in topic_page.link("alternate")]
    assert "/topics/climate/feed/rss/" in topic_feeds
    assert "/topics/climate/feed/atom/" in topic_feeds
    assert author_page.meta["og:url"] == "http://testserver/authors/kim/"


# ---- Staff preview -------------------------------------------------------------


def test_preview_is_for_staff_who_may_change_articles(client):
    article = make_article(title="Work in progress", status=Article.Status.DRAFT)
    url = f"/preview/{article.pk}/"

    assert client.get(url).status_code == 404  # anonymous
    client.force_login(make_user())
    assert client.get(url).status_code == 404  # reader
    for role in ("writer", "editor"):
        client.force_login(make_user(role=role))
        response = client.get(url)
        assert response.status_code == 200, role
        assert "Work in progress" in response.content.decode()


def test_preview_renders_scheduled_article_with_banner_and_noindex(editor_client):
    article = make_article(
        title="Embargoed", publish_at=timezone.now() + timedelta(days=2), facts=1
    )

    response = editor_client.get(f"/preview/{article.pk}/")

    html = response.content.decode()
    page = assert_well_formed_page(response)
    assert "preview-banner" in html and "scheduled for" in html
    assert page.meta["robots"] == "noindex, nofollow"
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response
    assert "Fact 0" in html  # same template as readers get
    assert editor_client.get("/preview/999999/").status_code == 404


def test_reader_page_has_no_preview_banner(client):
    article = make_article()

    assert (
        "preview-banner" not in client.get(article.get_absolute_url()).content.decode()
    )


# ---- HTTP caching ----------------------------------------------------------------


def test_article_answers_conditional_requests_and_changes_after_an_edit(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        article = make_article(facts=1)
    url = article.get_absolute_url()
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        first = client.get(url)
        etag, last_modified = first["ETag"], first["Last-Modified"]

        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        assert (
            client.get(url, headers={"if-modified-since": last_modified}).status_code
            == 304
        )

    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        fact = article.key_facts.get()
        fact.text = "A corrected fact."
        fact.save()
        article_changed(article)
        changed = client.get(url, headers={"if-none-match": etag})
        assert changed.status_code == 200
        assert "A corrected fact." in changed.content.decode()
        assert changed["ETag"] != etag
        assert (
            client.get(url, headers={"if-modified-since": last_modified}).status_code
            == 200
        )


def test_home_validator_changes_when_a_scheduled_article_goes_live(client):
    start = timezone.now()
    make_article(title="Already out")
    make_article(title="Coming up", publish_at=start + timedelta(hours=1))

    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        before = client.get("/")
        assert (
            client.get("/", headers={"if-none-match": before["ETag"]}).status_code
            == 304
        )
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        after = client.get("/", headers={"if-none-match": before["ETag"]})
        assert after.status_code == 200
        assert "Coming up" in after.content.decode()


def test_unpublishing_shows_at_once(client, editor):
    article = make_article(title="Withdrawn soon")
    etag = client.get("/")["ETag"]

    article.status = Article.Status.ARCHIVED
    article.save()
    article_changed(article)

    assert (
        client.get(article.get_absolute_url()).status_code == 410
    )  # readers saw it: gone
    home = client.get("/", headers={"if-none-match": etag})
    assert home.status_code == 200
    assert "Withdrawn soon" not in home.content.decode()


def test_anonymous_pages_are_public_for_a_minute_signed_in_pages_private(client):
    topic = make_topic()
    author = make_author()
    article = make_article(topics=[topic], authors=[author])
    urls = [
        "/",
        article.get_absolute_url(),
        topic.get_absolute_url(),
        author.get_absolute_url(),
    ]

    for url in urls:
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=60", url
        assert "Cookie" in response["Vary"]
        assert response["ETag"]

    anonymous_etag = client.get(article.get_absolute_url())["ETag"]
    client.force_login(make_user())
    for url in urls:
        response = client.get(url)
        cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= cache_control, url
        assert "public" not in cache_control
        assert "Cookie" in response["Vary"]
    # A signed-in reader never revalidates against the anonymous copy.
    signed_in = client.get(
        article.get_absolute_url(), headers={"if-none-match": anonymous_etag}
    )
    assert signed_in.status_code == 200
    assert "Sign out" in signed_in.content.decode()


# ---- Query budgets ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 15])
def test_article_page_query_count_does_not_grow_with_content(
    client, django_assert_num_queries, size
):
    topics = [make_topic() for _ in range(size)]
    authors = [make_author() for _ in range(size)]
    for _ in range(size):
        make_article(topics=topics[:1], facts=size)
    article = make_article(
        facts=size,
        answers=size,
        faqs=size,
        corrections=size,
        topics=topics,
        authors=authors,
    )

    assert_explainer_page_cost(
        client, article.get_absolute_url(), django_assert_num_queries
    )


@pytest.mark.parametrize("size", [1, 15])
def test_list_page_query_counts_do_not_grow_with_content(
    client, django_assert_num_queries, size
):
    topic = make_topic()
    author = make_author()
    for _ in range(size):
        make_article(
            topics=[topic, make_topic()], authors=[author, make_author()], facts=size
        )

    # Home: validators, topic navigation, count, page, topics of the page.
    with django_assert_num_queries(5):
        assert client.get("/").status_code == 200
    # Topic and author: the topic/author, validators, count, page, topics.
    with django_assert_num_queries(5):
        assert client.get(topic.get_absolute_url()).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(author.get_absolute_url()).status_code == 200


# ---- Error pages ---------------------------------------------------------------------


def test_not_found_page_is_ours(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()
    assert_well_formed_page(response)


def test_server_error_page_needs_no_context_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert '<html lang="en">' in html
