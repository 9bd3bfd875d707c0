"""Importing and exporting explainer documents through the admin pages."""

import html
import io
import re
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.admin.import_export import MAX_DOCUMENT_BYTES, SIGNING_SALT
from articles.models import FAQ, Article, Author, Correction, KeyFact, QuickAnswer
from tests.factories import make_article, make_author, make_topic, make_user
from tests.helpers import change_url, messages_of

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:articles_article_import")
CHANGELIST = reverse("admin:articles_article_changelist")
CAPTURE = Path(__file__).parent / "data" / "capture_sample.txt"
CAPTURE_FACTS = [
    "Traffic Share",
    "First Cable",
    "Fibre Era",
    "Cable Size",
    "Main Hazards",
    "Tonga Outage",
]
CAPTURE_SECTIONS = [
    "A Network on the Seabed",
    "What Is Inside a Cable",
    "When Cables Break",
    "Who Builds and Owns Them",
    "Why It Matters",
]
DOCUMENT = """---
title: Why the Moon is getting its own clock
dek: Clocks run fast up there.
slug: moon-time
authors: [Ada Quill, Ben Ortiz]
topics: [Space]
source:
  url: https://example.org/moon
  title: Lunar time
  publisher: Example Times
status: published
publish_at: 2026-01-05T09:00:00+00:00
---

Intro paragraph.

## What happened

Agencies agreed on a plan.

```text
## Not a section (inside code)
```

## What comes next

A standard by 2026.

## Key Facts

- Drift: Clocks on the Moon gain about 56 microseconds a day.
- Deadline: A standard is wanted by 2026.

## Quick Answers

### What is lunar time?

A time scale for the Moon.

## Frequently Asked Questions

### Why now?

Because more missions are planned.

## Corrections

- 2026-01-06 correction: The drift figure was wrong.
"""


def export_url(article):
    return reverse("admin:articles_article_export", args=[article.pk])


def upload(name, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def hidden_fields(response):
    """The hidden inputs of the "Create the draft" form, as a browser sends them."""
    page = response.content.decode()
    end = page.index('name="_create"')
    form = page[page.rindex("<form", 0, end) : end]
    fields = re.findall(r'<input type="hidden" name="(\w+)"(?: value="([^"]*)")?', form)
    return {
        name: html.unescape(value)
        for name, value in fields
        if name != "csrfmiddlewaretoken"
    }


def counts():
    models = (Article, Author, KeyFact, QuickAnswer, FAQ, Correction, Version)
    return {model.__name__: model.objects.count() for model in models}


def staff_with(*codenames):
    user = make_user()
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_changelist_offers_the_import_only_to_those_who_may_add(client, writer):
    client.force_login(writer)
    assert f'href="{IMPORT}"' in client.get(CHANGELIST).content.decode()

    client.force_login(staff_with("view_article"))
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert IMPORT not in page.content.decode()


def test_import_page_access_rules(client, reader, writer, editor):
    before = counts()
    document = {"document": upload("doc.md", DOCUMENT)}
    response = client.post(IMPORT, document)
    assert response.status_code == 302  # anonymous: to the admin login
    assert "login" in response["Location"]

    client.force_login(reader)
    response = client.get(IMPORT)
    assert response.status_code == 302 and "login" in response["Location"]

    client.force_login(staff_with("view_article", "change_article"))
    assert client.get(IMPORT).status_code == 403  # cannot add

    for user in (writer, editor):
        client.force_login(user)
        response = client.get(IMPORT)
        assert response.status_code == 200
        assert response.templates[0].name == "admin/articles/article/import.html"
        assert 'enctype="multipart/form-data"' in response.content.decode()

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    response = strict.post(IMPORT, {"document": upload("doc.md", DOCUMENT)})
    assert response.status_code == 403  # no CSRF token
    assert counts() == before


def test_a_capture_is_summarised_then_created_as_a_draft(writer_client, writer):
    before = counts()
    response = writer_client.post(
        IMPORT,
        {"document": upload(CAPTURE.name, CAPTURE.read_bytes()), "title": "Cables"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    page = response.content.decode()
    assert "page capture" in page
    assert "5 sections in the body" in page
    for section in CAPTURE_SECTIONS:
        assert f"<li>{section}</li>" in page
    assert "6 Key Facts" in page
    for label in CAPTURE_FACTS:
        assert f"<strong>{label}:</strong>" in page
    assert "5 Quick Answers" in page
    assert "How does most internet traffic cross the oceans?" in page
    assert "3 FAQ entries" in page
    assert "What is a cable landing station?" in page
    assert "https://www.itu.int/" in page
    assert 'value="Create the draft"' in page
    assert counts() == before  # nothing saved by checking

    response = writer_client.post(IMPORT, {**hidden_fields(response), "_create": "1"})

    article = Article.objects.get(slug="cables")
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    assert article.title == "Cables"
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer
    assert [fact.label for fact in article.key_facts.all()] == CAPTURE_FACTS
    assert article.quick_answers.count() == 5
    assert article.faqs.count() == 3
    assert article.source_url == "https://www.itu.int/"
    revision = Version.objects.get_for_object(article).get().revision
    assert (revision.comment, revision.user) == (
        "Imported from capture_sample.txt.",
        writer,
    )
    assert LogEntry.objects.get(object_id=str(article.pk)).is_addition()
    page = writer_client.get(response["Location"])
    assert any("Created the draft “Cables”" in text for text in messages_of(page))


def test_a_document_saying_published_is_still_created_as_a_draft(editor_client):
    existing = make_author("ada quill")
    response = editor_client.post(IMPORT, {"document": upload("moon.md", DOCUMENT)})

    page = response.content.decode()
    assert "explainer document" in page
    assert "Why the Moon is getting its own clock" in page and "moon-time" in page
    assert "Ada Quill, Ben Ortiz" in page
    assert "Space" in page
    assert "Lunar time (Example Times) https://example.org/moon" in page
    assert "2 sections in the body" in page
    assert "<li>What happened</li>" in page and "<li>What comes next</li>" in page
    assert "Not a section" not in page.split("sections in the body")[1]
    assert "<strong>Drift:</strong>" in page and "<strong>Deadline:</strong>" in page
    assert "<dt>What is lunar time?</dt>" in page
    assert "<dt>Why now?</dt>" in page
    assert "1 correction or update" in page and "The drift figure was wrong." in page
    assert "created as a draft all the same" in page

    response = editor_client.post(IMPORT, {**hidden_fields(response), "_create": "1"})

    article = Article.objects.get(slug="moon-time")
    assert response["Location"] == change_url(article)
    assert article.status == Article.Status.DRAFT
    assert article.publish_at is None
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert existing in article.authors.all()  # matched whatever the case
    assert sorted(author.name for author in article.authors.all()) == [
        "Ben Ortiz",
        "ada quill",
    ]
    assert [fact.label for fact in article.key_facts.all()] == ["Drift", "Deadline"]
    assert article.quick_answers.get().question == "What is lunar time?"
    assert article.faqs.get().question == "Why now?"
    assert article.corrections.get().note == "The drift figure was wrong."


FRONT = "---\ntitle: A title\n{}\n---\n\nBody.\n"
BAD_UPLOADS = {
    "empty": ("empty.md", b"", "document", "empty"),
    "binary": (
        "image.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "document",
        "encoding",
    ),
    "nul bytes": ("odd.txt", b"Title\x00\x00 line\nText.", "document", "binary"),
    "not utf-8": (
        "latin.md",
        "---\ntitle: Café\n---\n".encode("latin-1"),
        "document",
        "encoding",
    ),
    "too large": (
        "big.txt",
        b"A line of text.\n" * (MAX_DOCUMENT_BYTES // 16 + 1),
        "document",
        "too_large",
    ),
    "document without title": (
        "doc.md",
        "---\nslug: x\n---\n\nBody.\n",
        "title",
        "no_title",
    ),
    "capture without title": (
        "page.txt",
        "A Section\nA paragraph.\n",
        "title",
        "no_title",
    ),
    "slug taken": ("doc.md", FRONT.format("slug: taken"), "slug", "slug_taken"),
    "invalid front matter": (
        "doc.md",
        FRONT.format("status: live"),
        "document",
        "format",
    ),
    "title too long": (
        "doc.md",
        "---\ntitle: " + "T" * 201 + "\n---\n",
        "title",
        "max_length",
    ),
    "source title too long": (
        "doc.md",
        FRONT.format("source:\n  title: " + "S" * 301),
        NON_FIELD_ERRORS,
        "max_length",
    ),
    "no file": (None, None, "document", "required"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_uploads_are_form_errors_and_create_nothing(case, writer_client):
    make_article(title="Already here", slug="taken")
    name, content, field, code = BAD_UPLOADS[case]
    data = {"document": upload(name, content)} if name else {}
    before = counts()

    response = writer_client.post(IMPORT, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, code), form.errors.as_data()
    page = response.content.decode()
    assert "Please correct the error" in page
    assert 'value="Create the draft"' not in page
    assert counts() == before


def test_a_kept_document_needs_only_the_fix_not_another_upload(writer_client):
    make_article(title="Already here", slug="taken")
    response = writer_client.post(
        IMPORT, {"document": upload("doc.md", FRONT.format("slug: taken"))}
    )
    assert response.context["form"].has_error("slug", "slug_taken")
    kept = re.search(r'name="signed" value="([^"]+)"', response.content.decode())

    response = writer_client.post(
        IMPORT, {"signed": html.unescape(kept.group(1)), "slug": "a-free-slug"}
    )
    assert 'value="Create the draft"' in response.content.decode()
    writer_client.post(IMPORT, {**hidden_fields(response), "_create": "1"})

    assert Article.objects.get(slug="a-free-slug").title == "A title"


def _tampered(value):
    payload, _, signature = value.rpartition(":")
    flipped = "A" if payload[-1] != "A" else "B"
    return f"{payload[:-1]}{flipped}:{signature}"


@pytest.mark.parametrize(
    "forge",
    [
        _tampered,
        lambda value: signing.dumps(("doc.md", FRONT.format("")), salt="elsewhere"),
        lambda value: signing.dumps(
            ("doc.md", "x" * (MAX_DOCUMENT_BYTES + 1)), salt=SIGNING_SALT, compress=True
        ),
        lambda value: "",
    ],
    ids=["changed", "other salt", "over the limit", "missing"],
)
def test_create_refuses_a_document_this_page_did_not_sign(forge, writer_client):
    response = writer_client.post(
        IMPORT, {"document": upload("doc.md", FRONT.format(""))}
    )
    fields = hidden_fields(response)
    fields["signed"] = forge(fields["signed"])
    before = counts()

    response = writer_client.post(IMPORT, {**fields, "_create": "1"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("signed", "tampered") or form.has_error(
        "document", "required"
    )
    assert counts() == before


def test_a_slug_taken_between_the_two_steps_is_a_form_error(writer_client):
    response = writer_client.post(IMPORT, {"document": upload("moon.md", DOCUMENT)})
    make_article(title="Meanwhile", slug="moon-time")
    before = counts()

    response = writer_client.post(IMPORT, {**hidden_fields(response), "_create": "1"})

    assert response.status_code == 200
    assert response.context["form"].has_error("slug", "slug_taken")
    assert counts() == before


def test_creating_needs_a_post(writer_client):
    response = writer_client.post(IMPORT, {"document": upload("moon.md", DOCUMENT)})
    fields = hidden_fields(response)

    response = writer_client.get(IMPORT, {**fields, "_create": "1"})

    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert not Article.objects.filter(slug="moon-time").exists()


# Export


def test_change_form_links_to_the_export(writer_client):
    article = make_article()
    page = writer_client.get(change_url(article)).content.decode()
    assert f'href="{export_url(article)}"' in page


def test_export_downloads_what_the_command_writes(writer_client):
    article = make_article(
        title="Ça change: the clock",
        slug="clock",
        facts=2,
        answers=1,
        faqs=1,
        corrections=1,
        authors=[make_author("Zoë Ortiz")],
        topics=[make_topic("Time")],
    )
    out = io.StringIO()
    call_command("export_explainer", "clock", stdout=out)

    response = writer_client.get(export_url(article))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="clock.md"'
    assert response.content == out.getvalue().encode("utf-8")


def test_export_access_rules(client, reader, editor):
    article = make_article(slug="clock")
    url = export_url(article)
    assert client.get(url).status_code == 302  # anonymous: to the admin login

    client.force_login(reader)
    assert client.get(url).status_code == 302  # not staff

    client.force_login(staff_with("add_article"))
    assert client.get(url).status_code == 403  # neither view nor change

    client.force_login(staff_with("view_article"))
    assert client.get(url).status_code == 200

    client.force_login(editor)
    assert client.get(url)["Content-Disposition"].endswith('"clock.md"')
    missing = client.get(reverse("admin:articles_article_export", args=[987654]))
    assert missing.status_code == 302
    assert missing["Location"] == reverse("admin:index")


def test_export_of_text_the_format_cannot_carry_is_an_error_message(editor_client):
    article = make_article(body="## Background\n\nWritten in the body by hand.")

    response = editor_client.get(export_url(article))

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    page = editor_client.get(response["Location"])
    assert any("cannot be exported without loss" in m for m in messages_of(page))


def test_an_export_imports_back_through_the_admin(editor_client):
    original = make_article(
        title="Leap seconds: the end",
        slug="leap",
        dek="A short dek.",
        body="## What happened\n\nIt ended.",
        source_url="https://example.org/leap",
        facts=2,
        answers=2,
        faqs=1,
        corrections=1,
        topics=[make_topic("Time")],
        authors=[make_author("Ada Quill")],
        background="Context.",
    )
    exported = editor_client.get(export_url(original)).content

    response = editor_client.post(
        IMPORT, {"document": upload("leap.md", exported), "slug": "leap-copy"}
    )
    response = editor_client.post(IMPORT, {**hidden_fields(response), "_create": "1"})

    copy = Article.objects.get(slug="leap-copy")
    assert response["Location"] == change_url(copy)
    assert copy.status == Article.Status.DRAFT  # the original is published
    for name in ("title", "dek", "body", "background", "source_url", "comments_mode"):
        assert getattr(copy, name) == getattr(original, name), name
    assert list(copy.authors.all()) == list(original.authors.all())
    assert list(copy.topics.all()) == list(original.topics.all())
    for name, fields in (
        ("key_facts", ("label", "text", "anchor")),
        ("quick_answers", ("question", "answer", "anchor")),
        ("faqs", ("question", "answer", "anchor")),
        ("corrections", ("kind", "note", "created_at")),
    ):
        assert list(getattr(copy, name).values_list(*fields)) == list(
            getattr(original, name).values_list(*fields)
        ), name
