"""Background tasks (django-tasks), run by `manage.py db_worker`."""

from django_tasks import task

from .webhooks import delivery_attempt


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Make one attempt at a webhook delivery; a retry is enqueued for later."""
    delivery = delivery_attempt(delivery_id)
    return "skipped" if delivery is None else delivery.status
