"""One Key Fact in several explainers: the library, correcting once, deleting."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, KeyFact, WorkingCopy
from tests.factories import make_article, make_author, make_topic
from tests.helpers import (
    assert_explainer_page_cost,
    change_url,
    form_data,
    messages_of,
    set_row,
    text_of,
)

pytestmark = pytest.mark.django_db

LIBRARY = reverse("admin:articles_keyfact_changelist")
ADD_TO = reverse("admin:articles_keyfact_add_to")


def page_text(article):
    return text_of(Client().get(article.get_absolute_url()).content.decode())


def fact_page(article, anchor):
    url = reverse(
        "articles:annotation",
        kwargs={"slug": article.slug, "kind": "facts", "anchor": anchor},
    )
    return Client().get(url)


def share(editor_client, fact, article):
    """Pick `fact` from the library for `article`, as an editor does in the admin."""
    editor_client.get(LIBRARY, {"for": article.pk})
    return editor_client.post(ADD_TO, {"article": article.pk, "uid": fact.uid})


def publish(editor_client, article):
    data = form_data(editor_client.get(change_url(article)))
    data["_action"] = "publish"
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, response.context and messages_of(response)


@pytest.fixture
def two_explainers():
    budget = make_article(title="The city budget", facts=0)
    KeyFact.objects.create(
        article=budget, position=0, label="Deficit", text="The deficit is 4 million."
    )
    KeyFact.objects.create(
        article=budget, position=1, label="Vote", text="The council votes on Friday."
    )
    schools = make_article(title="School funding", facts=2)
    return budget, schools


def test_the_library_lists_each_fact_once_and_searches_it(
    editor_client, two_explainers
):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    share(editor_client, deficit, schools)
    publish(editor_client, schools)
    page = editor_client.get(LIBRARY)
    html = page.content.decode()
    assert html.count("The deficit is 4 million.") == 1
    assert "2 explainers" in html
    found = editor_client.get(LIBRARY, {"q": "council"}).content.decode()
    assert "The council votes on Friday." in found
    assert "The deficit is 4 million." not in found


def test_an_editor_adds_a_fact_from_the_library_and_it_keeps_its_place(
    editor_client, two_explainers
):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    # The explainer form links to the library; the library offers the fact.
    form = editor_client.get(change_url(schools)).content.decode()
    assert f"{LIBRARY}?for={schools.pk}" in form
    listing = editor_client.get(LIBRARY, {"for": schools.pk}, follow=True)
    assert "Add to this explainer" in listing.content.decode()
    assert "School funding" in listing.content.decode()

    response = share(editor_client, deficit, schools)
    assert response.status_code == 302
    # A live explainer gets it in its working copy: readers see it once published.
    assert "The deficit is 4 million." not in page_text(schools)
    publish(editor_client, schools)
    assert "The deficit is 4 million." in page_text(schools)
    rows = KeyFact.objects.filter(uid=deficit.uid)
    assert {row.article_id for row in rows} == {budget.pk, schools.pk}
    # Each explainer keeps its own order: last in one, first in the other.
    assert schools.key_facts.order_by("position").last().uid == deficit.uid
    assert budget.key_facts.order_by("position").first().uid == deficit.uid
    # Adding it twice is refused with a message.
    again = share(editor_client, deficit, schools)
    assert "already shows that fact" in " ".join(
        messages_of(editor_client.get(again["Location"]))
    )


def test_correcting_a_shared_fact_once_corrects_every_explainer(
    editor_client, two_explainers, page_cache_on
):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    share(editor_client, deficit, schools)
    publish(editor_client, schools)
    # Both pages are read (and cached) with the old words.
    assert "The deficit is 4 million." in page_text(budget)
    assert "The deficit is 4 million." in page_text(schools)

    data = form_data(editor_client.get(change_url(budget)))
    set_row(data, "key_facts", 0, text="The deficit is 6 million.")
    data["_action"] = "publish"
    assert editor_client.post(change_url(budget), data).status_code == 302

    for article in (budget, schools):
        text = page_text(article)
        assert "The deficit is 6 million." in text
        assert "4 million" not in text
    # The other explainer's public change history shows the correction.
    history = (
        Client()
        .get(reverse("articles:changes", kwargs={"slug": schools.slug}))
        .content.decode()
    )
    history = text_of(history)
    assert "Version 2: updated" in history
    assert "The deficit is 4 million. The deficit is 6 million." in history
    # The API agrees.
    api = Client().get(reverse("api:article-detail", kwargs={"slug": schools.slug}))
    assert "The deficit is 6 million." in api.content.decode()


def test_a_working_copy_elsewhere_gets_the_correction_too(
    editor_client, two_explainers
):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    share(editor_client, deficit, schools)
    publish(editor_client, schools)
    # Schools has unpublished changes holding the fact's old words.
    data = form_data(editor_client.get(change_url(schools)))
    data["dek"] = "A change not yet published."
    assert editor_client.post(change_url(schools), data).status_code == 302
    assert WorkingCopy.objects.filter(article=schools).exists()

    data = form_data(editor_client.get(change_url(budget)))
    set_row(data, "key_facts", 0, text="The deficit is 5 million.")
    data["_action"] = "publish"
    assert editor_client.post(change_url(budget), data).status_code == 302
    # Publishing schools' changes later does not bring the old words back.
    publish(editor_client, schools)
    assert "The deficit is 5 million." in page_text(schools)
    assert "The deficit is 5 million." in page_text(budget)


def test_a_writer_cannot_change_a_fact_published_elsewhere(
    editor_client, writer_client, two_explainers
):
    budget, _schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    draft = make_article(title="A writer's draft", status=Article.Status.DRAFT)
    share(editor_client, deficit, draft)
    data = form_data(writer_client.get(change_url(draft)))
    set_row(data, "key_facts", 0, text="The deficit is 9 million.")
    response = writer_client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "only an editor who can publish" in response.content.decode()
    assert "4 million" in page_text(budget)


def test_the_fact_page_lists_the_explainers_using_it(editor_client, two_explainers):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    share(editor_client, deficit, schools)
    # Not before the other explainer publishes it.
    assert "School funding" not in fact_page(budget, deficit.anchor).content.decode()
    publish(editor_client, schools)
    html = fact_page(budget, deficit.anchor).content.decode()
    assert "Also in these explainers" in html
    assert schools.get_absolute_url() in html
    # Unpublishing the other explainer takes it off the list.
    schools.refresh_from_db()
    data = form_data(editor_client.get(change_url(schools)))
    data["_action"] = "unpublish"
    editor_client.post(change_url(schools), data)
    assert "School funding" not in fact_page(budget, deficit.anchor).content.decode()


def test_deleting_a_shared_fact_asks_first_and_names_every_explainer(
    editor_client, two_explainers, page_cache_on
):
    budget, schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    share(editor_client, deficit, schools)
    publish(editor_client, schools)
    assert "4 million" in page_text(schools)
    delete_url = reverse("admin:articles_keyfact_delete", args=[deficit.pk])
    confirm = editor_client.get(delete_url).content.decode()
    assert "This fact is used in 2 explainers" in confirm
    assert "The city budget" in confirm and "School funding" in confirm
    assert KeyFact.objects.filter(uid=deficit.uid).count() == 2  # nothing yet

    response = editor_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not KeyFact.objects.filter(uid=deficit.uid).exists()
    assert "4 million" not in page_text(schools)
    assert "4 million" not in page_text(budget)


def test_a_writer_cannot_delete_from_the_library(writer_client, two_explainers):
    budget, _schools = two_explainers
    deficit = budget.key_facts.get(label="Deficit")
    delete_url = reverse("admin:articles_keyfact_delete", args=[deficit.pk])
    assert writer_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert KeyFact.objects.filter(pk=deficit.pk).exists()


@pytest.mark.parametrize("shared", [1, 15])
def test_the_explainer_page_costs_the_same_with_many_shared_facts(
    client, django_assert_num_queries, shared
):
    target = make_article(
        title="Uses shared facts", topics=[make_topic()], authors=[make_author()]
    )
    for i in range(shared):
        origin = make_article(title=f"Origin {i}")
        fact = KeyFact.objects.create(
            article=origin, position=0, label=f"Shared {i}", text=f"Shared text {i}."
        )
        KeyFact.objects.create(
            article=target,
            position=i,
            uid=fact.uid,
            label=fact.label,
            text=fact.text,
        )
    assert_explainer_page_cost(
        client, target.get_absolute_url(), django_assert_num_queries
    )


def test_the_api_shares_a_fact_by_its_fact_id(editor, two_explainers):
    from tests.helpers import token_client

    budget, schools = two_explainers
    api = token_client(editor)
    deficit = budget.key_facts.get(label="Deficit")
    detail = api.get(f"/api/v1/articles/{budget.slug}/").json()
    fact_id = detail["key_facts"][0]["fact_id"]
    assert fact_id == str(deficit.uid)
    # A new item naming the fact_id shares the fact.
    keep = [
        {"id": f.pk, "label": f.label, "text": f.text} for f in schools.key_facts.all()
    ]
    response = api.patch(
        f"/api/v1/articles/{schools.slug}/",
        {
            "key_facts": [
                *keep,
                {"fact_id": fact_id, "label": "Deficit", "text": deficit.text},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    uses = api.get("/api/v1/key-facts/", {"fact_id": fact_id}).json()["results"]
    assert {item["explainer"]["slug"] for item in uses} == {budget.slug, schools.slug}
    # Correcting it through one explainer corrects it in the other.
    facts = api.get(f"/api/v1/articles/{budget.slug}/").json()["key_facts"]
    facts[0]["text"] = "The deficit is 7 million."
    payload = [{k: f[k] for k in ("id", "label", "text")} for f in facts]
    assert (
        api.patch(
            f"/api/v1/articles/{budget.slug}/", {"key_facts": payload}, format="json"
        ).status_code
        == 200
    )
    other = api.get(f"/api/v1/articles/{schools.slug}/").json()["key_facts"]
    assert "The deficit is 7 million." in [f["text"] for f in other]
    # A malformed fact_id is a 400 naming the field.
    bad = api.patch(
        f"/api/v1/articles/{schools.slug}/",
        {"key_facts": [{"fact_id": "nope", "label": "x", "text": "y"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "fact_id" in bad.content.decode()
