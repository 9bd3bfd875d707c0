import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command, load_command_class
from django.db import connections
from django.utils import timezone
from reversion.models import Version

from articles.models import (
    FAQ,
    Article,
    Author,
    Correction,
    KeyFact,
    QuickAnswer,
    Topic,
)
from tests.factories import make_article, make_author, make_topic
from tests.helpers import require_or_skip

pytestmark = pytest.mark.django_db

SHARED_SAMPLE = Path("/work/shared/seeds/000_55f20a30a85fad8a.txt")
LOCAL_SAMPLE = Path(__file__).parent / "data" / "capture_sample.txt"
UTC = dt.UTC


def counts():
    models = (Article, Author, Topic, KeyFact, QuickAnswer, FAQ, Correction, Version)
    return {model.__name__: model.objects.count() for model in models}


def run(capsys, monkeypatch, *argv):
    """Run a command the way manage.py does; return (exit code, stdout, stderr)."""
    # run_from_argv closes connections when done, which would end the test's
    # transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = load_command_class("articles", argv[0])
    try:
        command.run_from_argv(["manage.py", *argv, "--skip-checks"])
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def import_file(path, *args):
    out = io.StringIO()
    call_command("import_explainer", str(path), *args, stdout=out)
    return Article.objects.get(slug=out.getvalue().strip())


def write(tmp_path, text, name="doc.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BODY = """Opening paragraph with a footnote.[^1]

## What happened

| Year | Event |
| --- | --- |
| 2024 | Agreement |

```text
## Key Facts (inside code, so still body)
```

- one
- two

[^1]: The footnote."""


def rows(manager, *fields):
    return list(manager.values_list(*fields))


def test_export_then_import_gives_the_same_explainer(tmp_path):
    ada, ben = make_author("Ada Quill"), make_author("Ben Ortiz")
    original = make_article(
        title="Why the Moon is getting its own clock",
        dek="Clocks run fast up there: agencies want one lunar time.",
        body=BODY,
        background="Some *context*, in Markdown.\n\nA second paragraph.",
        source_url="https://example.org/story?id=7",
        source_title="The original: a story",
        source_publisher="Example Times",
        comments_mode=Article.CommentsMode.PREMODERATED,
        publish_at=dt.datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC),
        facts=3,
        answers=2,
        faqs=2,
        topics=[make_topic("Space"), make_topic("Science")],
        authors=[ada, ben],
    )
    KeyFact.objects.filter(article=original, position=1).update(anchor="fact-custom")
    FAQ.objects.filter(article=original, position=0).update(
        answer="First paragraph.\n\n- a list\n- of two"
    )
    original.faqs.get(position=0).save()  # re-render answer_html
    Correction.objects.create(
        article=original,
        kind=Correction.Kind.CORRECTION,
        note="The year was wrong.",
        created_at=dt.datetime(2026, 11, 21, tzinfo=UTC),
    )
    Correction.objects.create(
        article=original,
        kind=Correction.Kind.UPDATE,
        note="Added the agency's response.",
        created_at=dt.datetime(2026, 11, 22, 14, 3, 5, tzinfo=UTC),
    )
    path = tmp_path / "moon.md"
    call_command("export_explainer", original.slug, "-o", str(path))
    before = counts()

    copy = import_file(path, "--slug", "moon-copy")

    for name in (
        "title",
        "dek",
        "body",
        "body_html",
        "background",
        "background_html",
        "source_url",
        "source_title",
        "source_publisher",
        "status",
        "publish_at",
        "comments_mode",
    ):
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.is_published()
    assert set(copy.authors.all()) == {ada, ben}
    assert set(copy.topics.all()) == set(original.topics.all())
    fact_fields = ("position", "anchor", "label", "text")
    qa_fields = ("position", "anchor", "question", "answer")
    assert rows(copy.key_facts, *fact_fields) == rows(original.key_facts, *fact_fields)
    assert rows(copy.key_facts, "anchor")[1] == ("fact-custom",)
    assert rows(copy.quick_answers, *qa_fields) == rows(
        original.quick_answers, *qa_fields
    )
    faq_fields = (*qa_fields, "answer_html")
    assert rows(copy.faqs, *faq_fields) == rows(original.faqs, *faq_fields)
    correction_fields = ("created_at", "kind", "note")
    assert rows(copy.corrections, *correction_fields) == rows(
        original.corrections, *correction_fields
    )
    after = counts()
    assert after["Article"] == before["Article"] + 1
    assert after["Author"] == before["Author"]
    assert after["Topic"] == before["Topic"]
    assert after["KeyFact"] == before["KeyFact"] + 3
    assert after["Correction"] == before["Correction"] + 2


def test_export_writes_the_documented_format_to_stdout(tmp_path):
    article = make_article(
        title="Leap seconds: the end",
        slug="leap",
        dek="A short dek.",
        body="## What happened\n\nIt ended.",
        source_url="https://example.org/leap",
        source_title="Leap",
        source_publisher="Example",
        publish_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        facts=1,
        answers=1,
        faqs=1,
        corrections=1,
        topics=[make_topic("Time")],
        authors=[make_author("Ada Quill"), make_author("Ben Ortiz")],
        background="Context.",
    )
    out = io.StringIO()
    call_command("export_explainer", article.slug, stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "---\n"
        "title: 'Leap seconds: the end'\n"
        "dek: A short dek.\n"
        "slug: leap\n"
        "authors: [Ada Quill, Ben Ortiz]\n"
        "topics: [Time]\n"
        "source:\n"
        "  url: https://example.org/leap\n"
        "  title: Leap\n"
        "  publisher: Example\n"
        "status: published\n"
        "publish_at: 2026-11-20T09:00:00+00:00\n"
        "comments: open\n"
        "---\n\n"
        "## What happened\n\nIt ended.\n\n"
        "## Key Facts\n\n- Fact 0: Fact text 0. {#fact-fact-0}\n\n"
        "## Quick Answers\n\n### Question 0? {#answer-question-0}\n\nAnswer 0.\n\n"
        "## Frequently Asked Questions\n\n### FAQ 0? {#faq-faq-0}\n\n**Answer** 0.\n\n"
        "## Background\n\nContext.\n\n"
        "## Corrections\n\n- "
    )
    file_path = tmp_path / "leap.md"
    call_command("export_explainer", article.slug, "--output", str(file_path))
    assert file_path.read_text(encoding="utf-8") == text


DOCUMENT = """---
title: Why the Moon is getting its own clock
slug: moon-time
authors: [Ada Quill]
topics: [Space]
status: review
---

Intro paragraph.

## Frequently Asked Questions

### Why now? {#faq-why-now}

Because more missions are planned.

Second paragraph of the answer.

## What happened

Agencies agreed on a plan.

## Corrections and updates

- 2026-11-21 update: Added the agency's response.

## key facts

- Drift: Clocks on the Moon gain about 56 microseconds a day.
- Deadline: A standard is wanted by 2026. {#fact-deadline}

## Quick Answers

### What is lunar time?

A time scale for the Moon.

## Background

Relativity says clocks in weaker gravity run faster.
"""


def test_a_document_is_read_section_by_section_in_any_order(tmp_path):
    existing = make_author("ada quill")
    article = import_file(write(tmp_path, DOCUMENT))

    assert article.slug == "moon-time"
    assert article.status == Article.Status.REVIEW
    assert article.publish_at is None
    assert list(article.authors.all()) == [existing]
    assert [topic.name for topic in article.topics.all()] == ["Space"]
    assert article.body == (
        "Intro paragraph.\n\n## What happened\n\nAgencies agreed on a plan."
    )
    assert '<h2 id="what-happened">What happened</h2>' in article.body_html
    assert rows(article.key_facts, "position", "label", "anchor") == [
        (0, "Drift", "fact-drift"),
        (1, "Deadline", "fact-deadline"),
    ]
    assert rows(article.quick_answers, "question", "answer", "anchor") == [
        (
            "What is lunar time?",
            "A time scale for the Moon.",
            "answer-what-is-lunar-time",
        )
    ]
    faq = article.faqs.get()
    assert (faq.question, faq.anchor) == ("Why now?", "faq-why-now")
    assert faq.answer_html.count("<p>") == 2
    assert article.background_html == (
        "<p>Relativity says clocks in weaker gravity run faster.</p>"
    )
    correction = article.corrections.get()
    assert (correction.kind, correction.note) == (
        "update",
        "Added the agency's response.",
    )
    assert timezone.localtime(correction.created_at).date() == dt.date(2026, 11, 21)
    revision = Version.objects.get_for_object(article).get().revision
    assert revision.comment == "Imported from doc.md."


def test_publish_flag_publishes_now_and_title_flag_replaces_the_title(tmp_path):
    moment = dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        article = import_file(
            write(tmp_path, DOCUMENT), "--publish", "--title", "Moon time"
        )
    assert article.title == "Moon time"
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at == moment
    assert Article.objects.published().filter(pk=article.pk).exists()


SAMPLE_SHARED = {
    "path": SHARED_SAMPLE,
    "sections": [
        ("The Current AI Landscape", 1),
        ("Why Open Models Matter", 2),
        ("The Risks of Dependency", 1),
        ("Global Perspectives on Open AI", 2),
        ("The Push for Transparency", 2),
        ("Recommendations for a Path Forward", 1),
        ("Conclusion: A Collective Responsibility", 2),
    ],
    "list_section": "Recommendations for a Path Forward",
    "list_items": ["Enhance Collaboration:", "Support Open Innovation:", "Invest in"],
    "quote": "\u201cThe open model is a fundamental cornerstone",
    "facts": [
        "U.S. AI Lead",
        "Dependency Risks",
        "ATOM Project",
        "Chinese Competition",
        "Open Models Importance",
        "Zuckerberg's Investment Offer",
        "Budget Estimate for Open Models",
    ],
    "first_answer": (
        "What is the ATOM Project?",
        "The ATOM Project, founded by Nathan Lambert, aims to promote the "
        "development of open AI models in the U.S.",
    ),
    "answers": 8,
    "faqs": 4,
    "background": "The article discusses the urgency",
    "source": "https://www.wired.com/story/us-needs-open-source-ai-model-intervention-china/",
}
SAMPLE_LOCAL = {
    "path": LOCAL_SAMPLE,
    "sections": [
        ("A Network on the Seabed", 2),
        ("What Is Inside a Cable", 1),
        ("When Cables Break", 1),
        ("Who Builds and Owns Them", 1),
        ("Why It Matters", 2),
    ],
    "list_section": "Who Builds and Owns Them",
    "list_items": ["Owners:", "Manufacturers:", "Landing stations:"],
    "quote": "\u201cSo much of the internet depends",
    "facts": [
        "Traffic Share",
        "First Cable",
        "Fibre Era",
        "Cable Size",
        "Main Hazards",
        "Tonga Outage",
    ],
    "first_answer": (
        "How does most internet traffic cross the oceans?",
        "It travels as light through fibre-optic cables laid on the seabed.",
    ),
    "answers": 5,
    "faqs": 3,
    "background": "Undersea cables have been part of international communications",
    "source": "https://www.itu.int/",
}
FURNITURE = ("Sign in", "Sign In", "Loading comments", "leave a comment", "Comments")


@pytest.mark.parametrize(
    "sample", [SAMPLE_SHARED, SAMPLE_LOCAL], ids=["shared", "local"]
)
def test_a_captured_page_imports_with_every_section(sample):
    if sample is SAMPLE_SHARED:
        require_or_skip(SHARED_SAMPLE.exists(), f"{SHARED_SAMPLE} is not present")
    article = import_file(sample["path"], "--title", "A captured explainer")

    assert article.title == "A captured explainer"
    assert article.status == Article.Status.DRAFT
    chunks = article.body_html.split("<h2")
    assert chunks[0] == ""  # the body opens with its first section title
    titles = [re.search(r">(.*?)</h2>", chunk).group(1) for chunk in chunks[1:]]
    assert titles == [title for title, _ in sample["sections"]]
    for chunk, (title, paragraphs) in zip(chunks[1:], sample["sections"], strict=True):
        assert chunk.count("<p>") == paragraphs, title
        if title == sample["list_section"]:
            items = re.findall(r"<li>(.*?)</li>", chunk)
            assert chunk.count("<ul>") == 1
            assert [
                item[: len(start)]
                for item, start in zip(items, sample["list_items"], strict=True)
            ] == sample["list_items"]
        else:
            assert "<li>" not in chunk
    assert f"<p>{sample['quote']}" in article.body_html
    assert [fact.label for fact in article.key_facts.all()] == sample["facts"]
    assert all(fact.text.endswith(".") for fact in article.key_facts.all())
    answers = article.quick_answers.all()
    assert len(answers) == sample["answers"]
    assert (answers[0].question, answers[0].answer) == sample["first_answer"]
    assert all(answer.question.endswith("?") for answer in answers)
    faqs = article.faqs.all()
    assert len(faqs) == sample["faqs"]
    assert all(faq.question.endswith("?") for faq in faqs)
    assert all(faq.answer_html.startswith("<p>") for faq in faqs)
    assert article.background_html.startswith(f"<p>{sample['background']}")
    assert article.background_html.count("<p>") == 1
    assert article.source_url == sample["source"]
    stored = " ".join(
        [article.body, article.background, article.body_html]
        + [f"{f.label} {f.text}" for f in article.key_facts.all()]
        + [f"{a.question} {a.answer}" for a in answers]
        + [f"{f.question} {f.answer}" for f in faqs]
    )
    for word in FURNITURE:
        assert word not in stored
    assert "Source reference" not in stored


CAPTURE_WITH_TITLE = """\
Why Undersea  Cables Matter
A Network on the Seabed
Most traffic between continents runs through fibre on the ocean floor.
"""


def test_a_captures_first_line_is_dropped_when_it_is_the_title(tmp_path):
    path = write(tmp_path, CAPTURE_WITH_TITLE, name="capture.txt")

    same = import_file(path, "--title", "Why undersea cables matter")
    other = import_file(path, "--title", "Cables under the sea")

    assert same.body == (
        "## A Network on the Seabed\n\n"
        "Most traffic between continents runs through fibre on the ocean floor."
    )
    assert other.body.startswith("Why Undersea  Cables Matter\n\n## A Network")


def test_a_title_in_chinese_or_japanese_gets_a_transliterated_slug(tmp_path):
    chinese = write(tmp_path, "---\ntitle: 为什么电价上涨\n---\n\nBody.\n")
    japanese = write(tmp_path, "A section\nText.\n", name="capture.txt")

    assert import_file(chinese).slug == "wei-shen-me-dian-jia-shang-zhang"
    assert import_file(japanese, "--title", "ひらがなのテスト").slug == (
        "hiragananotesuto"
    )


@pytest.fixture
def taken():
    return make_article(title="Already here", slug="taken")


FRONT = "---\ntitle: A title\n{}\n---\n\nBody.\n"
BAD_INPUTS = {
    "missing file": (None, [], "Cannot read"),
    "not utf-8": (b"---\ntitle: Caf\xe9\n---\n", [], "is not UTF-8 text (byte 0xe9"),
    "empty capture": ("\n\nComments\nSign In\n", ["--title", "T"], "has no text"),
    "capture without title": ("A Section\nA paragraph.\n", [], "has no title"),
    "document without title": ("---\nslug: x\n---\n\nBody.\n", [], "has no title"),
    "unknown key": (
        FRONT.format("subtitle: Nope"),
        [],
        "Unknown front-matter key 'subtitle'",
    ),
    "unknown source key": (
        FRONT.format("source:\n  link: https://example.org/"),
        [],
        "Unknown front-matter key 'source.link'",
    ),
    "malformed date": (
        FRONT.format("publish_at: next tuesday"),
        [],
        "publish_at 'next tuesday' is not an ISO 8601 date and time with a zone",
    ),
    "date without zone": (
        FRONT.format("publish_at: '2026-11-20T09:00:00'"),
        [],
        "publish_at '2026-11-20T09:00:00' is not an ISO 8601",
    ),
    "bad status": (
        FRONT.format("status: live"),
        [],
        "status 'live' is not one of: draft, review, published, archived.",
    ),
    "bad comments mode": (
        FRONT.format("comments: sometimes"),
        [],
        "comments 'sometimes' is not one of: open, premoderated, closed.",
    ),
    "non-http source": (
        FRONT.format("source:\n  url: ftp://example.org/file"),
        [],
        "Source URL 'ftp://example.org/file' is not an http:// or https:// address.",
    ),
    "bad capture source": (
        "Title Line\nA paragraph.\nSource reference: javascript:alert(1)\n",
        ["--title", "T"],
        "Source URL 'javascript:alert(1)' is not an http",
    ),
    "invalid yaml": (FRONT.format("dek: [unclosed"), [], "not valid YAML"),
    "unclosed front matter": ("---\ntitle: T\n\nBody.\n", [], "is not closed"),
    "fact without label": (
        FRONT.format("") + "\n## Key Facts\n\n- Just a sentence.\n",
        [],
        "Key fact 'Just a sentence.' must read '- Label: text'.",
    ),
    "quick answer without answer": (
        "Title Line\nA paragraph.\nQuick Answers\n- Question?\n",
        ["--title", "T"],
        "the last question ('Question?') has no answer",
    ),
    "bad correction date": (
        FRONT.format("") + "\n## Corrections\n\n- 2026-02-30 correction: Oops.\n",
        [],
        "Correction date '2026-02-30' is not a date",
    ),
    "duplicate slug": (FRONT.format("slug: taken"), [], "slug 'taken' already exists"),
    "duplicate slug from flag": (FRONT.format(""), ["--slug", "taken"], "'taken'"),
    "invalid slug flag": (
        FRONT.format(""),
        ["--slug", "not a slug"],
        "Explainer: slug: Enter a valid",
    ),
    # Fails on the first annotation, after the article row was written.
    "too long fact": (
        FRONT.format("topics: [Brand New Topic]")
        + "\n## Key Facts\n\n- "
        + "L" * 130
        + ": text\n",
        [],
        "Key fact 1 ('LLLL",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_error_and_saves_nothing(
    case, tmp_path, capsys, monkeypatch, taken
):
    content, args, message = BAD_INPUTS[case]
    path = tmp_path / "input.md"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    before = counts()

    code, out, err = run(capsys, monkeypatch, "import_explainer", str(path), *args)

    assert code == 1
    assert out == ""
    assert err.startswith("CommandError: ") and err.count("\n") == 1
    assert message in err
    assert counts() == before
    assert not Topic.objects.filter(name="Brand New Topic").exists()


def test_export_of_an_unknown_slug_is_an_error(capsys, monkeypatch, tmp_path):
    target = tmp_path / "out.md"
    code, out, err = run(
        capsys, monkeypatch, "export_explainer", "no-such-thing", "-o", str(target)
    )
    assert (code, out) == (1, "")
    assert err == "CommandError: No explainer has the slug 'no-such-thing'.\n"
    assert not target.exists()


def test_export_refuses_a_body_that_would_not_read_back(capsys, monkeypatch):
    article = make_article(body="## Background\n\nWritten in the body by hand.")
    code, out, err = run(capsys, monkeypatch, "export_explainer", article.slug)
    assert code == 1
    assert out == ""
    assert "cannot be exported without loss: its body" in err


def test_import_prints_only_the_slug(tmp_path, capsys, monkeypatch):
    code, out, err = run(
        capsys, monkeypatch, "import_explainer", str(write(tmp_path, DOCUMENT))
    )
    assert (code, out, err) == (0, "moon-time\n", "")
