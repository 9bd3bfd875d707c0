"""The worker as its own process (`manage.py db_worker`), a real HTTP receiver, and
the database both share: what a deployment runs."""

import time

import pytest

from integrations.models import WebhookDelivery
from tests.factories import make_article

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_status(delivery, status, worker, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status == status:
            return delivery
        time.sleep(0.2)
    raise AssertionError(
        f"{delivery.event_id} is {delivery.status}, not {status}; worker log:\n"
        + worker.log()
    )


def test_the_worker_delivers_a_published_explainer(receiver, make_endpoint, worker):
    hook = make_endpoint(receiver.url)
    article = make_article(slug="tides")
    worker.start()

    [request] = receiver.wait_for(1)
    delivery = wait_for_status(WebhookDelivery.objects.get(), "delivered", worker)

    assert request["headers"]["webhook-id"] == delivery.event_id
    assert request["headers"]["webhook-signature"].startswith("v1,")
    assert delivery.payload["data"]["explainer"]["id"] == article.pk
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    assert hook.deliveries.count() == 1


def test_the_worker_retries_a_500_with_the_same_webhook_id(
    receiver, make_endpoint, worker
):
    receiver.statuses = [500]
    make_endpoint(receiver.url)
    make_article()
    worker.start()

    delivery = wait_for_status(WebhookDelivery.objects.get(), "delivered", worker)

    assert receiver.ids() == [delivery.event_id, delivery.event_id]
    assert delivery.attempts == 2


def test_a_worker_killed_mid_delivery_is_replaced_and_the_event_still_arrives(
    receiver, make_endpoint, worker
):
    make_endpoint(receiver.url)
    receiver.hang_next()
    make_article()
    delivery = WebhookDelivery.objects.get()
    worker.start()
    receiver.wait_for(1)

    worker.kill()  # while the receiver holds the request open
    receiver.release()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None
    worker.start()

    delivery = wait_for_status(delivery, "delivered", worker)
    assert receiver.ids() == [delivery.event_id, delivery.event_id]
    assert delivery.attempts == 2


def test_a_comment_published_event_reaches_the_receiver(
    receiver, make_endpoint, worker
):
    from allauth.account.models import EmailAddress

    from comments import services as comment_services
    from tests.factories import make_user

    make_endpoint(receiver.url, events=["comment.published"])
    article = make_article()
    author = make_user()
    EmailAddress.objects.create(
        user=author, email=author.email, primary=True, verified=True
    )
    comment = comment_services.comment_post(article=article, author=author, body="Hi")
    worker.start()

    [request] = receiver.wait_for(1)
    assert request["headers"]["webhook-id"] == f"evt_comment_{comment.pk}"
    wait_for_status(WebhookDelivery.objects.get(), "delivered", worker)
