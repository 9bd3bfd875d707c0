"""/api/v1/key-facts/, /quick-answers/ and /faqs/: the annotations of published
explainers as resources of their own ("Annotations as citable resources")."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from articles import services
from articles.models import FAQ, KeyFact, QuickAnswer
from tests import factories

pytestmark = pytest.mark.django_db

FACTS = "/api/v1/key-facts/"
ANSWERS = "/api/v1/quick-answers/"
FAQS = "/api/v1/faqs/"
SITE = "http://testserver"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def facts_payload(article, **changed_texts):
    """`article`'s Key Facts as article_save takes them, with some texts changed."""
    return [
        {
            "id": fact.pk,
            "label": fact.label,
            "text": changed_texts.get(fact.anchor, fact.text),
        }
        for fact in article.key_facts.order_by("position")
    ]


def test_key_fact_carries_its_text_page_and_explainer(api, article):
    fact = article.key_facts.get(position=0)

    items = results(api.get(FACTS))

    assert items[0] == {
        "id": fact.pk,
        "fact_id": str(fact.uid),
        "anchor": fact.anchor,
        "label": "Fact 0",
        "text": "Fact text 0.",
        "sources": [],
        "url": f"{SITE}/explainers/{article.slug}/facts/{fact.anchor}/",
        "updated_at": fact.updated_at.isoformat().replace("+00:00", "Z"),
        "explainer": {
            "id": article.pk,
            "slug": article.slug,
            "title": "Why the river flooded",
            "url": f"{SITE}/explainers/{article.slug}/",
        },
    }
    assert [item["label"] for item in items] == ["Fact 0", "Fact 1", "Fact 2"]


def test_each_kind_sends_its_own_text_fields_and_page(api, article):
    answer = results(api.get(ANSWERS))[0]
    faq = results(api.get(FAQS))[0]

    assert answer.keys() == {
        *("id", "anchor", "question", "answer", "url", "updated_at", "explainer"),
        "sources",
    }
    assert answer["url"].endswith(f"/answers/{answer['anchor']}/")
    assert faq["answer"] == "**Answer** 0."
    assert faq["answer_html"] == "<p><strong>Answer</strong> 0.</p>"
    assert faq["url"].endswith(f"/faq/{faq['anchor']}/")
    # Every address in the answer is a page that exists.
    assert api.get(faq["url"]).status_code == 200


def test_item_by_id_at_both_addresses(api, article):
    fact = article.key_facts.get(position=1)

    response = api.get(f"{FACTS}{fact.pk}/")
    by_id = api.get(f"{FACTS}id/{fact.pk}/")

    assert response.status_code == 200
    assert response.json()["anchor"] == fact.anchor
    assert by_id.json() == response.json()
    assert by_id["Content-Location"] == f"/api/v1/key-facts/{fact.pk}/"
    assert response["ETag"] and response["Last-Modified"]
    # An id of another kind is not one of these.
    other = article.faqs.first()
    assert api.get(f"{FACTS}{other.pk + 1000}/").status_code == 404
    assert api.get(f"{FACTS}not-a-number/").status_code == 404


@pytest.mark.parametrize(
    "status,publish_in",
    [("draft", None), ("review", None), ("published", datetime.timedelta(days=1))],
)
def test_drafts_and_scheduled_explainers_items_never_show(
    api, api_as, editor, status, publish_in
):
    publish_at = timezone.now() + publish_in if publish_in else None
    hidden = factories.make_article(
        status=status, publish_at=publish_at, facts=1, answers=1, faqs=1
    )
    fact = hidden.key_facts.get()

    for client in (api, api_as(editor)):
        for address in (FACTS, ANSWERS, FAQS):
            assert results(client.get(address)) == []
        assert client.get(f"{FACTS}{fact.pk}/").status_code == 404
        assert client.get(f"{FACTS}id/{fact.pk}/").status_code == 404
        assert client.get(FACTS, {"explainer": hidden.slug}).json()["count"] == 0


def test_scheduled_explainers_items_appear_on_time(api):
    soon = timezone.now() + datetime.timedelta(hours=1)
    factories.make_article(publish_at=soon, facts=2)

    assert results(api.get(FACTS)) == []
    with time_machine.travel(soon + datetime.timedelta(seconds=1)):
        assert len(results(api.get(FACTS))) == 2


def test_default_order_is_newest_explainer_first_then_position(api):
    now = timezone.now()
    old = factories.make_article(publish_at=now - datetime.timedelta(days=2), facts=2)
    new = factories.make_article(publish_at=now - datetime.timedelta(days=1), facts=2)

    items = results(api.get(FACTS))
    explicit = results(api.get(FACTS, {"ordering": "position"}))

    order = [(item["explainer"]["id"], item["label"]) for item in items]
    assert order == [
        (new.pk, "Fact 0"),
        (new.pk, "Fact 1"),
        (old.pk, "Fact 0"),
        (old.pk, "Fact 1"),
    ]
    assert explicit == items


def test_filter_by_explainer_slug_or_id(api, article):
    other = factories.make_article(title="Another story", facts=2)
    digits = factories.make_article(slug=str(article.pk), facts=1)

    by_slug = results(api.get(FACTS, {"explainer": other.slug}))
    by_id = results(api.get(FACTS, {"explainer": str(other.pk)}))
    # A slug of digits matches the explainer with that slug and the one with that id.
    either = results(api.get(FACTS, {"explainer": str(article.pk)}))

    assert {item["explainer"]["id"] for item in by_slug} == {other.pk}
    assert by_id == by_slug
    assert {item["explainer"]["id"] for item in either} == {article.pk, digits.pk}
    assert results(api.get(FACTS, {"explainer": "no-such-story"})) == []
    assert results(api.get(FACTS, {"explainer": "9" * 30})) == []


def test_filter_by_topic(api, article, topic):
    factories.make_article(facts=2, topics=[factories.make_topic("Housing")])

    items = results(api.get(FAQS, {"topic": topic.slug}))

    assert len(items) == 2
    assert {item["explainer"]["id"] for item in items} == {article.pk}
    assert results(api.get(FAQS, {"topic": "no-such-topic"})) == []


def test_search_looks_in_both_text_fields_any_case(api, article):
    KeyFact.objects.filter(article=article, position=1).update(text="The BUDGET grew.")
    QuickAnswer.objects.filter(article=article, position=0).update(
        question="How high did the water rise?"
    )

    facts = results(api.get(FACTS, {"q": "budget"}))
    labels = results(api.get(FACTS, {"q": "fact 2"}))
    answers = results(api.get(ANSWERS, {"q": "WATER"}))

    assert [item["text"] for item in facts] == ["The BUDGET grew."]
    assert [item["label"] for item in labels] == ["Fact 2"]
    assert [item["question"] for item in answers] == ["How high did the water rise?"]


def test_updated_after_and_before(api, article):
    moved = article.key_facts.get(position=2)
    later = timezone.now() + datetime.timedelta(minutes=5)
    KeyFact.objects.filter(pk=moved.pk).update(updated_at=later)
    between = (later - datetime.timedelta(minutes=1)).isoformat()

    after = results(api.get(FACTS, {"updated_after": between}))
    before = results(api.get(FACTS, {"updated_before": between}))

    assert [item["id"] for item in after] == [moved.pk]
    assert len(before) == 2 and moved.pk not in {item["id"] for item in before}
    assert api.get(FACTS, {"updated_after": "yesterday"}).status_code == 400


@pytest.mark.parametrize("ordering", ["updated_at", "-updated_at"])
def test_cursor_walk_sends_every_item_once_in_order(api, ordering):
    for _ in range(3):
        factories.make_article(facts=3)
    stamps = iter(range(9))
    base = timezone.now() - datetime.timedelta(hours=1)
    for fact in KeyFact.objects.order_by("?"):
        # Two by two the same time: the id breaks the tie.
        at = base + datetime.timedelta(minutes=next(stamps) // 2)
        KeyFact.objects.filter(pk=fact.pk).update(updated_at=at)

    seen, address = [], FACTS
    params = {"ordering": ordering, "page_size": 2}
    while address:
        response = api.get(address, params)
        page = results(response)
        assert len(page) <= 2
        seen += [(item["updated_at"], item["id"]) for item in page]
        address, params = response.json()["next"], None

    assert len(seen) == len(set(seen)) == 9
    assert seen == sorted(seen, reverse=ordering.startswith("-"))


@pytest.mark.parametrize(
    "address,params",
    [
        (FACTS, {"explainer_slug": "x"}),
        (FACTS, {"ordering": "label"}),
        (FACTS, {"page": "2", "ordering": "updated_at"}),
        (FAQS, {"cursor": "garbage", "ordering": "updated_at"}),
        (ANSWERS, {"status": "draft"}),
    ],
)
def test_unknown_or_bad_parameters_are_400(api, article, address, params):
    response = api.get(address, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_detail_refuses_list_parameters(api, article):
    fact = article.key_facts.first()

    assert api.get(f"{FACTS}{fact.pk}/", {"q": "x"}).status_code == 400
    assert api.get(f"{FACTS}id/{fact.pk}/", {"topic": "x"}).status_code == 400


@pytest.mark.parametrize("n_articles,n_items", [(1, 1), (6, 5)])
@pytest.mark.parametrize("address", [FACTS, ANSWERS, FAQS])
def test_list_query_count_is_fixed(
    api, django_assert_num_queries, address, n_articles, n_items
):
    for _ in range(n_articles):
        factories.make_article(
            facts=n_items,
            answers=n_items,
            faqs=n_items,
            topics=[factories.make_topic()],
        )

    # count, then the page joined to its explainers, then the page's sources
    with django_assert_num_queries(3):
        items = results(api.get(address, {"page_size": 50}))
    with django_assert_num_queries(3):
        api.get(address, {"ordering": "-updated_at", "page_size": 3})
    assert len(items) == n_articles * n_items


@pytest.mark.parametrize("n_items", [1, 12])
def test_detail_query_count_is_fixed(api, django_assert_num_queries, n_items):
    article = factories.make_article(facts=n_items)
    fact = article.key_facts.last()

    # the item joined to its explainer, then its sources
    with django_assert_num_queries(2):
        assert api.get(f"{FACTS}{fact.pk}/").status_code == 200
    with django_assert_num_queries(2):
        assert api.get(f"{FACTS}id/{fact.pk}/").status_code == 200


def test_saving_an_explainer_refreshes_cached_lists_and_items(
    api, article, editor, page_cache_on
):
    fact = article.key_facts.get(position=0)
    detail = f"{FACTS}{fact.pk}/"
    assert api.get(FACTS)["X-Cache"] == "miss"
    assert api.get(detail)["X-Cache"] == "miss"
    assert api.get(FACTS)["X-Cache"] == "hit"
    assert api.get(detail)["X-Cache"] == "hit"

    services.article_save(
        user=editor,
        article=article,
        fields={"title": "Why the river really flooded"},
        key_facts=facts_payload(article, **{fact.anchor: "Rewritten."}),
    )

    listed = api.get(FACTS)
    one = api.get(detail)
    assert listed["X-Cache"] == one["X-Cache"] == "miss"
    assert results(listed)[0]["text"] == "Rewritten."
    assert one.json()["text"] == "Rewritten."
    assert one.json()["explainer"]["title"] == "Why the river really flooded"


def test_unpublishing_takes_cached_items_away(api, article, editor, page_cache_on):
    fact = article.key_facts.first()
    assert len(results(api.get(FACTS))) == 3
    assert api.get(f"{FACTS}{fact.pk}/").status_code == 200

    services.article_save(user=editor, article=article, fields={"status": "draft"})

    assert results(api.get(FACTS)) == []
    assert api.get(f"{FACTS}{fact.pk}/").status_code == 404


def test_updated_at_moves_only_for_the_items_that_changed(api, article, editor):
    """Saving a list moves the `updated_at` of the items whose words or anchor
    changed; unchanged and merely reordered items, lists not given, and
    explainer-only edits leave items' times alone."""
    facts = {item["anchor"]: item for item in results(api.get(FACTS))}
    faqs_before = {item["id"]: item["updated_at"] for item in results(api.get(FAQS))}
    changed = article.key_facts.get(position=0).anchor

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        services.article_save(user=editor, article=article, fields={"dek": "New."})
    untouched = {item["anchor"]: item for item in results(api.get(FACTS))}
    assert untouched == facts

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        payload = facts_payload(article, **{changed: "Rewritten."})
        services.article_save(
            user=editor,
            article=article,
            fields={},
            key_facts=list(reversed(payload)),  # reordered as well
        )
    after = {item["anchor"]: item for item in results(api.get(FACTS))}

    assert after[changed]["text"] == "Rewritten."
    assert after[changed]["updated_at"] > facts[changed]["updated_at"]
    for anchor in set(facts) - {changed}:
        assert after[anchor]["updated_at"] == facts[anchor]["updated_at"], anchor
    assert {
        item["id"]: item["updated_at"] for item in results(api.get(FAQS))
    } == faqs_before
    # A copy kept with updated_after fetches exactly the changed item.
    since = max(item["updated_at"] for item in facts.values())
    assert [i["anchor"] for i in results(api.get(FACTS, {"updated_after": since}))] == [
        changed
    ]


def test_listed_in_the_api_index(api):
    resources = api.get("/api/v1/").json()["resources"]

    assert resources["key-facts"]["url"] == f"{SITE}{FACTS}"
    assert resources["quick-answers"]["url"] == f"{SITE}{ANSWERS}"
    assert resources["faqs"]["url"] == f"{SITE}{FAQS}"


def test_faq_lookup_by_id_shows_rendered_answer(api, article):
    faq = FAQ.objects.filter(article=article).last()

    data = api.get(f"{FAQS}{faq.pk}/").json()

    assert data["question"] == faq.question
    assert data["answer_html"] == faq.answer_html
