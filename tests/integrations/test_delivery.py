"""Sending: the signature, retries with backoff, disabling, redelivery.

The task runs here in the test process (`Task.call`, what the worker calls); the
receiver is a real HTTP server on 127.0.0.1. tests/integrations/test_worker.py runs
the worker as its own process.
"""

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook

from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tasks import webhook_deliver
from integrations.webhooks import delivery_claim, signature_make
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def deliver_tasks():
    return DBTaskResult.objects.filter(task_path="integrations.tasks.webhook_deliver")


def tasks_scheduled():
    return sorted(task.run_after for task in deliver_tasks())


def first_task_dropped():
    """The delivery recorded by the test's write, without the task queued with it:
    the test makes the attempts itself."""
    delivery = WebhookDelivery.objects.get()
    [first] = deliver_tasks()
    assert first.args_kwargs["args"] == [delivery.pk]
    first.delete()
    return delivery


def test_the_signature_verifies_with_the_standard_webhooks_library(
    receiver, make_endpoint
):
    hook = make_endpoint(receiver.url)
    article = make_article(slug="tides")
    delivery = WebhookDelivery.objects.get()

    assert webhook_deliver.call(delivery.pk) == "delivered"

    [request] = receiver.requests
    payload = Webhook(hook.secret).verify(request["body"], request["headers"])
    assert payload == json.loads(request["body"])
    assert payload["type"] == "explainer.published"
    assert payload["data"]["explainer"]["id"] == article.pk
    assert request["headers"]["webhook-id"] == delivery.event_id
    # Signed with another secret, the library refuses it.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(request["body"], request["headers"])


def test_the_signing_function_matches_the_library_byte_for_byte():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"id":"evt_1","type":"explainer.updated"}'
    expected = Webhook(secret).sign(
        "evt_1", datetime.fromtimestamp(1700000000, tz=UTC), body
    )
    assert (
        signature_make(secret=secret, msg_id="evt_1", timestamp=1700000000, body=body)
        == expected
    )


def test_a_500_is_retried_with_backoff_and_the_retry_keeps_the_webhook_id(
    receiver, make_endpoint
):
    receiver.statuses = [500]
    make_endpoint(receiver.url)
    make_article()
    delivery = first_task_dropped()
    start = timezone.now()

    # No on-commit callbacks run here: the retry is queued in the attempt's
    # transaction, so a worker dying right after its commit cannot lose it.
    assert webhook_deliver.call(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_duration_ms is not None
    assert delivery.last_response_excerpt == '{"ok": false}'
    # The retry is the task framework's: a task to run after 30 s; the attempt's
    # guard, due when its claim lapsed (21 s), finds it not due yet.
    guard_at, retry_at = tasks_scheduled()
    assert retry_at == delivery.next_attempt_at
    assert timedelta(seconds=29) < retry_at - start < timedelta(seconds=35)
    assert guard_at < retry_at
    # Too early, a copy of the task does nothing.
    assert webhook_deliver.call(delivery.pk) == "skipped"
    with time_machine.travel(guard_at):
        assert webhook_deliver.call(delivery.pk) == "skipped"

    with time_machine.travel(retry_at + timedelta(seconds=1)):
        assert webhook_deliver.call(delivery.pk) == "delivered"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "delivered",
        2,
        200,
    )
    assert receiver.ids() == [delivery.event_id, delivery.event_id]


def test_a_claim_queues_a_guard_that_sends_again_once_the_claim_lapses(
    receiver, make_endpoint, settings
):
    settings.WEBHOOKS_TIMEOUT = 5
    make_endpoint(receiver.url)
    make_article()
    delivery = first_task_dropped()
    at = timezone.now()

    with time_machine.travel(at, tick=False):
        claimed = delivery_claim(delivery.pk)  # then the worker dies
        assert delivery_claim(delivery.pk) is None

    assert claimed.next_attempt_at == at + timedelta(seconds=10)
    [guard] = deliver_tasks()
    assert guard.args_kwargs["args"] == [delivery.pk]
    assert guard.run_after == claimed.next_attempt_at + timedelta(seconds=1)
    assert guard.status == "READY"
    assert guard.priority < 0  # after new deliveries, when the worker is busy
    with time_machine.travel(guard.run_after):
        assert guard.task.call(*guard.args_kwargs["args"]) == "delivered"
    assert receiver.ids() == [delivery.event_id]
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_the_guard_of_a_finished_attempt_does_nothing(receiver, make_endpoint):
    make_endpoint(receiver.url)
    make_article()
    delivery = first_task_dropped()
    assert webhook_deliver.call(delivery.pk) == "delivered"

    [guard_at] = tasks_scheduled()
    with time_machine.travel(guard_at + timedelta(seconds=1)):
        assert webhook_deliver.call(delivery.pk) == "skipped"
    assert len(receiver.requests) == 1


def test_after_the_last_retry_the_delivery_fails_and_the_endpoint_is_disabled(
    receiver, make_endpoint, settings, editor_client
):
    settings.WEBHOOKS_RETRY_DELAYS = [30, 120]
    receiver.statuses = [503, 500, 502]
    hook = make_endpoint(receiver.url, name="Flaky partner")
    make_article()
    delivery = WebhookDelivery.objects.get()

    at = timezone.now()
    for delay in [0, 30, 120]:
        at += timedelta(seconds=delay + 1)
        with time_machine.travel(at):
            webhook_deliver.call(delivery.pk)
    delivery.refresh_from_db()
    hook.refresh_from_db()

    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(receiver.requests) == 3
    assert not hook.is_active
    assert "failed after 3 attempts" in hook.disabled_reason
    page = editor_client.get("/admin/integrations/webhookendpoint/")
    assert "Webhook endpoint Flaky partner is disabled." in page.content.decode()


def test_by_default_a_failing_receiver_is_retried_ever_more_slowly_for_about_a_day(
    receiver, make_endpoint
):
    receiver.statuses = [500] * 50
    hook = make_endpoint(receiver.url)
    make_article()
    delivery = first_task_dropped()
    attempts = [timezone.now()]
    webhook_deliver.call(delivery.pk)
    delivery.refresh_from_db()

    for _ in range(50):  # far more retries than any schedule we would ship
        if delivery.status != "pending":
            break
        attempts.append(delivery.next_attempt_at + timedelta(seconds=1))
        with time_machine.travel(attempts[-1], tick=False):
            webhook_deliver.call(delivery.pk)
        delivery.refresh_from_db()

    assert delivery.status == "failed"
    assert len(receiver.requests) == len(attempts)
    # Whole seconds: the clock runs on during each attempt by a millisecond or so.
    waits = [round((b - a).total_seconds()) for a, b in pairwise(attempts)]
    assert waits == sorted(waits)
    assert timedelta(hours=20) < attempts[-1] - attempts[0] < timedelta(hours=30)
    hook.refresh_from_db()
    assert not hook.is_active


def test_redeliver_from_the_admin_sends_the_same_webhook_id_again(
    receiver, make_endpoint, editor_client, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url)
    make_article()
    delivery = WebhookDelivery.objects.get()
    webhook_deliver.call(delivery.pk)
    log = editor_client.get("/admin/integrations/webhookdelivery/").content.decode()
    assert delivery.event_id in log and "delivered" in log.lower()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/integrations/webhookdelivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert webhook_deliver.call(delivery.pk) == "delivered"
    assert receiver.ids() == [delivery.event_id, delivery.event_id]


def test_endpoints_are_for_editors_and_the_secret_is_shown_once_then_rotated(
    writer, editor_client, allow_private
):
    client = Client()
    client.force_login(writer)
    assert client.get("/admin/integrations/webhookendpoint/").status_code == 403

    response = editor_client.post(
        "/admin/integrations/webhookendpoint/add/",
        {
            "name": "Partner",
            "url": "http://127.0.0.1:9/hooks",
            "events": ["explainer.published", "comment.published"],
            "is_active": "on",
        },
        follow=True,
    )
    hook = WebhookEndpoint.objects.get()
    assert hook.events == ["explainer.published", "comment.published"]
    assert f"Signing secret for Partner: {hook.secret}" in response.content.decode()

    response = editor_client.post(
        "/admin/integrations/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [hook.pk]},
        follow=True,
    )
    old = hook.secret
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret.startswith("whsec_")
    assert f"New signing secret for Partner: {hook.secret}" in response.content.decode()
