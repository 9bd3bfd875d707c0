import io
from pathlib import Path

import pytest
from django.core.management import call_command
from reversion.models import Version

import articles
from articles.explainer_format import parse_document
from articles.models import (
    FAQ,
    Article,
    Author,
    Correction,
    KeyFact,
    QuickAnswer,
    Topic,
)
from tests.factories import make_article

# The demo adds its pictures to the image library: files go to a temporary folder.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

DEMO_FILES = sorted((Path(articles.__file__).parent / "demo").glob("*.md"))


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue().splitlines()


def snapshot():
    models = (Article, Author, Topic, KeyFact, QuickAnswer, FAQ, Correction, Version)
    return (
        {model.__name__: model.objects.count() for model in models},
        dict(Article.objects.values_list("slug", "updated_at")),
    )


def demo_slugs():
    return [parse_document(path.read_text("utf-8")).slug for path in DEMO_FILES]


def test_demo_content_is_published_with_every_kind_of_annotation():
    lines = load_demo()

    assert lines == [f"created: {slug}" for slug in demo_slugs()]
    published = Article.objects.published().with_annotations()
    assert published.count() == len(DEMO_FILES) >= 3
    for article in published:
        assert article.topics.all(), article.slug
        assert article.authors.all(), article.slug
        assert article.key_facts.all(), article.slug
        assert article.quick_answers.all(), article.slug
        assert article.faqs.all(), article.slug
        assert "<h2" in article.body_html and "<script" not in article.body_html
        assert article.dek and article.source_url.startswith("https://")
        revision = Version.objects.get_for_object(article).get().revision
        assert revision.comment.startswith("Imported from demo ")
    assert Correction.objects.filter(article__in=published).exists()


def test_a_second_run_changes_nothing():
    load_demo()
    before = snapshot()

    lines = load_demo()

    assert lines == [f"already present: {slug}" for slug in demo_slugs()]
    assert snapshot() == before


def test_an_existing_slug_is_left_alone_and_the_rest_are_created():
    first, *rest = demo_slugs()
    mine = make_article(title="Mine, not the demo's", slug=first)

    lines = load_demo()

    assert lines == [f"already present: {first}"] + [f"created: {s}" for s in rest]
    mine.refresh_from_db()
    assert mine.title == "Mine, not the demo's"
    assert not mine.key_facts.exists()
    assert Article.objects.count() == len(DEMO_FILES)
