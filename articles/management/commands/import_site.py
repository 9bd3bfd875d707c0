"""Restore a backup made by export_site into an empty, migrated database."""

import gzip
import json
import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, transaction

from articles.models import Article, Author, Topic
from articles.search import refresh_search_document
from comments.models import Comment

GZIP_MAGIC = b"\x1f\x8b"


def read_backup(path: Path) -> list:
    """The backup's rows, or a one-line CommandError saying what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"No such file: {path}.") from None
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise CommandError(
                f"{path} is not a readable gzip file: {error}."
            ) from None
    try:
        rows = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})."
        ) from None
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and "model" in row and "fields" in row for row in rows
    ):
        raise CommandError(f"{path} is not a backup made by export_site.")
    return rows


def existing_content() -> list[str]:
    """What the target database already holds, beyond what migrations make."""
    found = []
    for model in (Article, Topic, Author, Comment, get_user_model()):
        count = model.objects.count()
        if count:
            found.append(f"{count} {model._meta.verbose_name_plural}")
    return found


class Command(BaseCommand):
    help = (
        "Restore a backup made by export_site (FILE may be gzip-compressed) into this "
        "database, which must be migrated and empty; search data is rebuilt."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the database already has content (rows with the "
            "same keys are overwritten).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        rows = read_backup(path)
        try:
            found = existing_content()
        except DatabaseError as error:
            raise CommandError(
                f"The database is not ready (run migrate first): {error}".splitlines()[
                    0
                ]
            ) from None
        if found and not options["force"]:
            raise CommandError(
                "Refusing to import into a database that has content ("
                + ", ".join(found)
                + "); use an empty, migrated database or pass --force."
            )
        fd, fixture = tempfile.mkstemp(suffix=".json", prefix="newsroom-import-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(rows, handle)
            with transaction.atomic():
                call_command("loaddata", fixture, verbosity=0)
                for article in Article.objects.all():
                    refresh_search_document(article)
        except (DeserializationError, IntegrityError, DatabaseError) as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(
                f"Cannot import {path}: {message or error.__class__.__name__}. "
                "Nothing was imported."
            ) from None
        finally:
            os.unlink(fixture)
        counts = {}
        for row in rows:
            counts[row["model"]] = counts.get(row["model"], 0) + 1
        self.stdout.write(
            f"Imported {len(rows)} objects from {path} "
            f"({counts.get('articles.article', 0)} explainers, "
            f"{counts.get('comments.comment', 0)} comments, "
            f"{counts.get('accounts.user', 0)} users)."
        )
