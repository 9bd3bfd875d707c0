"""Background tasks (django-tasks), run by `manage.py db_worker`."""

from django_tasks import task

from .webhooks import delivery_attempt


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Make one attempt at a webhook delivery if it is due and pending.

    Queued in the transaction that recorded the delivery, for each retry, and as the
    guard of every attempt (see `delivery_claim`); copies that find nothing due
    return "skipped".
    """
    delivery = delivery_attempt(delivery_id)
    return "skipped" if delivery is None else delivery.status
