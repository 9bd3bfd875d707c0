"""Integration keys: made, checked and revoked here (the admin and the API call these)."""

import datetime
import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.utils import timezone

from .models import KEY_PREFIX_LENGTH, IntegrationKey

KEY_FORMAT = re.compile(
    rf"nrk_(?P<prefix>[0-9a-f]{{{KEY_PREFIX_LENGTH}}})_(?P<secret>[A-Za-z0-9_-]{{43}})"
)
# last_used_at is a hint for editors, not an audit log: one write a minute at most.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def key_hash(key: str) -> str:
    # The secret is 32 random bytes, so a fast hash is enough; no salt or stretching.
    return hashlib.sha256(key.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        if not IntegrationKey.objects.filter(prefix=prefix).exists():
            return prefix


def key_issue(key: IntegrationKey) -> str:
    """Give an unsaved key its prefix and hash; return the full key, never stored."""
    key.prefix = _new_prefix()
    full = f"nrk_{key.prefix}_{secrets.token_urlsafe(32)}"
    key.key_hash = key_hash(full)
    return full


def key_create(
    *, name: str, scope: str, created_by, acting_user=None
) -> tuple[IntegrationKey, str]:
    key = IntegrationKey(
        name=name, scope=scope, acting_user=acting_user, created_by=created_by
    )
    full = key_issue(key)
    key.full_clean()
    key.save()
    return key, full


def key_find(full: str) -> IntegrationKey | None:
    """The active key `full` names, or None for a malformed, unknown or revoked one."""
    match = KEY_FORMAT.fullmatch(full)
    if match is None:
        return None
    key = (
        IntegrationKey.objects.active()
        .select_related("acting_user")
        .filter(prefix=match["prefix"])
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, key_hash(full)):
        return None
    return key


def key_touch(key: IntegrationKey) -> None:
    """Record a use, unless one was recorded within the last minute."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_PRECISION:
        return
    IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


@transaction.atomic
def keys_revoke(*, keys) -> int:
    """Revoke the keys not yet revoked; return how many were."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
