from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.explainer_format import (
    ExplainerFormatError,
    looks_like_document,
    parse_capture,
    parse_document,
)
from articles.services import explainer_import
from figures.transfer import DocumentImages


def read_text(path: Path) -> str:
    """The file's text as UTF-8, or a one-line CommandError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not UTF-8 text (byte 0x{raw[error.start]:02x} "
            f"at position {error.start})."
        ) from None


class Command(BaseCommand):
    help = (
        "Import an explainer from a document (Markdown with YAML front matter) or "
        "from a plain-text capture of a published page; prints the new slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The document or capture to read.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish it (now, unless the document gives publish_at).",
        )
        parser.add_argument("--slug", help="Use this slug instead of the document's.")
        parser.add_argument(
            "--title", help="Use this title (required for a capture, which has none)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        text = read_text(path)
        try:
            # One transaction with the library images the document brings.
            with transaction.atomic():
                if looks_like_document(text):
                    images = DocumentImages(path)
                    data = parse_document(images.resolve(text))
                else:
                    images, data = None, parse_capture(text, title=options["title"])
                article = explainer_import(
                    data=data,
                    publish=options["publish"],
                    slug=options["slug"],
                    title=options["title"],
                    origin=path.name,
                )
                if images is not None:
                    images.hero_attach(article)
        except (ExplainerFormatError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else error
            raise CommandError(f"{path.name}: {message}") from None
        self.stdout.write(article.slug)
