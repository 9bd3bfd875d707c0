"""Comments on one Key Fact, Quick Answer or FAQ entry ("Discuss this fact", #14).

Through the pages (the explainer, the annotation's own page, the form posts), the
moderation admin and the comments API.
"""

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, KeyFact
from articles.services import article_save
from comments import services
from comments.models import BannedWord, Comment
from tests import factories
from tests.helpers import assert_explainer_page_cost, region, signed_in

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def article(db):
    return factories.make_article(
        title="Why the bridge closed", slug="bridge", facts=2, answers=1, faqs=1
    )


def page_of(article, kind, anchor):
    return f"/explainers/{article.slug}/{kind}/{anchor}/"


def post_url(article):
    return reverse("comments:post", kwargs={"slug": article.slug})


def api_url(article, query=""):
    return f"{reverse('api:article-comments', kwargs={'slug': article.slug})}{query}"


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def csrf_token(page_html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_html)[1]


def fact_item(page_html, anchor):
    """The <li> of the Key Fact at `anchor` on an explainer page."""
    found = re.search(rf'<li id="{anchor}" class="key-fact">.*?</li>', page_html, re.S)
    assert found, anchor
    return found.group(0)


def comment_on(article, author, anchor, body="A fair point about this.", **kwargs):
    return services.comment_post(
        article=article, author=author, body=body, annotation=anchor, **kwargs
    )


# The explainer page.


def test_each_annotation_offers_to_discuss_it_on_its_page(client, article):
    page = html(client.get(article.get_absolute_url()))
    fact = article.key_facts.first()
    answer = article.quick_answers.get()
    faq = article.faqs.get()

    links = re.findall(r'<a class="annotation-discuss" href="([^"]+)">([^<]+)', page)

    assert (
        f"{page_of(article, 'facts', fact.anchor)}#comments",
        "Discuss this fact",
    ) in links
    assert (
        f"{page_of(article, 'answers', answer.anchor)}#comments",
        "Discuss this answer",
    ) in links
    assert (
        f"{page_of(article, 'faq', faq.anchor)}#comments",
        "Discuss this answer",
    ) in links
    # No comments yet: no count, and no marks left in the page.
    assert "annotation-comments" not in page
    assert "comments-on:" not in page


def test_reader_discusses_a_fact_without_javascript(article):
    reader = factories.make_reader(display_name="Ada Reader")
    fact, other = article.key_facts.all()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)

    # "Discuss this fact" leads to the fact's page, whose form names the fact.
    fact_page = html(browser.get(page_of(article, "facts", fact.anchor)))
    assert "Comments on this key fact" in fact_page
    assert f'<input type="hidden" name="annotation" value="{fact.anchor}">' in (
        fact_page
    )
    response = browser.post(
        post_url(article),
        {
            "csrfmiddlewaretoken": csrf_token(fact_page),
            "annotation": fact.anchor,
            "body": "The budget line hides the repair costs.",
        },
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    # In the explainer's thread, with a quote of the fact that links to its page.
    thread = region(browser.get(article.get_absolute_url()))
    quote = re.search(r'<blockquote class="comment-quote">.*?</blockquote>', thread)
    assert quote, thread
    assert f'href="{page_of(article, "facts", fact.anchor)}"' in quote[0]
    assert "Fact 0: Fact text 0." in quote[0]
    assert "The budget line hides the repair costs." in thread
    # The fact shows its count, linking to its comments; the other fact shows none.
    for client in (browser, Client()):
        page = html(client.get(article.get_absolute_url()))
        count = re.search(
            r'<a class="annotation-comments" href="([^"]+)">([^<]+)<', page
        )
        assert count.groups() == (
            f"{page_of(article, 'facts', fact.anchor)}#comments",
            "1 comment",
        )
        assert count[0] in fact_item(page, fact.anchor)
        assert "annotation-comments" not in fact_item(page, other.anchor)
    # The fact's page lists it; the other fact's page does not.
    anonymous = Client()
    assert "The budget line hides" in html(
        anonymous.get(page_of(article, "facts", fact.anchor))
    )
    other_page = html(anonymous.get(page_of(article, "facts", other.anchor)))
    assert "The budget line hides" not in other_page
    assert "No comments on this key fact yet." in other_page


def test_replies_belong_to_their_comments_annotation(article):
    fact = article.key_facts.first()
    answer = article.quick_answers.get()
    top = comment_on(article, factories.make_reader(), answer.anchor)
    replier = signed_in(factories.make_reader())

    response = replier.post(
        post_url(article), {"body": "Agreed, and then some.", "parent": top.pk}
    )

    assert response.status_code == 302
    reply = Comment.objects.get(parent=top)
    assert (reply.annotation_kind, reply.annotation_anchor) == (
        "quick_answers",
        answer.anchor,
    )
    answer_page = html(Client().get(page_of(article, "answers", answer.anchor)))
    assert "Agreed, and then some." in answer_page
    assert '<span class="comments-count" data-comment-count>2</span>' in answer_page
    explainer = html(Client().get(article.get_absolute_url()))
    assert ">2 comments</a>" in explainer
    # A reply is never filed under another annotation.
    refused = replier.post(
        post_url(article),
        {"body": "Sneaking elsewhere.", "parent": top.pk, "annotation": fact.anchor},
    )
    assert refused.status_code == 400
    assert "A reply is about what its comment is about." in refused.content.decode()


def test_an_faq_comment_counts_beside_the_faq_entry(article):
    faq = article.faqs.get()
    comment_on(article, factories.make_reader(), faq.anchor)

    page = html(Client().get(article.get_absolute_url()))

    entry = re.search(r'<details id="faq-.*?</details>', page, re.S)[0]
    assert (
        f'<a class="annotation-comments" href="'
        f'{page_of(article, "faq", faq.anchor)}#comments">1 comment</a>'
    ) in entry


# Bad input.


@pytest.mark.parametrize(
    "annotation, message",
    [
        ("fact-no-such-thing", "This explainer has no Key Fact, answer or FAQ entry"),
        ("not a slug!", "That is not a Key Fact, answer or FAQ entry of this page."),
    ],
)
def test_an_unknown_annotation_is_a_form_error_not_a_comment(
    article, annotation, message
):
    reader = signed_in(factories.make_reader())

    response = reader.post(
        post_url(article), {"body": "About something.", "annotation": annotation}
    )

    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Comment.objects.exists()


def test_a_comment_sent_back_for_a_fix_stays_on_its_annotation(article):
    fact = article.key_facts.first()
    reader = signed_in(factories.make_reader())

    response = reader.post(post_url(article), {"body": "", "annotation": fact.anchor})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Write something before posting." in page
    assert f'<input type="hidden" name="annotation" value="{fact.anchor}">' in page


def test_an_annotation_of_another_explainer_is_refused(article):
    elsewhere = factories.make_article()
    toll = KeyFact.objects.create(article=elsewhere, label="Tolls", text="Up 5%.")
    reader = signed_in(factories.make_reader())

    response = reader.post(
        post_url(article), {"body": "Wrong page.", "annotation": toll.anchor}
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_anonymous_readers_are_asked_to_sign_in_on_the_annotation_page(client, article):
    fact = article.key_facts.first()
    url = page_of(article, "facts", fact.anchor)

    page = html(client.get(url))
    response = client.post(
        post_url(article), {"body": "Let me in.", "annotation": fact.anchor}
    )

    assert f"/accounts/login/?next={url}%23comments" in page
    assert 'name="annotation"' not in page
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_a_post_with_fetch_gets_the_card_as_the_annotation_page_shows_it(article):
    fact = article.key_facts.first()
    reader = signed_in(factories.make_reader())

    response = reader.post(
        post_url(article),
        {"body": "Posted with fetch.", "annotation": fact.anchor},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 201
    card = response.json()["html"]
    assert "Posted with fetch." in card
    # The page it was posted from is the fact's: its cards do not quote the fact.
    assert "comment-quote" not in card
    page = html(reader.get(page_of(article, "facts", fact.anchor)))
    assert "Posted with fetch." in page
    assert "comment-quote" not in page


# Comment rules and moderation apply unchanged.


def test_closed_explainers_take_no_annotation_comments(article):
    Article.objects.filter(pk=article.pk).update(
        comments_mode=Article.CommentsMode.CLOSED
    )
    fact = article.key_facts.first()
    reader = signed_in(factories.make_reader())

    page = html(reader.get(page_of(article, "facts", fact.anchor)))
    response = reader.post(
        post_url(article), {"body": "Too late?", "annotation": fact.anchor}
    )

    assert "Comments are closed on this explainer." in page
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.usefixtures("page_cache_on")
def test_held_comment_appears_on_the_annotation_page_once_approved(
    article, editor_client
):
    fact = article.key_facts.first()
    url = page_of(article, "facts", fact.anchor)
    BannedWord.objects.create(word="scam")
    author = signed_in(factories.make_reader(display_name="Held Author"))
    assert Client().get(url)["X-Cache"] == "miss"
    assert Client().get(url)["X-Cache"] == "hit"
    assert Client().get(article.get_absolute_url())["X-Cache"] == "miss"

    author.post(post_url(article), {"body": "Total scam.", "annotation": fact.anchor})

    held = Comment.objects.get()
    assert held.status == Comment.Status.PENDING
    # Only its author sees it, on the fact's page as in the thread.
    assert "Total scam." in html(author.get(url))
    for page in (Client().get(url), Client().get(article.get_absolute_url())):
        assert "Total scam." not in html(page)
        assert "annotation-comments" not in html(page)

    editor_client.post(CHANGELIST, {"action": "approve", "_selected_action": [held.pk]})

    fresh = Client().get(url)
    assert fresh["X-Cache"] == "miss"
    assert "Total scam." in html(fresh)
    explainer = html(Client().get(article.get_absolute_url()))
    assert ">1 comment</a>" in fact_item(explainer, fact.anchor)

    editor_client.post(CHANGELIST, {"action": "hide", "_selected_action": [held.pk]})

    assert "Total scam." not in html(Client().get(url))
    explainer = html(Client().get(article.get_absolute_url()))
    assert "annotation-comments" not in fact_item(explainer, fact.anchor)


def test_moderators_see_and_filter_what_a_comment_is_about(article, editor_client):
    fact = article.key_facts.first()
    on_fact = comment_on(article, factories.make_reader(), fact.anchor)
    services.comment_post(
        article=article, author=factories.make_reader(), body="On the whole story."
    )

    change = editor_client.get(
        reverse("admin:comments_comment_change", args=[on_fact.pk])
    )
    listed = editor_client.get(CHANGELIST, {"annotation_kind": "key_facts"})

    assert "Fact 0: Fact text 0." in html(change)
    assert fact.anchor in html(change)
    assert listed.context["cl"].result_count == 1


@pytest.mark.usefixtures("page_cache_on")
def test_a_new_comment_refreshes_the_cached_annotation_page(article):
    answer = article.quick_answers.get()
    url = page_of(article, "answers", answer.anchor)
    Client().get(url)
    assert Client().get(url)["X-Cache"] == "hit"

    comment_on(article, factories.make_reader(), answer.anchor, body="Now shown.")

    fresh = Client().get(url)
    assert fresh["X-Cache"] == "miss"
    assert "Now shown." in html(fresh)


def test_a_new_comment_changes_the_annotation_pages_etag(client, article):
    fact = article.key_facts.first()
    url = page_of(article, "facts", fact.anchor)
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    comment_on(article, factories.make_reader(), fact.anchor)

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_comment_keeps_its_quote_once_the_annotation_is_gone(article, editor):
    fact, kept = article.key_facts.all()
    comment_on(article, factories.make_reader(), fact.anchor, body="Still here.")

    article_save(
        user=editor,
        article=article,
        fields={},
        key_facts=[{"id": kept.pk, "label": kept.label, "text": kept.text}],
    )

    page = html(Client().get(article.get_absolute_url()))
    quote = re.search(r'<blockquote class="comment-quote">.*?</blockquote>', page)[0]
    assert "Fact 0: Fact text 0." in quote
    assert "<a " not in quote
    assert "Still here." in page
    assert "annotation-comments" not in page
    assert Client().get(page_of(article, "facts", fact.anchor)).status_code == 404


# The API.


def test_api_filters_by_annotation_and_names_each_comments_annotation(article):
    fact = article.key_facts.first()
    on_fact = comment_on(article, factories.make_reader(), fact.anchor)
    services.comment_post(article=article, author=factories.make_reader(), body="Gen")
    services.comment_post(
        article=article, author=factories.make_reader(), body="Re", parent=on_fact
    )

    everything = APIClient().get(api_url(article)).json()
    filtered = APIClient().get(api_url(article, f"?annotation={fact.anchor}")).json()
    none = APIClient().get(api_url(article, "?annotation=faq-nothing-here")).json()

    assert everything["count"] == 2
    assert filtered["count"] == 1
    [item] = filtered["results"]
    expected = {
        "kind": "key_facts",
        "anchor": fact.anchor,
        "quote": "Fact 0: Fact text 0.",
        "url": page_of(article, "facts", fact.anchor),
    }
    assert item["annotation"] == expected
    assert item["replies"][0]["annotation"] == expected
    general = next(i for i in everything["results"] if i["id"] != on_fact.pk)
    assert general["annotation"] is None
    assert none["count"] == 0


def test_api_posts_a_comment_on_an_annotation(article):
    answer = article.quick_answers.get()
    api = APIClient()
    api.force_authenticate(factories.make_reader())

    response = api.post(
        api_url(article),
        {"body": "Posted from an app.", "annotation": answer.anchor},
        format="json",
    )
    unknown = api.post(
        api_url(article),
        {"body": "Posted from an app.", "annotation": "answer-nope"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["annotation"]["anchor"] == answer.anchor
    assert response.json()["annotation"]["quote"] == "Question 0? Answer 0."
    assert unknown.status_code == 400
    assert "annotation" in unknown.json()["error"]["fields"]
    assert Comment.objects.get().annotation_anchor == answer.anchor


def test_api_refuses_a_malformed_annotation_filter(article):
    bad = APIClient().get(api_url(article, "?annotation=not%20a%20slug"))
    unknown = APIClient().get(api_url(article, "?about=fact-0"))

    assert bad.status_code == 400
    assert "annotation" in bad.json()["error"]["fields"]
    assert unknown.status_code == 400


def test_api_detail_drops_the_link_once_the_annotation_is_gone(article, editor):
    fact, kept = article.key_facts.all()
    comment = comment_on(article, factories.make_reader(), fact.anchor)
    detail = reverse("api:comment-detail", args=[comment.pk])
    assert APIClient().get(detail).json()["annotation"]["url"]

    article_save(
        user=editor,
        article=article,
        fields={},
        key_facts=[{"id": kept.pk, "label": kept.label, "text": kept.text}],
    )

    annotation = APIClient().get(detail).json()["annotation"]
    assert annotation["url"] is None
    assert annotation["quote"] == "Fact 0: Fact text 0."


# Query counts stay put as annotation comments grow.


def _annotated_explainer(size):
    article = factories.make_article(
        facts=size, answers=size, faqs=size, topics=[factories.make_topic()]
    )
    lists = (article.key_facts.all(), article.quick_answers.all(), article.faqs.all())
    for items in lists:
        for item in items:
            top = comment_on(article, factories.make_reader(), item.anchor)
            services.comment_post(
                article=article,
                author=factories.make_reader(),
                body="A reply.",
                parent=top,
            )
    return article


@pytest.mark.parametrize("size", [1, 15])
def test_explainer_page_cost_does_not_grow_with_annotation_comments(
    client, django_assert_num_queries, size
):
    article = _annotated_explainer(size)

    assert_explainer_page_cost(
        client, article.get_absolute_url(), django_assert_num_queries
    )
    page = html(client.get(article.get_absolute_url()))
    assert page.count(">2 comments</a>") == 3 * size


@pytest.mark.parametrize("size", [1, 15])
def test_annotation_page_cost_does_not_grow_with_its_comments(client, size):
    article = factories.make_article(facts=1)
    fact = article.key_facts.get()
    url = page_of(article, "facts", fact.anchor)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            page = html(Client().get(url))
        return len(queries), page

    without, _ = page_queries()
    for _ in range(size):
        comment_on(article, factories.make_reader(), fact.anchor)

    # The comments on the fact come in one query, none or many of them.
    cost, page = page_queries()
    assert cost == without
    assert page.count('class="comment-card"') == size


@pytest.mark.parametrize("size", [1, 15])
def test_api_list_cost_does_not_grow_with_annotation_comments(size):
    article = _annotated_explainer(size)

    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get(api_url(article)).status_code == 200
    # The explainer, the count, the page, its replies, the explainer's anchors.
    assert len(queries) == 5
