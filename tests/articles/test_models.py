from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, KeyFact
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_the_title_and_kept_unique():
    first = make_article(title="Why Open Models Matter")
    second = make_article(title="Why open models matter")
    assert first.slug == "why-open-models-matter"
    assert second.slug == "why-open-models-matter-2"


def test_published_excludes_drafts_review_archived_and_future_times():
    visible = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article(status=Article.Status.ARCHIVED)
    make_article(publish_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.published()) == [visible]


def test_scheduled_article_appears_at_its_time_with_no_job():
    start = timezone.now()
    article = make_article(publish_at=start + timedelta(hours=2))
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()
        assert not article.is_published()
    with time_machine.travel(start + timedelta(hours=2, seconds=1), tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert article.is_published()


def test_publishing_without_a_time_stamps_now():
    article = make_article(status=Article.Status.DRAFT)
    assert article.publish_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.publish_at is not None and article.is_published()


def test_markdown_is_rendered_and_sanitized_on_save():
    article = make_article(body="## Heading\n\nHello <script>alert(1)</script>*there*")
    assert '<h2 id="heading">Heading</h2>' in article.body_html
    assert "<em>there</em>" in article.body_html
    assert "script" not in article.body_html


def test_publishing_needs_title_and_body_and_source_must_be_http():
    article = Article(
        title=" ", body="", status=Article.Status.PUBLISHED, source_url="ftp://x.org/a"
    )
    with pytest.raises(ValidationError) as info:
        article.full_clean()
    assert set(info.value.message_dict) >= {"title", "body", "source_url"}


def test_annotation_anchor_is_stable_and_unique_per_article():
    article = make_article()
    fact = KeyFact.objects.create(
        article=article, position=0, label="Budget", text="It costs a lot."
    )
    twin = KeyFact.objects.create(
        article=article, position=1, label="Budget", text="Again."
    )
    assert (fact.anchor, twin.anchor) == ("fact-budget", "fact-budget-2")
    fact.label = "Yearly budget"
    fact.save()
    fact.refresh_from_db()
    assert fact.anchor == "fact-budget"
    assert fact.get_absolute_url() == f"/explainers/{article.slug}/#fact-budget"
