"""The anonymous page cache: hits are cheap, every write shows at once, nothing leaks."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, KeyFact
from comments.models import Comment
from tests.factories import (
    make_article,
    make_author,
    make_reader,
    make_topic,
    make_user,
)
from tests.helpers import api_detail, change_url, form_data, set_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

API_LIST = "/api/v1/articles/"


@pytest.fixture
def topic():
    return make_topic("Rivers")


@pytest.fixture
def author():
    return make_author("Ada Quill")


@pytest.fixture
def article(topic, author):
    return make_article(
        title="Why the river flooded",
        body="The levee failed at dawn.",
        facts=2,
        answers=1,
        faqs=1,
        topics=[topic],
        authors=[author],
    )


def anon(url):
    return Client().get(url)


def page_urls(article, topic, author):
    return {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "author": author.get_absolute_url(),
        "rss": reverse("articles:feed-rss"),
        "atom": reverse("articles:feed-atom"),
        "topic feed": reverse("articles:topic-feed-rss", kwargs={"slug": topic.slug}),
        "sitemap": reverse("sitemap"),
        "api list": API_LIST,
        "api detail": api_detail(article),
    }


PAGES = [
    "home",
    "article",
    "topic",
    "author",
    "rss",
    "atom",
    "topic feed",
    "sitemap",
    "api list",
    "api detail",
]


@pytest.mark.parametrize("page", PAGES)
def test_second_anonymous_get_is_a_cache_hit_with_at_most_one_query(
    page, article, topic, author, django_assert_max_num_queries
):
    url = page_urls(article, topic, author)[page]
    first = anon(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"

    with django_assert_max_num_queries(1):
        second = anon(url)

    assert second.status_code == 200
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
        assert second.get(header) == first.get(header)
    assert "Cookie" in second["Vary"]


@pytest.mark.parametrize("page", ["article", "home", "api detail"])
def test_a_cached_entry_still_answers_if_none_match_with_304(
    page, article, topic, author, django_assert_max_num_queries
):
    url = page_urls(article, topic, author)[page]
    etag = anon(url)["ETag"]

    with django_assert_max_num_queries(1):
        response = Client().get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["X-Cache"] == "hit"
    assert response["ETag"] == etag


def test_anonymous_article_page_carries_no_csrf_token_or_cookie(article):
    response = anon(article.get_absolute_url())
    assert b"csrfmiddlewaretoken" not in response.content
    assert not response.cookies
    assert b"Sign in to leave a comment" in response.content


# Invalidation: each write path shows at once.


def test_publishing_a_body_edit_in_the_admin_shows_at_once(article, superuser_client):
    url = article.get_absolute_url()
    assert b"levee failed" in anon(url).content
    anon(api_detail(article))
    data = form_data(superuser_client.get(change_url(article)))
    data["body"] = "The pumps stopped at noon."

    # Saved only: the working copy changes, the cached page rightly stays.
    assert superuser_client.post(change_url(article), data).status_code == 302
    assert anon(url)["X-Cache"] == "hit"
    data = form_data(superuser_client.get(change_url(article)))
    data["_action"] = "publish"
    response = superuser_client.post(change_url(article), data)

    assert response.status_code == 302
    page = anon(url)
    assert page["X-Cache"] == "miss"
    assert b"pumps stopped" in page.content
    assert "pumps stopped" in anon(api_detail(article)).json()["body_html"]


def test_publishing_a_key_fact_edit_in_the_admin_shows_at_once(
    article, superuser_client
):
    url = article.get_absolute_url()
    assert b"Fact text 0." in anon(url).content
    data = form_data(superuser_client.get(change_url(article)))
    set_row(data, "key_facts", 0, text="Water rose two metres.")
    data["_action"] = "publish"

    assert superuser_client.post(change_url(article), data).status_code == 302

    assert b"Water rose two metres." in anon(url).content
    facts = anon(api_detail(article)).json()["key_facts"]
    assert "Water rose two metres." in [fact["text"] for fact in facts]


def test_publishing_with_the_admin_action_shows_on_every_list(
    article, topic, superuser_client
):
    draft = make_article(title="A quiet draft", status="draft", topics=[topic])
    lists = [reverse("articles:home"), topic.get_absolute_url(), API_LIST]
    for url in lists:
        assert b"A quiet draft" not in anon(url).content
    assert anon(draft.get_absolute_url()).status_code == 404

    superuser_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )

    for url in lists:
        assert b"A quiet draft" in anon(url).content, url
    assert anon(draft.get_absolute_url()).status_code == 200


def test_unpublishing_removes_the_page_and_its_list_entries_at_once(
    article, superuser_client
):
    urls = [reverse("articles:home"), reverse("articles:feed-rss"), API_LIST]
    for url in [*urls, article.get_absolute_url(), api_detail(article)]:
        assert anon(url).status_code == 200

    superuser_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )

    assert anon(article.get_absolute_url()).status_code == 410
    assert anon(api_detail(article)).status_code == 410
    for url in urls:
        assert b"Why the river flooded" not in anon(url).content, url


def test_deleting_in_the_admin_removes_the_page_at_once(article, superuser_client):
    assert anon(article.get_absolute_url()).status_code == 200
    assert anon(api_detail(article)).status_code == 200

    superuser_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )

    assert anon(article.get_absolute_url()).status_code == 410
    assert anon(api_detail(article)).status_code == 410
    assert b"Why the river flooded" not in anon(reverse("articles:home")).content


def test_an_api_patch_shows_on_the_page_and_the_api_at_once(article):
    editor = make_user(role="editor")
    writer_api = APIClient()
    writer_api.force_authenticate(editor)
    for url in (article.get_absolute_url(), api_detail(article), API_LIST):
        anon(url)

    response = writer_api.patch(
        api_detail(article), {"dek": "Now with a new standfirst."}, format="json"
    )

    assert response.status_code == 200
    assert b"Now with a new standfirst." in anon(article.get_absolute_url()).content
    assert anon(api_detail(article)).json()["dek"] == "Now with a new standfirst."
    listed = anon(API_LIST).json()["results"]
    assert listed[0]["dek"] == "Now with a new standfirst."


def test_an_import_shows_on_home_and_in_the_feed_at_once(article, tmp_path):
    anon(reverse("articles:home"))
    anon(reverse("articles:feed-rss"))
    document = tmp_path / "moon.md"
    document.write_text(
        "---\ntitle: Why the Moon gets a clock\nslug: moon-time\n---\n\n"
        "## What happened\n\nAgencies agreed on a plan.\n",
        encoding="utf-8",
    )

    call_command("import_explainer", str(document), "--publish", stdout=io.StringIO())

    assert b"Why the Moon gets a clock" in anon(reverse("articles:home")).content
    assert b"Why the Moon gets a clock" in anon(reverse("articles:feed-rss")).content


def test_renaming_a_topic_shows_on_lists_and_the_api_at_once(
    article, topic, superuser_client
):
    anon(reverse("articles:home"))
    anon(api_detail(article))

    superuser_client.post(
        reverse("admin:articles_topic_change", args=[topic.pk]),
        {"name": "Floods", "slug": topic.slug, "description": ""},
    )

    assert b"Floods" in anon(reverse("articles:home")).content
    assert [t["name"] for t in anon(api_detail(article)).json()["topics"]] == ["Floods"]


def test_a_new_comment_shows_on_the_page_and_in_the_api_count_at_once(article):
    url = article.get_absolute_url()
    assert b"Bridges need inspections" not in anon(url).content
    assert anon(api_detail(article)).json()["comment_count"] == 0
    assert anon(API_LIST).json()["results"][0]["comment_count"] == 0
    reader = Client()
    reader.force_login(make_reader(display_name="Ben"))

    reader.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Bridges need inspections."},
    )

    page = anon(url)
    assert page["X-Cache"] == "miss"
    assert b"Bridges need inspections" in page.content
    assert anon(api_detail(article)).json()["comment_count"] == 1
    assert anon(API_LIST).json()["results"][0]["comment_count"] == 1


def commented(article, name):
    author = make_reader(display_name=name)
    reader = Client()
    reader.force_login(author)
    reader.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Bridges need inspections."},
    )
    return author


def test_a_renamed_commenter_shows_under_the_new_name_at_once(article):
    author = commented(article, "Ben Before")
    url = article.get_absolute_url()
    assert b"Ben Before" in anon(url).content
    assert anon(url)["X-Cache"] == "hit"

    author.display_name = "Ben After"
    author.save()  # what the admin's user form and any future profile page call

    page = anon(url)
    assert page["X-Cache"] == "miss"
    assert b"Ben After" in page.content and b"Ben Before" not in page.content
    assert b"Ben After" in anon(f"{url}?comments=newest").content


def test_a_sign_in_saving_last_login_keeps_the_page_cached(article):
    author = commented(article, "Ben Steady")
    url = article.get_absolute_url()
    anon(url)
    before = author.last_login
    Client().force_login(author)  # a sign-in saves last_login, nothing shown

    author.refresh_from_db()
    assert author.last_login != before

    assert anon(url)["X-Cache"] == "hit"


def test_deleting_a_commenter_in_the_admin_shows_at_once(article, superuser_client):
    author = commented(article, "Gone Soon")
    url = article.get_absolute_url()
    assert b"Gone Soon" in anon(url).content

    response = superuser_client.post(
        reverse("admin:accounts_user_delete", args=[author.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    page = anon(url).content
    assert b"Gone Soon" not in page and b"[deleted user]" in page


def test_a_comment_hidden_by_a_moderator_disappears_at_once(article, superuser_client):
    reader = Client()
    reader.force_login(make_reader())
    reader.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Buy cheap watches here."},
    )
    url = article.get_absolute_url()
    assert b"Buy cheap watches" in anon(url).content
    comment = Comment.objects.get()

    superuser_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "hide", "_selected_action": [comment.pk]},
    )

    assert b"Buy cheap watches" not in anon(url).content


def test_a_scheduled_explainer_appears_at_its_time_without_any_job(article, topic):
    moment = timezone.now() + timedelta(hours=2)
    make_article(title="Tomorrow's explainer", publish_at=moment, topics=[topic])
    urls = [
        reverse("articles:home"),
        topic.get_absolute_url(),
        reverse("articles:feed-rss"),
        API_LIST,
    ]
    for url in urls:
        assert b"Tomorrow's explainer" not in anon(url).content
        assert anon(url)["X-Cache"] == "hit"

    with time_machine.travel(moment - timedelta(seconds=1)):
        for url in urls:
            assert b"Tomorrow's explainer" not in anon(url).content
    with time_machine.travel(moment + timedelta(seconds=1)):
        for url in urls:
            response = anon(url)
            assert b"Tomorrow" in response.content, url


# Nothing per-user reaches the shared cache.


def test_a_signed_in_readers_page_never_reaches_anonymous_readers(article):
    reader = make_reader(display_name="Carol Pending")
    article.comments_mode = Article.CommentsMode.PREMODERATED
    article.save()
    signed_in = Client()
    signed_in.force_login(reader)
    signed_in.post(
        reverse("comments:post", kwargs={"slug": article.slug}),
        {"body": "Waiting for a moderator."},
    )
    url = article.get_absolute_url()

    own = signed_in.get(url)
    again = signed_in.get(url)

    assert b"Waiting for a moderator." in own.content
    assert "X-Cache" not in own and "X-Cache" not in again
    assert "private" in own["Cache-Control"]
    public = anon(url)
    assert public["X-Cache"] == "miss"
    for private_bit in (b"Waiting for a moderator.", b"Sign out", b"csrfmiddleware"):
        assert private_bit not in public.content
    assert anon(url)["X-Cache"] == "hit"


def test_a_staff_edit_link_never_reaches_anonymous_readers(article):
    staff = Client()
    staff.force_login(make_user(role="editor"))
    home = reverse("articles:home")

    assert b"Newsroom admin" in staff.get(home).content

    assert b"Newsroom admin" not in anon(home).content
    assert b"Newsroom admin" not in anon(home).content


def test_a_staff_draft_preview_is_never_cached(article):
    draft = make_article(title="Embargoed story", status="draft", facts=1)
    staff = Client()
    staff.force_login(make_user(role="editor"))
    preview = reverse("articles:preview", args=[draft.pk])

    response = staff.get(preview)

    assert response.status_code == 200 and b"Embargoed story" in response.content
    assert "X-Cache" not in response
    assert anon(preview).status_code == 404
    assert anon(draft.get_absolute_url()).status_code == 404
    assert b"Embargoed story" not in anon(reverse("articles:home")).content
    KeyFact.objects.filter(article=draft).update(text="changed")
    assert b"changed" in staff.get(preview).content


# Hits answered by PageCacheMiddleware, before the rest of the stack.

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Cross-Origin-Opener-Policy",
    "Content-Length",
    "Vary",
)


@pytest.mark.parametrize("page", ["article", "home", "rss", "api detail", "api list"])
def test_a_hit_carries_every_header_the_stack_gave_the_miss(
    page, article, topic, author
):
    url = page_urls(article, topic, author)[page]
    miss = anon(url)
    hits = [anon(url), anon(url)]

    assert miss["X-Cache"] == "miss"
    for hit in hits:
        assert hit["X-Cache"] == "hit"
        assert hit.content == miss.content
        for header in SECURITY_HEADERS:
            assert hit.get(header) == miss.get(header), header
        assert "Cookie" in hit["Vary"]
        assert int(hit["Content-Length"]) == len(hit.content)


def test_an_api_hit_from_another_site_still_gets_cors_headers(article):
    url = api_detail(article)
    anon(url)
    anon(url)

    hit = Client().get(url, headers={"origin": "https://other.example"})

    assert hit["X-Cache"] == "hit"
    assert hit["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in anon(url)


def test_a_reader_with_a_message_waiting_sees_it_instead_of_a_cached_page(article):
    url = article.get_absolute_url()
    anon(url)
    assert anon(url)["X-Cache"] == "hit"
    reader = Client()
    reader.force_login(make_user())
    reader.post(reverse("account_logout"))  # "You have signed out." waits in a cookie
    assert "messages" in reader.cookies

    page = reader.get(url)

    assert b"You have signed out" in page.content
    assert page.get("X-Cache") != "hit"
    again = reader.get(url)
    assert b"You have signed out" not in again.content
    assert b"You have signed out" not in anon(url).content


def test_a_hit_is_refused_for_a_host_no_longer_allowed(article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "old.example"]
    url = article.get_absolute_url()
    Client().get(url, HTTP_HOST="old.example")
    assert Client().get(url, HTTP_HOST="old.example")["X-Cache"] == "hit"

    settings.ALLOWED_HOSTS = ["testserver"]

    assert Client().get(url, HTTP_HOST="old.example").status_code == 400


def test_a_new_release_never_serves_what_the_old_one_rendered(
    article, settings, django_assert_max_num_queries
):
    settings.NEWSROOM_RELEASE = "release-1"
    url = article.get_absolute_url()
    anon(url)
    assert anon(url)["X-Cache"] == "hit"
    KeyFact.objects.filter(article=article).update(text="Rendered by the new code.")

    settings.NEWSROOM_RELEASE = "release-2"  # as a deploy with changed templates
    page = anon(url)

    # No entry, part or row of release-1 is reused: the page comes from the database.
    assert page["X-Cache"] == "miss"
    assert b"Rendered by the new code." in page.content
    assert anon(url)["X-Cache"] == "hit"
    settings.NEWSROOM_RELEASE = "release-1"
    assert b"Rendered by the new code." not in anon(url).content


def test_the_site_has_no_bench_floor_and_ignores_the_bench_header(article):
    url = article.get_absolute_url()
    first = anon(url)
    assert anon("/bench/floor").status_code == 404
    # An edit that skips every write path moves no version: it shows only where
    # the page is built from the database rather than from anything cached.
    KeyFact.objects.filter(article=article).update(text="Changed quietly.")

    for value in ("page", "all"):
        ignored = Client().get(url, headers={"x-bench-no-cache": value})
        assert ignored["X-Cache"] == "hit"
        assert ignored.content == first.content


@pytest.fixture
def bench_site(settings):
    """What scripts/loadlib/bench_settings.py adds, over the test run's settings."""
    settings.ROOT_URLCONF = "scripts.loadlib.bench_urls"
    settings.MIDDLEWARE = [
        "scripts.loadlib.bench_hooks.NoCacheHeaderMiddleware",
        *settings.MIDDLEWARE,
    ]
    settings.CACHES = {
        "default": {
            "BACKEND": "scripts.loadlib.bench_hooks.SkippableCache",
            "OPTIONS": {"real": "real"},
        },
        "real": settings.CACHES["default"],
    }


def test_the_bench_settings_add_the_floor_and_the_cache_switches(
    article, topic, bench_site
):
    url = article.get_absolute_url()
    first = anon(url)
    assert anon(url)["X-Cache"] == "hit"
    floor = anon("/bench/floor")
    assert floor.status_code == 200 and floor.content == b"ok\n"
    KeyFact.objects.filter(article=article).update(text="Changed quietly.")

    # "page": a page-cache miss, built from the page's cached parts.
    from_parts = Client().get(url, headers={"x-bench-no-cache": "page"})
    assert from_parts.status_code == 200 and from_parts["X-Cache"] == "miss"
    assert b"Changed quietly." not in from_parts.content
    assert b"Fact text 0." in from_parts.content
    # "all": nothing cached is read, so the quiet edit shows.
    uncached = Client().get(url, headers={"x-bench-no-cache": "all"})
    assert uncached.status_code == 200 and uncached["X-Cache"] == "miss"
    assert b"Changed quietly." in uncached.content
    # Without the header the page is still the cached one.
    assert anon(url).content == first.content

    # Neither fills the page cache: a page never requested without the header
    # is still a miss on its first plain GET.
    for value in ("page", "all"):
        url = make_article(topics=[topic]).get_absolute_url()
        assert Client().get(url, headers={"x-bench-no-cache": value}).status_code == 200
        assert anon(url)["X-Cache"] == "miss"
        assert anon(url)["X-Cache"] == "hit"


def test_versions_flushed_by_another_process_mid_request_still_serve_every_page(
    article, monkeypatch, caplog
):
    """The cache emptied between a missing version's stamp and its read: another
    process's FLUSHDB on a shared Redis database, or an eviction."""
    add = cache.add

    def add_then_flush(*args, **kwargs):
        added = add(*args, **kwargs)
        cache.clear()
        return added

    urls = [article.get_absolute_url(), API_LIST, api_detail(article)]
    with monkeypatch.context() as patched:
        patched.setattr(cache, "add", add_then_flush)
        pages = [anon(url) for url in urls]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert "scheduled changes not checked" not in caplog.text
    # Nothing kept under the versions that vanished is served: built again.
    for url, page in zip(urls, pages, strict=True):
        again = anon(url)
        assert again["X-Cache"] == "miss"
        assert again.content == page.content
