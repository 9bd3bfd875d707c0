"""Small factory helpers with sensible defaults."""

import io
from itertools import count

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

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


def make_reader(*, verified=True, **fields):
    """A reader account with its email address recorded (verified or not)."""
    user = make_user(**fields)
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=verified
    )
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


def make_full_article(*, topics, authors, **fields):
    """A published explainer with every annotation, a source, a hero image, SEO text,
    a correction and an update."""
    fields = {
        "title": "Why rents are rising",
        "dek": "A short guide to the rent vote.",
        "background": "The city has *three* rent zones.",
        "facts": 2,
        "answers": 2,
        "faqs": 2,
        "corrections": 1,
        "source_url": "https://example.org/rent-report",
        "source_title": "Rent report 2026",
        "source_publisher": "Example Gazette",
        "hero_alt": "A row of terraced houses",
        "hero_credit": "Jo Photo",
        "seo_description": "What the rent vote means for tenants.",
        **fields,
    }
    article = make_article(topics=topics, authors=authors, **fields)
    article.hero_image = png_upload()
    article.save()
    Correction.objects.create(
        article=article, kind=Correction.Kind.UPDATE, note="Added the May date."
    )
    article_changed(article)
    return article


def png_bytes(*, size=(16, 9), colour="steelblue"):
    """A small PNG image, as the bytes of its file."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="hero.png", **image):
    """A PNG as a browser uploads it (`image`: png_bytes' size and colour)."""
    return SimpleUploadedFile(name, png_bytes(**image), content_type="image/png")
