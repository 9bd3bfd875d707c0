"""GET /api/v1/articles/<slug>/versions/ and .../versions/<n>/."""

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def versions_url(slug):
    return reverse("api:article-versions", kwargs={"slug": slug})


def version_url(slug, number):
    return reverse("api:article-version", kwargs={"slug": slug, "number": number})


@pytest.fixture
def live(editor, topic, author):
    """Published through the desk, then edited twice, once with a correction."""
    draft = make_article(
        status=Article.Status.DRAFT,
        dek="Rain fell for a week.",
        facts=1,
        topics=[topic],
        authors=[author],
    )
    article = publishing.explainer_publish(article=draft, user=editor)
    for dek, note in [("Rain fell for nine days.", ""), ("Rain fell all month.", "")]:
        state = publishing.current_state(article)
        state["fields"]["dek"] = dek
        if dek.endswith("month."):
            note = "We had the wrong length of the rain."
            state["corrections"].append({"kind": "correction", "note": note})
        article = publishing.explainer_publish(
            article=article, user=editor, state=state
        )
    # A working copy saved but not published stays out.
    state = publishing.current_state(article)
    state["fields"]["dek"] = "Not yet published."
    publishing.explainer_save(article=article, state=state, user=editor)
    return Article.objects.get(pk=article.pk)


def test_the_list_gives_each_published_version_newest_first(api, live):
    response = api.get(versions_url(live.slug))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [v["number"] for v in results] == [3, 2, 1]
    assert [v["kind"] for v in results] == ["updated", "updated", "published"]
    assert results[0]["note"] == "We had the wrong length of the rain."
    assert results[1]["note"] == ""
    assert results[2]["url"].endswith(version_url(live.slug, 1))


def test_a_version_is_the_explainer_as_it_was(api, live):
    first = api.get(version_url(live.slug, 1)).json()
    latest = api.get(version_url(live.slug, 3)).json()
    current = api.get(reverse("api:article-detail", kwargs={"slug": live.slug})).json()

    assert first["dek"] == "Rain fell for a week."
    assert first["corrections"] == [] and first["version"]["number"] == 1
    assert first["key_facts"][0]["text"] == current["key_facts"][0]["text"]
    assert latest["dek"] == current["dek"] == "Rain fell all month."
    assert latest["corrections"][0]["note"] == current["corrections"][0]["note"]
    assert latest["authors"] == current["authors"]
    assert set(latest) == (set(current) - {"comment_count"}) | {"version"}


def test_unknown_numbers_drafts_and_unknown_slugs_are_404(api, live, draft):
    assert api.get(version_url(live.slug, 4)).status_code == 404
    assert api.get(version_url(live.slug, 0)).status_code == 404
    assert api.get(versions_url(draft.slug)).status_code == 404
    assert api.get(versions_url("no-such-thing")).status_code == 404


def test_an_old_slug_redirects(api, live, editor):
    old = live.slug
    state = publishing.current_state(live)
    state["fields"]["slug"] = "river-in-flood"
    publishing.explainer_publish(article=live, user=editor, state=state)

    response = api.get(version_url(old, 2))
    assert response.status_code == 301
    assert response["Location"] == version_url("river-in-flood", 2)
    assert api.get(versions_url(old))["Location"] == versions_url("river-in-flood")


def test_a_current_copy_gets_304(api, live):
    first = api.get(versions_url(live.slug))
    again = api.get(versions_url(live.slug), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("edits", [1, 7])
def test_query_counts_are_fixed(
    api, editor, topic, author, edits, django_assert_num_queries
):
    draft = make_article(
        status=Article.Status.DRAFT, facts=2, topics=[topic], authors=[author]
    )
    article = publishing.explainer_publish(article=draft, user=editor)
    for n in range(edits):
        state = publishing.current_state(article)
        state["fields"]["dek"] = f"Edit {n}."
        article = publishing.explainer_publish(
            article=article, user=editor, state=state
        )
    # The explainer, its versions, the rows they saved.
    with django_assert_num_queries(3):
        assert len(api.get(versions_url(article.slug)).json()["results"]) == edits + 1
    # And the authors and topics of the version shown.
    with django_assert_num_queries(5):
        assert api.get(version_url(article.slug, 1)).status_code == 200
