"""Change events: what readers could see change, in commit order.

`services.article_changed` calls `change_record` inside every write's transaction;
it compares what readers see now with the explainer's last event and records one
event when that changed (published, updated, unpublished, deleted). A draft's
saves and a working copy's record nothing: readers saw nothing change.

A scheduled explainer appears with no write, so the first request after its time
records its "published" event (`changes_catch_up`, run by the same middleware that
applies scheduled working copies: articles/publishing.py).

Ids are handed out in commit order: on PostgreSQL a transaction-scoped advisory
lock is taken before the insert and held to the commit, so a follower that read
up to id N never finds a later commit below N. (SQLite commits one at a time.)
"""

from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from integrations.webhooks import webhooks_record_changes

from .models import Article, ChangeEvent

Kind = ChangeEvent.Kind
# Any number of our own: the key of the advisory lock that orders event ids.
EVENT_LOCK = 70_311_2026


def _last_kind(article_id):
    return (
        ChangeEvent.objects.filter(article_id=article_id)
        .order_by("-pk")
        .values_list("kind", flat=True)
        .first()
    )


def _lock_event_order():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_LOCK])


def _events_save(events) -> list:
    """Insert new events in commit order, with their webhook deliveries."""
    _lock_event_order()
    events = ChangeEvent.objects.bulk_create(events)
    webhooks_record_changes(events)  # the webhook outbox, in this same transaction
    return events


def _kind_now(article, last, *, deleted=False):
    """The event a write makes of `article` after one of kind `last`, or None."""
    was_public = last in {Kind.PUBLISHED, Kind.UPDATED}
    if deleted:
        return Kind.DELETED if was_public else None
    if article.is_published():
        return Kind.UPDATED if was_public else Kind.PUBLISHED
    return Kind.UNPUBLISHED if was_public else None


def change_record(article, *, deleted=False):
    """Record what this write changed for readers, if anything; returns the event."""
    events = changes_record([article], deleted=deleted)
    return events[0] if events else None


def changes_record(articles, *, deleted=False) -> list:
    """Record what one write changed for readers of each of `articles`, if anything
    (`deleted`: they are about to be deleted); returns the new events. Two queries
    and the webhooks' few, however many explainers."""
    last = ChangeEvent.objects.filter(article_id=OuterRef("pk")).order_by("-pk")
    kinds = dict(
        Article.objects.filter(pk__in=[article.pk for article in articles])
        .annotate(last_kind=Subquery(last.values("kind")[:1]))
        .values_list("pk", "last_kind")
    )
    now = timezone.now()
    events = [
        ChangeEvent(kind=kind, article_id=article.pk, slug=article.slug, created_at=now)
        for article in articles
        if (kind := _kind_now(article, kinds.get(article.pk), deleted=deleted))
        is not None
    ]
    return _events_save(events) if events else []


def changes_catch_up() -> int:
    """Record "published" for scheduled explainers whose time has come (one query
    when there are none)."""
    last = ChangeEvent.objects.filter(article_id=OuterRef("pk")).order_by("-pk")
    due = (
        Article.objects.published()
        .annotate(last_kind=Subquery(last.values("kind")[:1]))
        .filter(
            Q(last_kind__isnull=True)
            | Q(last_kind__in=[Kind.UNPUBLISHED, Kind.DELETED])
        )
        .order_by("publish_at", "pk")
    )
    recorded = 0
    for article in due.only("pk", "slug", "publish_at"):
        with transaction.atomic():
            locked = Article.objects.select_for_update().filter(pk=article.pk).first()
            if locked is None or _last_kind(article.pk) in {
                Kind.PUBLISHED,
                Kind.UPDATED,
            }:
                continue  # another process recorded it first
            _events_save(
                [
                    ChangeEvent(
                        kind=Kind.PUBLISHED,
                        article_id=article.pk,
                        slug=article.slug,
                        created_at=timezone.now(),
                    )
                ]
            )
            recorded += 1
    return recorded


def was_public(*, slug=None, article_id=None) -> bool:
    """Whether an explainer readers once saw (at `slug`, or with this id) is gone:
    unpublished or deleted.

    Decides 410 Gone over 404 Not Found: an address never public stays unknown.
    """
    events = ChangeEvent.objects.order_by("-pk")
    if slug is not None:
        events = events.filter(slug=slug)
    else:
        events = events.filter(article_id=article_id)
    event = events.first()
    if event is None:
        return False
    return _last_kind(event.article_id) in {Kind.UNPUBLISHED, Kind.DELETED}
