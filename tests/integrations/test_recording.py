"""Deliveries are recorded with the change, in its transaction (an outbox)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from articles import publishing, services
from articles.models import Article
from comments import services as comment_services
from integrations.models import WebhookDelivery
from tests.factories import make_article, make_reader
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

ALIVE = "http://127.0.0.1:9/hooks"


def enqueued():
    tasks = DBTaskResult.objects.filter(task_path="integrations.tasks.webhook_deliver")
    return [task.args_kwargs["args"] for task in tasks]


def test_publishing_queues_one_delivery_per_subscribed_active_endpoint(
    make_endpoint, editor, django_capture_on_commit_callbacks
):
    everything = make_endpoint(ALIVE, name="Everything")
    only_deleted = make_endpoint(ALIVE, name="Deletes", events=["explainer.deleted"])
    switched_off = make_endpoint(ALIVE, name="Off", is_active=False)
    draft = make_article(status=Article.Status.DRAFT, slug="tides")

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(editor).patch(
            f"/api/v1/articles/{draft.slug}/", {"status": "published"}, format="json"
        )
        before_commit = enqueued()

    assert response.status_code == 200, response.json()
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == everything
    assert (delivery.kind, delivery.status) == ("explainer.published", "pending")
    assert delivery.event_id.startswith("evt_")
    payload = delivery.payload
    assert payload["id"] == delivery.event_id
    assert payload["type"] == "explainer.published"
    draft.refresh_from_db()
    assert payload["data"]["explainer"] == {
        "id": draft.pk,
        "slug": "tides",
        "url": "http://127.0.0.1:8000/explainers/tides/",
        "updated_at": draft.updated_at.isoformat(),
    }
    assert not only_deleted.deliveries.exists() and not switched_off.deliveries.exists()
    # The task is written in the change's own transaction, in the database queue.
    assert before_commit == [[delivery.pk]]
    assert enqueued() == [[delivery.pk]]


def test_each_public_change_is_its_own_event(make_endpoint, editor):
    hook = make_endpoint(ALIVE)
    article = make_article(slug="tides")
    services.article_save(user=editor, article=article, fields={"dek": "New dek."})
    publishing.explainer_unpublish(article=article, user=editor)
    publishing.explainer_publish(article=article, user=editor)
    services.article_delete(article=article, user=editor)

    deliveries = list(hook.deliveries.order_by("pk"))
    assert [d.kind for d in deliveries] == [
        "explainer.published",
        "explainer.updated",
        "explainer.unpublished",
        "explainer.published",
        "explainer.deleted",
    ]
    assert len({d.event_id for d in deliveries}) == 5


def test_a_rolled_back_write_records_no_delivery(make_endpoint, editor):
    make_endpoint(ALIVE)
    draft = make_article(status=Article.Status.DRAFT)

    with pytest.raises(RuntimeError), transaction.atomic():
        publishing.explainer_publish(article=draft, user=editor)
        assert WebhookDelivery.objects.count() == 1  # recorded inside the write
        raise RuntimeError("the write fails after the event")

    assert not WebhookDelivery.objects.exists()
    assert enqueued() == []


def test_a_draft_save_records_nothing(make_endpoint, editor):
    make_endpoint(ALIVE)
    draft = make_article(status=Article.Status.DRAFT)
    services.article_save(user=editor, article=draft, fields={"dek": "Still a draft."})
    assert not WebhookDelivery.objects.exists()


def test_a_published_comment_is_an_event_and_a_held_one_only_once_approved(
    make_endpoint, editor
):
    hook = make_endpoint(ALIVE, events=["comment.published"])
    article = make_article(slug="tides")
    shown = comment_services.comment_post(
        article=article, author=make_reader(), body="Hi"
    )
    article.comments_mode = Article.CommentsMode.PREMODERATED
    article.save(update_fields=["comments_mode"])
    held = comment_services.comment_post(
        article=article, author=make_reader(), body="Yo"
    )
    assert [d.event_id for d in hook.deliveries.all()] == [f"evt_comment_{shown.pk}"]

    comment_services.comment_moderate(comment=held, moderator=editor, action="approve")
    comment_services.comment_moderate(comment=held, moderator=editor, action="feature")

    delivery = hook.deliveries.get(event_id=f"evt_comment_{held.pk}")
    assert delivery.kind == "comment.published"
    assert delivery.payload["data"]["comment"]["id"] == held.pk
    assert delivery.payload["data"]["explainer"]["slug"] == "tides"
    assert hook.deliveries.count() == 2  # explainer events not subscribed


def test_a_comment_on_one_fact_names_it_in_its_event(make_endpoint):
    hook = make_endpoint(ALIVE, events=["comment.published"])
    article = make_article(slug="tides", facts=1)
    fact = article.key_facts.get()
    about = comment_services.comment_post(
        article=article, author=make_reader(), body="Source?", annotation=fact.anchor
    )
    whole = comment_services.comment_post(
        article=article, author=make_reader(), body="Thanks"
    )
    payloads = {d.event_id: d.payload["data"] for d in hook.deliveries.all()}
    assert payloads[f"evt_comment_{about.pk}"]["comment"]["annotation"] == {
        "kind": "key_facts",
        "anchor": fact.anchor,
    }
    assert payloads[f"evt_comment_{whole.pk}"]["comment"]["annotation"] is None
