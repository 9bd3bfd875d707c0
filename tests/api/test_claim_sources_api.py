"""Claims' sources in the content API: read on every annotation, written with them."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, KeyFact, source_model
from tests import factories
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"
FACTS = "/api/v1/key-facts/"

SOURCE = {
    "url": "https://stats.example.gov/budget",
    "title": "Budget tables",
    "publisher": "Statistics Office",
    "accessed": "2026-11-20",
    "quote": "Spending rose by 4%.",
}


def detail(slug):
    return f"{LIST}{slug}/"


def cite(claim, *sources):
    model = source_model(type(claim))
    for position, source in enumerate(sources):
        model.objects.create(annotation=claim, position=position, **source)


def test_sources_are_on_every_annotation_of_the_explainer(api, article):
    fact = article.key_facts.get(position=0)
    cite(fact, {**SOURCE, "accessed": "2026-11-20"})
    cite(article.faqs.get(position=0), {"url": "https://example.org/f", "title": "F"})
    fact.needs_source = True
    fact.save()

    data = api.get(detail(article.slug)).json()

    assert data["key_facts"][0]["sources"] == [SOURCE]
    assert data["key_facts"][1]["sources"] == []
    assert data["faqs"][0]["sources"] == [
        {
            "url": "https://example.org/f",
            "title": "F",
            "publisher": "",
            "accessed": None,
            "quote": "",
        }
    ]
    # The editors' flag is theirs: readers of the API do not see it.
    assert "needs_source" not in data["key_facts"][0]


def test_annotation_endpoints_carry_their_sources(api, article):
    fact = article.key_facts.get(position=0)
    cite(fact, SOURCE)

    assert api.get(f"{FACTS}{fact.pk}/").json()["sources"] == [SOURCE]
    listed = api.get(FACTS).json()["results"]
    assert [item["sources"] for item in listed][:2] == [[SOURCE], []]


@pytest.mark.parametrize("n_sources", [1, 15])
def test_explainer_detail_query_count_does_not_grow_with_sources(
    api, django_assert_num_queries, n_sources
):
    article = factories.make_article(facts=3, answers=3, faqs=3)
    for claim in [*article.key_facts.all(), *article.faqs.all()]:
        cite(
            claim,
            *[
                {"url": f"https://example.org/{n}", "title": f"S{n}"}
                for n in range(n_sources)
            ],
        )

    with django_assert_num_queries(4):
        data = api.get(detail(article.slug)).json()
    assert len(data["faqs"][2]["sources"]) == n_sources


def test_editor_creates_an_explainer_with_sourced_claims(editor_api_client):
    response = editor_api_client.post(
        LIST,
        {
            "title": "Where the budget goes",
            "body": "## Money\n\nWhere it goes.",
            "status": "published",
            "key_facts": [
                {"label": "Total", "text": "4% more.", "sources": [SOURCE]},
                {"label": "Schools", "text": "Most of it.", "needs_source": True},
            ],
            "faqs": [
                {
                    "question": "Why?",
                    "answer": "Because.",
                    "sources": [{"url": "https://example.org/y", "title": "Y"}],
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["key_facts"][0]["sources"] == [SOURCE]
    assert data["faqs"][0]["sources"][0]["url"] == "https://example.org/y"
    article = Article.objects.get(slug=data["slug"])
    assert article.key_facts.get(label="Schools").needs_source
    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'href="#source-1"' in page and "Budget tables" in page


def test_patch_replaces_sources_given_and_keeps_those_left_out(
    editor_api_client, article
):
    first, second = article.key_facts.order_by("position")[:2]
    cite(first, SOURCE)
    cite(second, {"url": "https://example.org/keep", "title": "Kept"})
    items = [
        {
            "id": first.pk,
            "label": first.label,
            "text": first.text,
            "sources": [{"url": "https://example.org/new", "title": "New"}],
        },
        {"id": second.pk, "label": second.label, "text": second.text},
    ]

    response = editor_api_client.patch(
        detail(article.slug), {"key_facts": items}, format="json"
    )

    assert response.status_code == 200, response.json()
    facts = response.json()["key_facts"]
    assert [s["title"] for s in facts[0]["sources"]] == ["New"]
    assert [s["title"] for s in facts[1]["sources"]] == ["Kept"]
    assert len(facts) == 2


@pytest.mark.parametrize(
    "source, field",
    [
        ({"url": "javascript:alert(1)", "title": "X"}, "key_facts.0.sources.0.url"),
        ({"url": "ftp://example.org/x", "title": "X"}, "key_facts.0.sources.0.url"),
        ({"url": "https://example.org/x"}, "key_facts.0.sources.0.title"),
        (
            {"url": "https://example.org/x", "title": "X", "colour": "red"},
            "key_facts.0.sources.0.colour",
        ),
        (
            {"url": "https://example.org/x", "title": "X", "accessed": "soon"},
            "key_facts.0.sources.0.accessed",
        ),
        (
            {"url": "https://example.org/x", "title": "X", "quote": "q" * 301},
            "key_facts.0.sources.0.quote",
        ),
        ({"url": "https://example.org/x", "title": 5}, "key_facts.0.sources.0.title"),
    ],
)
def test_bad_source_is_a_400_naming_the_field_and_saves_nothing(
    editor_api_client, article, source, field
):
    fact = article.key_facts.get(position=0)
    item = {"id": fact.pk, "label": "Changed", "text": fact.text, "sources": [source]}

    response = editor_api_client.patch(
        detail(article.slug), {"key_facts": [item]}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert article.key_facts.get(position=0).label == "Fact 0"
    assert not source_model(KeyFact).objects.exists()


def test_writer_change_to_a_live_explainers_sources_waits_for_an_editor(api, article):
    writer = factories.make_user(role="writer")
    fact = article.key_facts.get(position=0)
    item = {"id": fact.pk, "label": fact.label, "text": fact.text, "sources": [SOURCE]}

    response = token_client(writer).patch(
        detail(article.slug), {"key_facts": [item]}, format="json"
    )

    assert response.status_code == 202, response.json()
    assert response.json()["key_facts"][0]["sources"] == [SOURCE]
    # Readers (and the public API) see nothing yet.
    assert api.get(detail(article.slug)).json()["key_facts"][0]["sources"] == []
    assert not source_model(KeyFact).objects.exists()


def test_anonymous_and_reader_cannot_write_sources(api, article):
    fact = article.key_facts.get(position=0)
    body = {"key_facts": [{"id": fact.pk, "label": "x", "text": "y", "sources": []}]}

    assert api.patch(detail(article.slug), body, format="json").status_code in (
        401,
        403,
    )
    reader = factories.make_reader()
    response = token_client(reader).patch(detail(article.slug), body, format="json")
    assert response.status_code == 403


def test_needs_source_written_through_the_api_feeds_the_admin_filter(
    editor_api_client, article, editor_client
):
    fact = article.key_facts.get(position=0)
    item = {"id": fact.pk, "label": fact.label, "text": fact.text, "needs_source": True}

    response = editor_api_client.patch(
        detail(article.slug), {"key_facts": [item]}, format="json"
    )

    assert response.status_code == 200, response.json()
    changelist = reverse("admin:articles_article_changelist")
    listed = editor_client.get(changelist, {"needs_source": "yes"})
    assert list(listed.context["cl"].result_list) == [article]
