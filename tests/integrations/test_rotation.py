"""Rotating a signing secret: the replaced one keeps signing for a grace period.

Signatures are checked with the `standardwebhooks` package, as a partner would; the
receiver is a real HTTP server on 127.0.0.1 and the task runs in the test process.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.models import WebhookDelivery, WebhookEndpoint, secret_generate
from integrations.tasks import webhook_deliver
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/integrations/webhookendpoint/"
ROTATED_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def act(client, action, hook):
    return client.post(
        ENDPOINTS, {"action": action, "_selected_action": [hook.pk]}, follow=True
    )


def rotate(client, hook):
    """Rotate through the admin; return the new secret."""
    act(client, "rotate_secret", hook)
    hook.refresh_from_db()
    return hook.secret


def deliver(receiver):
    """Publish an explainer and send its delivery; return the request received."""
    make_article()
    delivery = WebhookDelivery.objects.filter(status="pending").get()
    assert webhook_deliver.call(delivery.pk) == "delivered"
    return receiver.requests[-1]


def verifies(secret, request):
    try:
        Webhook(secret).verify(request["body"], request["headers"])
    except WebhookVerificationError:
        return False
    return True


def with_signature(request, signature):
    return {
        **request,
        "headers": {**request["headers"], "webhook-signature": signature},
    }


def test_right_after_a_rotation_a_delivery_verifies_with_the_old_and_the_new_secret(
    receiver, make_endpoint, editor_client
):
    hook = make_endpoint(receiver.url)
    old = hook.secret

    new = rotate(editor_client, hook)
    request = deliver(receiver)

    assert new != old
    assert verifies(new, request) and verifies(old, request)
    assert not verifies(secret_generate(), request)
    # Two signatures, space-separated, the new secret's first.
    first, second = request["headers"]["webhook-signature"].split(" ")
    assert verifies(new, with_signature(request, first))
    assert verifies(old, with_signature(request, second))


def test_after_the_grace_period_only_the_new_secret_verifies(
    receiver, make_endpoint, editor_client
):
    hook = make_endpoint(receiver.url)
    old = hook.secret
    with time_machine.travel(ROTATED_AT):
        new = rotate(editor_client, hook)

    with time_machine.travel(ROTATED_AT + timedelta(hours=23, minutes=59)):
        request = deliver(receiver)
        assert verifies(new, request) and verifies(old, request)
    with time_machine.travel(ROTATED_AT + timedelta(hours=24, minutes=1)):
        request = deliver(receiver)
        assert verifies(new, request)
        assert not verifies(old, request)
    assert len(request["headers"]["webhook-signature"].split(" ")) == 1


def test_the_grace_period_lasts_as_long_as_the_setting_says(
    receiver, make_endpoint, editor_client, settings
):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 1
    hook = make_endpoint(receiver.url)
    old = hook.secret
    with time_machine.travel(ROTATED_AT):
        rotate(editor_client, hook)

    with time_machine.travel(ROTATED_AT + timedelta(minutes=59)):
        assert verifies(old, deliver(receiver))
    with time_machine.travel(ROTATED_AT + timedelta(minutes=61)):
        assert not verifies(old, deliver(receiver))


def test_a_retry_after_the_grace_period_is_signed_with_the_new_secret_only(
    receiver, make_endpoint, editor_client
):
    receiver.statuses = [500]
    hook = make_endpoint(receiver.url)
    old = hook.secret
    with time_machine.travel(ROTATED_AT):
        new = rotate(editor_client, hook)
        make_article()
        delivery = WebhookDelivery.objects.get()
        assert webhook_deliver.call(delivery.pk) == "pending"
        assert verifies(old, receiver.requests[0])

    with time_machine.travel(ROTATED_AT + timedelta(hours=25)):
        assert webhook_deliver.call(delivery.pk) == "delivered"
        retry = receiver.requests[1]
        assert verifies(new, retry) and not verifies(old, retry)


def test_ending_the_grace_period_early_drops_the_old_secret(
    receiver, make_endpoint, editor_client
):
    hook = make_endpoint(receiver.url, name="Leaky partner")
    old = hook.secret
    new = rotate(editor_client, hook)

    response = act(editor_client, "end_secret_grace", hook)

    assert (
        "The previous signing secret of Leaky partner is no longer accepted"
        in response.content.decode()
    )
    request = deliver(receiver)
    assert verifies(new, request)
    assert not verifies(old, request)
    page = editor_client.get(f"{ENDPOINTS}{hook.pk}/change/").content.decode()
    assert "Still accepted until" not in page


def test_rotating_twice_in_the_grace_period_keeps_only_the_latest_previous_secret(
    receiver, make_endpoint, editor_client
):
    hook = make_endpoint(receiver.url)
    first = hook.secret
    second = rotate(editor_client, hook)
    third = rotate(editor_client, hook)

    request = deliver(receiver)

    assert verifies(third, request) and verifies(second, request)
    assert not verifies(first, request)


def test_the_endpoint_page_shows_until_when_the_previous_secret_is_accepted(
    make_endpoint, editor_client
):
    hook = make_endpoint("http://127.0.0.1:9/hooks", name="Partner")
    change_page = f"{ENDPOINTS}{hook.pk}/change/"
    assert "Still accepted until" not in editor_client.get(change_page).content.decode()

    with time_machine.travel(ROTATED_AT, tick=False):
        response = act(editor_client, "rotate_secret", hook)
        page = editor_client.get(change_page).content.decode()

    assert (
        "The previous secret of Partner is still accepted until 2026-12-08 09:30 UTC"
        in response.content.decode()
    )
    assert "Still accepted until 2026-12-08 09:30 UTC" in page
    with time_machine.travel(ROTATED_AT + timedelta(hours=25)):
        page = editor_client.get(change_page).content.decode()
    assert "Still accepted until" not in page


def test_only_users_who_may_change_endpoints_rotate_or_end_the_grace_period(
    make_endpoint, writer
):
    hook = make_endpoint("http://127.0.0.1:9/hooks")
    hook.previous_secret = secret_generate()
    hook.previous_secret_until = ROTATED_AT + timedelta(days=365)
    hook.save()
    before = (hook.secret, hook.previous_secret)
    viewer = make_user(username="viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookendpoint"))
    clients = {"anonymous": Client(), "writer": Client(), "viewer": Client()}
    clients["writer"].force_login(writer)
    clients["viewer"].force_login(viewer)

    for who, client in clients.items():
        for action in ("rotate_secret", "end_secret_grace"):
            response = client.post(
                ENDPOINTS, {"action": action, "_selected_action": [hook.pk]}
            )
            expected = {"anonymous": 302, "writer": 403, "viewer": 200}[who]
            assert response.status_code == expected, (who, action)
    hook = WebhookEndpoint.objects.get()
    assert (hook.secret, hook.previous_secret) == before
