"""Background tasks of the articles app (django-tasks), run by `manage.py db_worker`."""

from django_tasks import task

from .purge import purge_retry


@task()
def edge_purge_retry(name: str, keys: list[str], attempt: int) -> str:
    """Send a purge that failed again (articles/purge.py); queues the next on failure."""
    return purge_retry(name, keys, attempt)
