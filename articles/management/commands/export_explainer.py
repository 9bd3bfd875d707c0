from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.explainer_format import ExplainerFormatError, render_document
from articles.models import Article
from figures.transfer import images_export


class Command(BaseCommand):
    help = "Write an explainer (any status) as a document to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The explainer's slug.")
        parser.add_argument(
            "-o", "--output", help="Write to this file instead of stdout."
        )

    def handle(self, *args, **options):
        slug = options["slug"]
        article = Article.objects.with_annotations().filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No explainer has the slug '{slug}'.")
        try:
            text = render_document(article)
        except ExplainerFormatError as error:
            raise CommandError(str(error)) from None
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        try:
            # Library images go beside the document (figures/transfer.py).
            text = images_export(text, article, path)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
