"""The editor's desk over the API: working copies, review, publishing, If-Match."""

import pytest

from articles.models import WorkingCopy

pytestmark = pytest.mark.django_db


def detail(article, suffix=""):
    return f"/api/v1/articles/{article.slug}/{suffix}"


def test_writer_patch_to_a_live_explainer_waits_for_review(
    api, api_as, writer, article
):
    fact = article.key_facts.first()
    response = api_as(writer).patch(
        detail(article),
        {
            "dek": "A writer's new dek.",
            "key_facts": [{"id": fact.pk, "label": "Cost", "text": "Revised."}],
        },
        format="json",
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["dek"] == "A writer's new dek."
    assert body["key_facts"] == [
        {
            "id": fact.pk,
            "fact_id": str(fact.uid),
            "label": "Cost",
            "text": "Revised.",
            "anchor": fact.anchor,
            "sources": [],
        }
    ]
    assert body["working_copy"]["status"] == "review"
    assert "waiting for an editor's review" in body["working_copy"]["message"]
    # Readers, anonymous API callers included, still get the live version.
    live = api.get(detail(article)).json()
    assert live["dek"] != "A writer's new dek."
    assert len(live["key_facts"]) == 3
    assert WorkingCopy.objects.get(article=article).status == "review"


def test_editor_writes_go_live_unless_staged_and_staged_ones_publish_later(
    api, editor_api_client, article
):
    response = editor_api_client.patch(
        detail(article), {"dek": "Live at once."}, format="json"
    )
    assert response.status_code == 200
    assert api.get(detail(article)).json()["dek"] == "Live at once."

    response = editor_api_client.patch(
        f"{detail(article)}?stage=true", {"dek": "Staged."}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["working_copy"]["status"] == "editing"
    assert api.get(detail(article)).json()["dek"] == "Live at once."
    copy = editor_api_client.get(detail(article, "working-copy/"))
    assert copy.status_code == 200 and copy.json()["dek"] == "Staged."

    response = editor_api_client.post(detail(article, "publish/"))
    assert response.status_code == 200
    assert api.get(detail(article)).json()["dek"] == "Staged."
    assert editor_api_client.get(detail(article, "working-copy/")).status_code == 404


def test_discarding_a_working_copy_over_the_api(api, editor_api_client, article):
    editor_api_client.patch(
        f"{detail(article)}?stage=1", {"title": "Never mind"}, format="json"
    )
    response = editor_api_client.post(detail(article, "discard/"))
    assert response.status_code == 204
    assert not WorkingCopy.objects.filter(article=article).exists()
    assert api.get(detail(article)).json()["title"] == "Why the river flooded"
    response = editor_api_client.post(detail(article, "discard/"))
    assert response.status_code == 400
    assert "no unpublished changes" in str(response.json()["error"]["fields"])


def test_writers_and_readers_cannot_publish_or_see_working_copies(
    api, api_as, writer, reader, article
):
    api_as(writer).patch(detail(article), {"dek": "Pending."}, format="json")
    response = api_as(writer).post(detail(article, "publish/"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    for client in (api, api_as(reader)):
        assert client.get(detail(article, "working-copy/")).status_code in {401, 404}
        assert client.post(detail(article, "publish/")).status_code in {401, 403, 404}
    assert api.get(detail(article)).json()["dek"] != "Pending."


def test_staging_a_status_change_is_a_400(api_as, writer, article):
    response = api_as(writer).patch(detail(article), {"status": "draft"}, format="json")
    assert response.status_code in {400, 403}


def test_a_stale_if_match_is_412_and_a_fresh_one_writes(editor_api_client, article):
    etag = editor_api_client.get(detail(article))["ETag"]
    # Someone else changes it meanwhile.
    editor_api_client.patch(detail(article), {"dek": "Their change."}, format="json")

    response = editor_api_client.patch(
        detail(article), {"dek": "My change."}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    response = editor_api_client.delete(detail(article), HTTP_IF_MATCH=etag)
    assert response.status_code == 412

    fresh = editor_api_client.get(detail(article))["ETag"]
    response = editor_api_client.patch(
        detail(article), {"dek": "My change."}, format="json", HTTP_IF_MATCH=fresh
    )
    assert response.status_code == 200
    assert response.json()["dek"] == "My change."
    # Without If-Match, writes behave as before.
    response = editor_api_client.patch(
        detail(article), {"dek": "Blind write."}, format="json"
    )
    assert response.status_code == 200
