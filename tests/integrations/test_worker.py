"""The worker as its own process (`manage.py db_worker`), a real HTTP receiver, and
the database both share: what a deployment runs."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from comments import services as comment_services
from integrations.models import WebhookDelivery
from tests.factories import make_article, make_reader

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


@pytest.fixture
def held_delivery(shared_database, receiver, make_endpoint):
    """A pending delivery whose first request the receiver will hold open."""
    make_endpoint(receiver.url)
    receiver.hang_next()
    make_article()
    return WebhookDelivery.objects.get()


def kill_mid_delivery(worker, receiver, delivery):
    """Kill `worker` while the receiver holds its request open: the delivery is left
    pending, with no answer recorded."""
    worker.kill()
    receiver.release()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None


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
    receiver, worker, held_delivery
):
    worker.start()
    receiver.wait_for(1)
    kill_mid_delivery(worker, receiver, held_delivery)

    worker.start()

    delivery = wait_for_status(held_delivery, "delivered", worker)
    assert receiver.ids() == [delivery.event_id, delivery.event_id]
    assert delivery.attempts == 2


def test_a_running_worker_sends_a_delivery_cut_short_without_any_sweep(
    receiver, worker, other_worker, held_delivery
):
    """The guard queued with the claim is enough: no worker runs a sweep."""
    worker.start(sweep=False)
    receiver.wait_for(1)
    other_worker.start(sweep=False)
    kill_mid_delivery(worker, receiver, held_delivery)

    delivery = wait_for_status(held_delivery, "delivered", other_worker)
    assert receiver.ids() == [delivery.event_id, delivery.event_id]
    assert delivery.attempts == 2


def test_a_starting_worker_sweeps_up_a_delivery_whose_task_was_never_queued(
    receiver, make_endpoint, worker
):
    make_endpoint(receiver.url)
    make_article()
    # As if the web process died between the commit and its on-commit enqueue.
    DBTaskResult.objects.all().delete()
    delivery = WebhookDelivery.objects.get()
    worker.start()

    [request] = receiver.wait_for(1)
    assert request["headers"]["webhook-id"] == delivery.event_id
    wait_for_status(delivery, "delivered", worker)


def test_a_comment_published_event_reaches_the_receiver(
    receiver, make_endpoint, worker
):
    make_endpoint(receiver.url, events=["comment.published"])
    article = make_article()
    comment = comment_services.comment_post(
        article=article, author=make_reader(), body="Hi"
    )
    worker.start()

    [request] = receiver.wait_for(1)
    assert request["headers"]["webhook-id"] == f"evt_comment_{comment.pk}"
    wait_for_status(WebhookDelivery.objects.get(), "delivered", worker)
