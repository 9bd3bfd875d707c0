"""Write the whole site (content, people, comments, revisions) to one JSON file."""

import datetime
import gzip
import json
import os
import tempfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

# Rows a fresh database makes itself (content types, permissions) or that must not
# travel (sign-in sessions, the admin's own history).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "authtoken.tokenproxy",
]
FORMAT_NOTE = (
    "A Django fixture (manage.py loaddata reads it too) with natural keys for users, "
    "groups and content types."
)


def is_gzip(path: Path) -> bool:
    return path.suffix == ".gz"


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to ms), so
    a restored row is identical to the original."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _excluded(model) -> bool:
    meta = model._meta
    return (
        meta.proxy
        or not meta.managed
        or meta.app_label in EXCLUDED
        or meta.label_lower in EXCLUDED
    )


def dump_site() -> list:
    """Every exported row, in an order loaddata can follow (as dumpdata sorts)."""
    app_list = [
        (config, None) for config in apps.get_app_configs() if config.models_module
    ]
    rows = []
    for model in serializers.sort_dependencies(app_list, allow_cycles=True):
        if _excluded(model):
            continue
        queryset = model._default_manager.order_by(model._meta.pk.name)
        rows.extend(
            serializers.serialize(
                "python",
                queryset.iterator(),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
        )
    for row in rows:
        if row["model"] == "articles.article":
            # Derived, engine-specific data: import_site rebuilds it.
            row["fields"]["search_vector"] = None
    return rows


class Command(BaseCommand):
    help = (
        "Back up the site to FILE (JSON; gzip-compressed when FILE ends in .gz): "
        "explainers with annotations and corrections, authors, topics, revisions, "
        "comments, flags, banned words and bans, users with password hashes, group "
        "membership and API tokens. Restore with import_site. Media files are not "
        "included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Where to write the backup (.json or .json.gz)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {path}: no directory {path.parent}.")
        rows = dump_site()
        data = json.dumps(
            rows, cls=FullPrecisionEncoder, ensure_ascii=False, indent=1
        ).encode()
        if is_gzip(path):
            data = gzip.compress(data)
        # Write beside the target, then rename: a failed export never leaves half a file.
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        counts = {}
        for row in rows:
            counts[row["model"]] = counts.get(row["model"], 0) + 1
        self.stdout.write(
            f"Exported {len(rows)} objects to {path} "
            f"({counts.get('articles.article', 0)} explainers, "
            f"{counts.get('comments.comment', 0)} comments, "
            f"{counts.get('accounts.user', 0)} users, "
            f"{counts.get('reversion.version', 0)} revision versions)."
        )
