from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.explainer_format import ExplainerFormatError, parse_document
from articles.models import Article, slug_words
from articles.services import explainer_import
from figures.demo_charts import with_demo_charts
from figures.demo_images import demo_heroes_attach, with_demo_images

from .import_explainer import read_text

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Import the demo explainers in articles/demo/*.md that are not there yet; "
        "safe to run again."
    )

    def handle(self, *args, **options):
        paths = sorted(DEMO_DIR.glob("*.md"))
        if not paths:
            raise CommandError(f"No demo documents found in {DEMO_DIR}.")
        documents = []
        for path in paths:
            try:
                documents.append(
                    (
                        path,
                        parse_document(
                            with_demo_images(with_demo_charts(read_text(path)))
                        ),
                    )
                )
            except ExplainerFormatError as error:
                raise CommandError(f"{path.name}: {error}") from None
        # All or nothing: a broken demo file leaves the database as it was.
        with transaction.atomic():
            lines = []
            for path, data in documents:
                slug = data.slug or slug_words(data.title, max_length=200)
                if Article.objects.filter(slug=slug).exists():
                    lines.append(f"already present: {slug}")
                    continue
                try:
                    article = explainer_import(data=data, origin=f"demo {path.name}")
                except ValidationError as error:
                    raise CommandError(f"{path.name}: {error.messages[0]}") from None
                demo_heroes_attach(article)
                lines.append(f"created: {article.slug}")
        for line in lines:
            self.stdout.write(line)
