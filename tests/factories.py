"""Small factory helpers with sensible defaults."""

from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from articles.models import (
    FAQ,
    Article,
    Author,
    Correction,
    KeyFact,
    QuickAnswer,
    Topic,
)
from articles.roles import ensure_roles
from articles.services import article_changed

PASSWORD = "correct-horse-battery-staple"
_seq = count(1)


def make_user(*, role=None, username=None, **fields):
    """A user; role is None (reader), "writer", "editor" or "superuser"."""
    n = next(_seq)
    username = username or f"{role or 'reader'}{n}"
    fields.setdefault("email", f"{username}@example.org")
    User = get_user_model()
    if role == "superuser":
        return User.objects.create_superuser(
            username=username, password=PASSWORD, **fields
        )
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=role in {"writer", "editor"},
        **fields,
    )
    if role in {"writer", "editor"}:
        if not Group.objects.filter(name=role.capitalize()).exists():
            # A transactional test (live server) flushed the data migration's groups.
            ensure_roles(Group, Permission)
        user.groups.add(Group.objects.get(name=role.capitalize()))
    return user


def make_topic(name=None, **fields):
    return Topic.objects.create(name=name or f"Topic {next(_seq)}", **fields)


def make_author(name=None, **fields):
    return Author.objects.create(name=name or f"Author {next(_seq)}", **fields)


def make_article(
    *,
    title=None,
    status=Article.Status.PUBLISHED,
    publish_at=None,
    facts=0,
    answers=0,
    faqs=0,
    corrections=0,
    topics=(),
    authors=(),
    **fields,
):
    """An article (published a minute ago by default) with `facts` key facts etc."""
    n = next(_seq)
    if status == Article.Status.PUBLISHED and publish_at is None:
        publish_at = timezone.now() - timezone.timedelta(minutes=1)
    fields.setdefault("dek", f"What explainer {n} is about, in one sentence.")
    fields.setdefault("body", f"## What happened\n\nParagraph one of explainer {n}.\n")
    article = Article.objects.create(
        title=title or f"Explainer {n}", status=status, publish_at=publish_at, **fields
    )
    article.topics.set(topics)
    article.authors.set(authors)
    for i in range(facts):
        KeyFact.objects.create(
            article=article, position=i, label=f"Fact {i}", text=f"Fact text {i}."
        )
    for i in range(answers):
        QuickAnswer.objects.create(
            article=article,
            position=i,
            question=f"Question {i}?",
            answer=f"Answer {i}.",
        )
    for i in range(faqs):
        FAQ.objects.create(
            article=article, position=i, question=f"FAQ {i}?", answer=f"**Answer** {i}."
        )
    for i in range(corrections):
        Correction.objects.create(article=article, note=f"Corrected detail {i}.")
    # As every real write path does: stamps updated_at, refreshes the search document.
    article_changed(article)
    return article
