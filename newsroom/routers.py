"""Reads from the replica, writes to the primary (used when DATABASE_REPLICA_URL is set).

Once a request has written, or while a transaction is open on the primary, its
reads go to the primary too, so a page never misses what it has just saved because
the replica lags. The flag lives in a context variable (one per thread under
gunicorn's threaded workers) and `ReplicaRoutingMiddleware` clears it per request.
"""

import contextvars

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_wrote = contextvars.ContextVar("newsroom_wrote_to_primary", default=False)


def reset():
    """Forget writes: the next read may go to the replica again."""
    _wrote.set(False)


def pinned_to_primary() -> bool:
    return _wrote.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # The shared cache's table (its versions) must never be read behind.
        if model._meta.app_label == "django_cache":
            return DEFAULT_DB_ALIAS
        if _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
