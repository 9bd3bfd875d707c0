"""Webhooks: record deliveries with the change (an outbox), sign and send them.

Every change readers can see is recorded as a ChangeEvent in the write's transaction
(articles/changes.py); `webhooks_record_changes` adds, in that same transaction, one
WebhookDelivery per active endpoint subscribed to its kind, and its task (the queue
is a table of the same database, integrations/tasks.py), so a process dying right
after the commit loses nothing. The worker sends it (`delivery_attempt`), retrying with
backoff for about a day, then disables the endpoint.

A delivery cut short by a dead worker waits on no restart: each attempt claims its
delivery for a lease and, in the same transaction, queues a guard task for when the
lease ends, which any running worker picks up to send it again (`delivery_claim`).
`deliveries_sweep`, run as a worker starts, covers a delivery whose task was never
queued.

Signatures follow the Standard Webhooks spec (https://www.standardwebhooks.com/).
"""

import base64
import hashlib
import hmac
import http.client
import json
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import Event, WebhookDelivery, WebhookEndpoint
from .urls_guard import url_resolve

EXCERPT_CHARS = 500
USER_AGENT = "Newsroom-Webhooks/1"


# Recording ---------------------------------------------------------------------


def _explainer_ref(*, article_id, slug, updated_at) -> dict:
    path = reverse("articles:detail", kwargs={"slug": slug})
    return {
        "id": article_id,
        "slug": slug,
        "url": settings.NEWSROOM_SITE_URL.rstrip("/") + path,
        "updated_at": updated_at.isoformat() if updated_at else None,
    }


def _unsaved(endpoints, *, kind, event_id, data, at):
    """One WebhookDelivery per endpoint for one event, not yet saved."""
    payload = {"id": event_id, "type": kind, "timestamp": at.isoformat(), "data": data}
    return [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            kind=kind,
            payload=payload,
            next_attempt_at=at,
            created_at=at,
        )
        for endpoint in endpoints
    ]


def _deliveries_save(deliveries) -> list[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    # The queue lives in this database (django-tasks-db): the task rows are written
    # in the change's transaction and become visible with it, or not at all, so no
    # process dying after the commit can leave a delivery without its task.
    deliveries_enqueue([delivery.pk for delivery in deliveries])
    return deliveries


def _deliveries_create(*, kind, event_id, data, at) -> list[WebhookDelivery]:
    endpoints = [e for e in WebhookEndpoint.objects.active() if kind in e.events]
    if not endpoints:
        return []
    done = set(
        WebhookDelivery.objects.filter(
            event_id=event_id, endpoint__in=endpoints
        ).values_list("endpoint_id", flat=True)
    )
    endpoints = [endpoint for endpoint in endpoints if endpoint.pk not in done]
    return _deliveries_save(
        _unsaved(endpoints, kind=kind, event_id=event_id, data=data, at=at)
    )


def webhooks_record_changes(events) -> list[WebhookDelivery]:
    """Queue deliveries of new ChangeEvents; call inside the transaction that made
    them: one query when no endpoint wants them, three and the task rows when some
    do, however many events."""
    from articles.models import Article

    endpoints = list(WebhookEndpoint.objects.active())
    wanted = []
    for event in events:
        chosen = [e for e in endpoints if f"explainer.{event.kind}" in e.events]
        if chosen:
            wanted.append((event, chosen))
    if not wanted:
        return []
    updated = dict(
        Article.objects.filter(
            pk__in={event.article_id for event, _chosen in wanted}
        ).values_list("pk", "updated_at")
    )
    deliveries = []
    for event, chosen in wanted:
        ref = _explainer_ref(
            article_id=event.article_id,
            slug=event.slug,
            updated_at=updated.get(event.article_id) or event.created_at,
        )
        deliveries += _unsaved(
            chosen,
            kind=f"explainer.{event.kind}",
            event_id=f"evt_{event.pk}",
            data={"explainer": ref},
            at=event.created_at,
        )
    # New events have no deliveries yet: nothing to skip, unlike a redelivery.
    return _deliveries_save(deliveries)


def webhooks_record_comment(comment) -> list[WebhookDelivery]:
    """Queue `comment.published` deliveries once a comment is shown to readers."""
    article = comment.article
    data = {
        "comment": {
            "id": comment.pk,
            "parent_id": comment.parent_id,
            # What the comment discusses: one annotation of the explainer, or null.
            "annotation": (
                {"kind": comment.annotation_kind, "anchor": comment.annotation_anchor}
                if comment.annotation_kind
                else None
            ),
        },
        "explainer": _explainer_ref(
            article_id=article.pk, slug=article.slug, updated_at=article.updated_at
        ),
    }
    return _deliveries_create(
        kind=Event.COMMENT_PUBLISHED,
        event_id=f"evt_comment_{comment.pk}",
        data=data,
        at=timezone.now(),
    )


def deliveries_enqueue(ids, *, run_after=None, priority=None) -> None:
    from .tasks import webhook_deliver

    task = webhook_deliver.using(run_after=run_after, priority=priority)
    for delivery_id in ids:
        task.enqueue(delivery_id)


def delivery_redeliver(delivery: WebhookDelivery) -> None:
    """Send a delivery again (same webhook-id), whatever its state; from the admin."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=timezone.now(),
        attempts=0,
    )
    deliveries_enqueue([delivery.pk])  # in this transaction, as for a new delivery


def deliveries_sweep() -> int:
    """Enqueue every pending delivery again, each to run when it is due.

    Run when a worker starts (`manage.py webhooks_sweep`). A delivery cut short by a
    dead worker has a guard task already (see `delivery_claim`), and every task is
    written in the transaction of the change it delivers; the sweep is for pending
    deliveries whose task rows are gone (pruned, or a queue emptied by hand). A task
    for a delivery that is not due yet does nothing.
    """
    now = timezone.now()
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    count = 0
    for delivery_id, due in pending.values_list("pk", "next_attempt_at"):
        deliveries_enqueue([delivery_id], run_after=due if due > now else None)
        count += 1
    return count


# Signing -----------------------------------------------------------------------


def signature_make(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message (Standard Webhooks v1)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def request_headers(
    *, secret: str, msg_id: str, body: bytes, now=None, previous_secret: str = ""
) -> dict:
    """Headers for one attempt; with `previous_secret` (a rotation's grace period)
    `webhook-signature` carries both signatures, space-separated, the current first,
    so a receiver holding either secret verifies it."""
    timestamp = int(now if now is not None else time.time())
    signatures = [
        signature_make(secret=key, msg_id=msg_id, timestamp=timestamp, body=body)
        for key in (secret, previous_secret)
        if key
    ]
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


# Sending -----------------------------------------------------------------------


def retry_delays() -> list[int]:
    """Seconds to wait before each retry; after the last one the endpoint is off."""
    return list(settings.WEBHOOKS_RETRY_DELAYS)


def _lease() -> timedelta:
    # How long an attempt may take before a worker may assume it died: the request
    # timeout twice over (connecting and reading each get the timeout).
    return timedelta(seconds=2 * settings.WEBHOOKS_TIMEOUT)


# The guard runs this long after the lease ends, so a worker whose clock is a little
# behind the claiming worker's still finds the delivery due.
GUARD_MARGIN = timedelta(seconds=1)
# Below the default (0): a busy worker takes new deliveries and retries first. Nearly
# every guard finds its attempt finished; one that matters waits for a free moment.
GUARD_PRIORITY = -10


def delivery_claim(delivery_id) -> WebhookDelivery | None:
    """Take a due, pending delivery for one attempt, or None if it is not ours to send.

    The claim pushes `next_attempt_at` past the attempt's timeout and, in the same
    transaction, queues a guard: another `webhook_deliver` task for the delivery, to
    run when the claim lapses. If this worker dies mid-attempt, the delivery stays
    pending and whichever worker runs the guard sends it again (same webhook-id);
    if the attempt finished, the guard finds it delivered, failed or not yet due
    (a retry is scheduled later) and does nothing.
    """
    now = timezone.now()
    lapses = now + _lease()
    with transaction.atomic():
        claimed = WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
        ).update(next_attempt_at=lapses, attempts=F("attempts") + 1)
        if not claimed:
            return None
        deliveries_enqueue(
            [delivery_id], run_after=lapses + GUARD_MARGIN, priority=GUARD_PRIORITY
        )
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(url: str, *, body: bytes, headers: dict) -> tuple[int, str]:
    """POST to `url`, connecting only to an address the guard approved."""
    host, address, port = url_resolve(url)
    parts = urlsplit(url)
    cls = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = cls(host, port, timeout=settings.WEBHOOKS_TIMEOUT)
    # Connect to the vetted address (no second lookup a DNS answer could change),
    # while the Host header and TLS name stay the host's.
    connection._create_connection = lambda _addr, *args, **kwargs: (
        socket.create_connection((address, port), *args, **kwargs)
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")
        return response.status, text[:EXCERPT_CHARS]
    finally:
        connection.close()


def delivery_attempt(delivery_id) -> WebhookDelivery | None:
    """Make one attempt at a delivery, if it is due; record the outcome."""
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    secret, *previous = endpoint.signing_secrets()
    headers = request_headers(
        secret=secret,
        previous_secret=previous[0] if previous else "",
        msg_id=delivery.event_id,
        body=body,
    )
    started = time.monotonic()
    status_code = None
    try:
        if not endpoint.is_active:
            raise ValidationError("The endpoint is disabled.")
        status_code, excerpt = _post(endpoint.url, body=body, headers=headers)
    except ValidationError as error:
        excerpt = "Refused: " + " ".join(error.messages)
    except (OSError, http.client.HTTPException) as error:
        excerpt = f"{type(error).__name__}: {error}"
    duration_ms = int((time.monotonic() - started) * 1000)

    delivery.last_status_code = status_code
    delivery.last_duration_ms = duration_ms
    delivery.last_response_excerpt = excerpt[:EXCERPT_CHARS]
    now = timezone.now()
    retry_at = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = now
    else:
        delays = retry_delays()
        if delivery.attempts <= len(delays) and endpoint.is_active:
            retry_at = now + timedelta(seconds=delays[delivery.attempts - 1])
            delivery.next_attempt_at = retry_at
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = now
    with transaction.atomic():
        delivery.save(
            update_fields=[
                "status",
                "next_attempt_at",
                "last_status_code",
                "last_duration_ms",
                "last_response_excerpt",
                "delivered_at",
            ]
        )
        if delivery.status == WebhookDelivery.Status.FAILED and endpoint.is_active:
            endpoint_disable(
                endpoint,
                reason=(
                    f"Disabled {now:%Y-%m-%d %H:%M} UTC: {delivery.event_id} failed "
                    f"after {delivery.attempts} attempts (last: "
                    f"{status_code or excerpt[:80]})."
                ),
            )
        if retry_at is not None:
            # In the transaction, not after it: a worker dying between the commit
            # and an on_commit enqueue would leave a retry nothing runs (the guard
            # finds the delivery not yet due).
            deliveries_enqueue([delivery.pk], run_after=retry_at)
    return delivery


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason=reason[:300]
    )
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:300]


def secret_grace() -> timedelta:
    """How long a replaced signing secret still signs deliveries."""
    return timedelta(hours=max(settings.WEBHOOK_SECRET_GRACE_HOURS, 0))


def secret_rotate(endpoint: WebhookEndpoint, *, grace: timedelta | None = None) -> str:
    """Give the endpoint a new signing secret and return it.

    The secret it replaces keeps signing deliveries, beside the new one, for `grace`
    (`WEBHOOK_SECRET_GRACE_HOURS` by default), so the receiver can switch to the new
    one without failing a delivery. Only the secret just replaced is kept: rotating
    again within the grace period drops the one before it.
    """
    from .models import secret_generate

    grace = secret_grace() if grace is None else grace
    with transaction.atomic():
        # The locked row's secret, not the caller's copy: two rotations at once
        # must not keep a secret neither of them replaced.
        replaced = (
            WebhookEndpoint.objects.select_for_update()
            .values_list("secret", flat=True)
            .get(pk=endpoint.pk)
        )
        endpoint.secret = secret_generate()
        if grace > timedelta(0):
            endpoint.previous_secret = replaced
            endpoint.previous_secret_until = timezone.now() + grace
        else:
            endpoint.previous_secret = ""
            endpoint.previous_secret_until = None
        endpoint.save(
            update_fields=["secret", "previous_secret", "previous_secret_until"]
        )
    return endpoint.secret


def secret_grace_end(endpoint: WebhookEndpoint) -> bool:
    """Stop signing with the replaced secret now (say, it leaked); False if it
    already had stopped."""
    was_accepted = endpoint.previous_secret_accepted()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret="", previous_secret_until=None
    )
    endpoint.previous_secret = ""
    endpoint.previous_secret_until = None
    return was_accepted
