"""The explainer page's cached parts (articles/fragments.py) behind the page cache.

When the whole-page entry misses, the parts whose versions did not move come from
the cache and the others are rebuilt. These tests go through HTTP only; where one
has to show that a part really came from the cache, it changes a row with a
queryset ``.update()``, which skips every write path and so moves no version: the
change then shows only where a part was rebuilt from the database.

A page-cache miss with warm parts is a request for a query string no reader sent
before: the whole-page entry is keyed by the query string, the parts are not, so
the response is built from the parts alone. Nothing cached is a request after the
whole cache was cleared.
"""

import itertools
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, KeyFact
from tests.factories import (
    make_article,
    make_author,
    make_reader,
    make_topic,
    make_user,
)
from tests.helpers import api_detail, change_url, form_data, set_row, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

SNEAKY = "Quietly rewritten without any write path."


@pytest.fixture
def topic():
    return make_topic("Rivers")


@pytest.fixture
def article(topic):
    return make_article(
        title="Why the river flooded",
        body="## What happened\n\nThe levee failed at dawn.\n\n## Next\n\nRepairs.\n",
        facts=2,
        answers=1,
        faqs=1,
        corrections=1,
        topics=[topic],
        authors=[make_author("Ada Quill")],
    )


_misses = itertools.count()


def anon(url, *, bypass=None, **extra):
    """An anonymous GET. `bypass="page"`: a page-cache miss (a query string not sent
    before) with the parts still cached; `bypass="all"`: after clearing the cache."""
    if bypass == "all":
        cache.clear()
    elif bypass == "page":
        url += f"{'&' if '?' in url else '?'}first-time={next(_misses)}"
    return Client().get(url, **extra)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def same_page(response):
    """The page without the sign-in link's return address (which names the query)."""
    return re.sub(r"\?next=[^\"]*", "", html(response))


def explainer_part(response):
    found = re.search(r'<article class="explainer">.*?</article>', html(response), re.S)
    assert found, "no explainer article on the page"
    return found.group(0)


def related_part(response):
    found = re.search(r'<section class="related".*?</section>', html(response), re.S)
    return found.group(0) if found else ""


def comments_part(response):
    page = html(response)
    assert '<section id="comments"' in page
    return page[page.index('<section id="comments"') :]


def comment_count(response):
    found = re.search(r"data-comment-count>(\d+)<", html(response))
    return int(found.group(1))


def post_comment(client, article, body):
    response = client.post(
        reverse("comments:post", kwargs={"slug": article.slug}), {"body": body}
    )
    assert response.status_code == 302, response.status_code


def rewrite_first_fact_quietly(article):
    """Change what the article part shows without moving any version."""
    KeyFact.objects.filter(article=article, position=0).update(text=SNEAKY)


# A page miss with warm parts.


def test_a_page_miss_with_warm_parts_costs_at_most_the_row_then_nothing(article, topic):
    make_article(title="A sibling on rivers", topics=[topic])
    post_comment(signed_in(make_reader()), article, "Bridges need inspections.")
    url = article.get_absolute_url()
    first = anon(url)
    assert first["X-Cache"] == "miss"
    # Every part has something in it, so each one is really built and kept.
    assert "Fact text 0." in explainer_part(first)
    assert "A sibling on rivers" in related_part(first)
    assert "Bridges need inspections." in comments_part(first)
    assert 'property="og:url"' in html(first)

    with CaptureQueriesContext(connection) as part_queries:
        from_parts = anon(url, bypass="page")
    with CaptureQueriesContext(connection) as uncached_queries:
        uncached = anon(url, bypass="all")

    assert from_parts["X-Cache"] == uncached["X-Cache"] == "miss"
    # At most the article row (which may itself come from the cache once the process
    # knows the page); a render with nothing cached takes several queries more.
    assert len(part_queries) <= 1, [q["sql"] for q in part_queries]
    for query in part_queries:
        assert '"articles_article"."slug" =' in query["sql"], query["sql"]
    assert len(uncached_queries) > 1
    assert same_page(from_parts) == same_page(uncached) == same_page(first)

    # By the second miss the row is kept under its version: from then on, none.
    anon(url, bypass="page")
    with CaptureQueriesContext(connection) as steady_queries:
        steady = anon(url, bypass="page")
    assert len(steady_queries) == 0, [q["sql"] for q in steady_queries]
    assert same_page(steady) == same_page(first)


# Each part is rebuilt when its own input changes.


def test_a_key_fact_published_in_the_admin_shows_on_a_page_built_from_parts(
    article, superuser_client
):
    url = article.get_absolute_url()
    assert "Fact text 0." in explainer_part(anon(url))
    data = form_data(superuser_client.get(change_url(article)))
    set_row(data, "key_facts", 0, text="Water rose two metres.")
    data["_action"] = "publish"

    assert superuser_client.post(change_url(article), data).status_code == 302

    for response in (anon(url, bypass="page"), anon(url)):
        part = explainer_part(response)
        assert "Water rose two metres." in part
        assert "Fact text 0." not in part


def test_a_title_patched_through_the_api_shows_in_the_story_and_its_metadata(article):
    url = article.get_absolute_url()
    first = anon(url)
    assert 'content="Why the river flooded"' in html(first)
    editor_api = APIClient()
    editor_api.force_authenticate(make_user(role="editor"))

    response = editor_api.patch(
        api_detail(article), {"title": "How the levee gave way"}, format="json"
    )

    assert response.status_code == 200
    page = anon(url, bypass="page")
    assert re.search(r"<h1\b[^>]*>How the levee gave way</h1>", html(page))
    assert '<meta property="og:title" content="How the levee gave way">' in html(page)
    assert '"headline": "How the levee gave way"' in html(page)
    assert "Why the river flooded" not in html(page)


def test_a_new_comment_rebuilds_the_comments_part_and_nothing_else(article):
    url = article.get_absolute_url()
    first = anon(url)
    assert comment_count(first) == 0
    rewrite_first_fact_quietly(article)

    post_comment(signed_in(make_reader()), article, "Bridges need inspections.")

    for response in (anon(url), anon(url, bypass="page")):
        assert response["X-Cache"] == "miss"
        assert "Bridges need inspections." in comments_part(response)
        assert comment_count(response) == 1
        # The story came from the cache: the same bytes, without the quiet edit.
        assert explainer_part(response) == explainer_part(first)
        assert SNEAKY not in html(response)


def test_each_comment_order_has_its_own_comments_part(article):
    older = signed_in(make_reader())
    post_comment(older, article, "The first word on this.")
    post_comment(signed_in(make_reader()), article, "The latest word on this.")
    url = article.get_absolute_url()

    oldest_first = comments_part(anon(url))
    newest_first = comments_part(anon(f"{url}?comments=newest", bypass="page"))

    assert oldest_first.index("The first word") < oldest_first.index("latest word")
    assert newest_first.index("latest word") < newest_first.index("The first word")


def test_an_explainer_published_in_the_same_topic_joins_the_related_list(
    article, topic, superuser_client
):
    draft = make_article(title="The dam that held", status="draft", topics=[topic])
    url = article.get_absolute_url()
    first = anon(url)
    assert "The dam that held" not in html(first)
    rewrite_first_fact_quietly(article)

    superuser_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )

    for response in (anon(url, bypass="page"), anon(url)):
        assert "The dam that held" in related_part(response)
        # This explainer's own story did not change, so it came from the cache.
        assert explainer_part(response) == explainer_part(first)
        assert SNEAKY not in html(response)


def test_a_scheduled_explainer_joins_the_related_list_at_its_time_without_a_write(
    article, topic
):
    # Well inside the cache's one-hour lifetime, so the parts kept now are still
    # there when the clock passes this moment (local memory expires them by clock).
    moment = timezone.now() + timedelta(minutes=30)
    make_article(title="The flood report", publish_at=moment, topics=[topic])
    url = article.get_absolute_url()
    assert "The flood report" not in html(anon(url))
    assert anon(url)["X-Cache"] == "hit"

    with time_machine.travel(moment - timedelta(seconds=1)):
        assert "The flood report" not in html(anon(url, bypass="page"))
        assert "The flood report" not in html(anon(url))
    with time_machine.travel(moment + timedelta(seconds=1)):
        from_parts = anon(url, bypass="page")
        plain = anon(url)

    # No version moved: only the next publish time in the related part's key did.
    assert "The flood report" in related_part(from_parts)
    assert "The flood report" in related_part(plain)


def test_renaming_the_topic_shows_in_the_tags_and_metadata(
    article, topic, superuser_client
):
    url = article.get_absolute_url()
    assert ">Rivers</a>" in explainer_part(anon(url))

    superuser_client.post(
        reverse("admin:articles_topic_change", args=[topic.pk]),
        {"name": "Floods", "slug": topic.slug, "description": ""},
    )

    for response in (anon(url, bypass="page"), anon(url)):
        tags = re.search(r'<ul class="topic-tags".*?</ul>', html(response), re.S)
        assert ">Floods</a>" in tags.group(0)
        assert ">Rivers</a>" not in tags.group(0)
        assert '<meta property="article:section" content="Floods">' in html(response)


# Parts are shared by anonymous readers only.


def test_parts_never_cross_from_a_signed_in_reader_to_anonymous_ones(topic):
    article = make_article(
        title="Why the river flooded",
        topics=[topic],
        comments_mode=Article.CommentsMode.PREMODERATED,
    )
    url = article.get_absolute_url()
    assert "Sign in to leave a comment" in comments_part(anon(url))
    reader = signed_in(make_reader(display_name="Carol Pending"))

    before = reader.get(url)
    post_comment(reader, article, "Waiting for a moderator.")
    after = reader.get(url)

    for own in (before, after):
        region = comments_part(own)
        assert "Sign in to leave a comment" not in region
        assert 'id="comment-form-body"' in region
        assert "csrfmiddlewaretoken" in region
    assert "Waiting for a moderator." in comments_part(after)
    for response in (anon(url, bypass="page"), anon(url)):
        region = comments_part(response)
        assert "Sign in to leave a comment" in region
        assert 'id="comment-form-body"' not in region
        assert "Waiting for a moderator." not in html(response)
        assert "Carol Pending" not in html(response)
        assert "csrfmiddlewaretoken" not in html(response)
        assert not response.cookies


def test_each_host_and_scheme_gets_its_own_links(article, settings):
    settings.ALLOWED_HOSTS = ["news.example.org", "mirror.example.net", "testserver"]
    url = article.get_absolute_url()

    def links(response):
        page = html(response)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page)
        og_url = re.search(r'<meta property="og:url" content="([^"]+)">', page)
        return canonical.group(1), og_url.group(1)

    requests = [
        ("news.example.org", False, None),
        ("mirror.example.net", False, "page"),
        ("mirror.example.net", False, None),
        ("news.example.org", True, "page"),
        ("news.example.org", False, "page"),
        ("mirror.example.net", True, None),
    ]
    for host, secure, bypass in requests:
        response = anon(url, bypass=bypass, HTTP_HOST=host, secure=secure)
        scheme = "https" if secure else "http"
        expected = f"{scheme}://{host}{url}"
        assert links(response) == (expected, expected), (host, secure, bypass)
        assert f'"url": "{expected}"' in html(response)


# The staff preview neither reads nor fills parts.


def test_the_staff_preview_renders_from_the_database_and_leaves_parts_alone(article):
    url = article.get_absolute_url()
    assert "Fact text 0." in explainer_part(anon(url))
    staff = signed_in(make_user(role="editor"))
    rewrite_first_fact_quietly(article)

    preview = staff.get(reverse("articles:preview", args=[article.pk]))

    # The preview read the database, not the part an anonymous reader filled ...
    assert SNEAKY in explainer_part(preview)
    # ... and did not fill one either: anonymous readers still get the kept part.
    from_parts = anon(url, bypass="page")
    assert "Fact text 0." in explainer_part(from_parts)
    assert SNEAKY not in html(from_parts)
    assert "preview-banner" not in html(from_parts)


def test_a_scheduled_explainer_previewed_by_staff_goes_live_without_their_parts(topic):
    # The one way an unpublished explainer goes live with no write (so no version
    # moves): its scheduled time passes. Anything its preview kept would show then.
    moment = timezone.now() + timedelta(minutes=30)
    scheduled = make_article(
        title="Embargoed until noon", publish_at=moment, facts=1, topics=[topic]
    )
    staff = signed_in(make_user(role="editor", display_name="Eve Editor"))
    preview = staff.get(reverse("articles:preview", args=[scheduled.pk]))
    assert "preview-banner" in html(preview)
    assert "Comments open once the explainer is published" in comments_part(preview)
    url = scheduled.get_absolute_url()
    assert anon(url).status_code == 404

    with time_machine.travel(moment + timedelta(seconds=1)):
        responses = [anon(url), anon(url, bypass="page")]

    for response in responses:
        page = html(response)
        assert "Embargoed until noon" in explainer_part(response)
        assert "Sign in to leave a comment" in comments_part(response)
        for private_bit in ("csrfmiddlewaretoken", "preview-banner", "Eve Editor"):
            assert private_bit not in page
