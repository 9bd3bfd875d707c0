"""A source for every claim: pages, the admin, the explainer format, change history."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Version

from articles import publishing
from articles.models import Article, KeyFact, source_model
from tests.factories import make_article, make_author, make_topic, make_user
from tests.helpers import (
    assert_explainer_page_cost,
    change_url,
    errors_of,
    form_data,
    set_row,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def cite(claim, *sources):
    """Give `claim` sources, each (url, title) or a dict of source fields."""
    model = source_model(type(claim))
    start = model.objects.filter(annotation=claim).count()
    for offset, source in enumerate(sources):
        if not isinstance(source, dict):
            url, title = source
            source = {"url": url, "title": title}
        model.objects.create(annotation=claim, position=start + offset, **source)


def sourced_article(**fields):
    article = make_article(
        facts=2,
        answers=1,
        faqs=1,
        source_url="https://example.org/story-report",
        source_title="The story's report",
        source_publisher="Example Agency",
        **fields,
    )
    fact = article.key_facts.get(position=0)
    cite(
        fact,
        {
            "url": "https://stats.example.gov/budget",
            "title": "Budget tables",
            "publisher": "Statistics Office",
            "accessed": dt.date(2026, 11, 20),
            "quote": "Spending rose by 4%.",
        },
        ("https://example.net/hearing", "Hearing transcript"),
    )
    cite(article.faqs.get(), ("https://example.net/hearing", "Hearing transcript"))
    cite(article.quick_answers.get(), ("https://example.com/answer", "Answer source"))
    return article


def sources_section(html):
    found = re.search(r'<section[^>]*id="explainer-sources".*?</section>', html, re.S)
    return found.group(0) if found else ""


def json_ld_blocks(html):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


# ---- The explainer page ------------------------------------------------------------


def test_claims_carry_numbered_marks_linking_to_the_sources_list(client):
    article = sourced_article()
    fact = article.key_facts.get(position=0)
    html = client.get(article.get_absolute_url()).content.decode()

    # The story's own source is 1; the fact's two are 2 and 3, in page order.
    fact_html = re.search(rf'<li id="{fact.anchor}".*?</li>', html, re.S).group(0)
    assert '<a href="#source-2" aria-label="Source 2">[2]</a>' in fact_html
    assert '<a href="#source-3" aria-label="Source 3">[3]</a>' in fact_html
    answer = article.quick_answers.get()
    answer_html = re.search(rf'<div id="{answer.anchor}".*?</div>', html, re.S)
    assert 'href="#source-4"' in answer_html.group(0)
    sources = sources_section(html)
    numbered = re.findall(r'<li id="source-(\d+)"', sources)
    assert numbered == ["1", "2", "3", "4"]
    first = re.search(r'<li id="source-1".*?</li>', sources, re.S).group(0)
    assert "https://example.org/story-report" in first and "Example Agency" in first
    second = re.search(r'<li id="source-2".*?</li>', sources, re.S).group(0)
    assert "Statistics Office" in second and "Budget tables" in second
    assert '<time datetime="2026-11-20">20 November 2026</time>' in second
    assert '<q class="source__quote">Spending rose by 4%.</q>' in second
    assert f'href="#{fact.anchor}"' in second  # back to the claim
    assert "<script" not in sources


def test_a_source_cited_by_two_claims_has_one_number_and_two_back_links(client):
    article = sourced_article()
    fact, faq = article.key_facts.get(position=0), article.faqs.get()
    html = client.get(article.get_absolute_url()).content.decode()

    faq_html = re.search(rf'<details id="{faq.anchor}".*?</details>', html, re.S)
    assert 'href="#source-3"' in faq_html.group(0)
    third = re.search(r'<li id="source-3".*?</li>', sources_section(html), re.S)
    assert f'href="#{fact.anchor}"' in third.group(0)
    assert f'href="#{faq.anchor}"' in third.group(0)


def test_without_any_source_the_page_has_no_sources_section(client):
    article = make_article(facts=2)

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'id="explainer-sources"' not in html
    assert "source-marks" not in html


def test_source_text_is_escaped_and_flag_is_not_shown_to_readers(client):
    article = make_article(facts=1)
    fact = article.key_facts.get()
    fact.needs_source = True
    fact.save()
    cite(fact, ("https://example.org/x", '<img src=x onerror="alert(1)">Report'))

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x" in html
    assert "needs source" not in html.lower() and "needs_source" not in html


def test_json_ld_cites_the_story_source_then_each_claim_source(client):
    article = sourced_article()

    html = client.get(article.get_absolute_url()).content.decode()

    [news] = [b for b in json_ld_blocks(html) if b["@type"] == "NewsArticle"]
    citation = news["citation"]
    assert [work["url"] for work in citation] == [
        "https://example.org/story-report",
        "https://stats.example.gov/budget",
        "https://example.net/hearing",
        "https://example.com/answer",
    ]
    assert all(work["@type"] == "CreativeWork" and work["name"] for work in citation)
    assert citation[1]["publisher"] == {
        "@type": "Organization",
        "name": "Statistics Office",
    }
    assert "publisher" not in citation[2]


@pytest.mark.parametrize("size", [1, 15])
def test_page_query_count_does_not_grow_with_sources(
    client, django_assert_num_queries, size
):
    article = make_article(
        facts=size,
        answers=size,
        faqs=size,
        corrections=1,
        topics=[make_topic()],
        authors=[make_author()],
    )
    for claim in [
        *article.key_facts.all(),
        *article.quick_answers.all(),
        *article.faqs.all(),
    ]:
        cite(claim, *[(f"https://example.org/{n}", f"Source {n}") for n in range(size)])

    assert_explainer_page_cost(
        client, article.get_absolute_url(), django_assert_num_queries
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="source-marks"') == 3 * size


def test_annotation_page_lists_its_own_sources(client):
    article = sourced_article()
    fact = article.key_facts.get(position=0)
    url = reverse(
        "articles:annotation",
        kwargs={"slug": article.slug, "kind": "facts", "anchor": fact.anchor},
    )

    html = client.get(url).content.decode()

    assert "Budget tables" in html and "Hearing transcript" in html
    assert '<time datetime="2026-11-20">20 November 2026</time>' in html
    assert "Answer source" not in html  # another claim's


# ---- The desk: working copies, preview, publish ------------------------------------


def test_sources_in_a_working_copy_stay_private_until_published(client, editor):
    article = make_article(facts=1)
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/new", "title": "Newly found source"}
    ]
    publishing.explainer_save(article=article, state=state, user=editor)

    assert (
        "Newly found source"
        not in client.get(article.get_absolute_url()).content.decode()
    )
    client.force_login(editor)
    preview = client.get(reverse("articles:preview", kwargs={"pk": article.pk}))
    assert "Newly found source" in preview.content.decode()
    client.logout()

    publishing.explainer_publish(article=article, user=editor)

    assert (
        "Newly found source" in client.get(article.get_absolute_url()).content.decode()
    )


# ---- The admin -----------------------------------------------------------------------


def test_editor_edits_a_claims_sources_and_flag_on_its_card(editor_client):
    article = make_article(facts=1, status=Article.Status.DRAFT)
    fact = article.key_facts.get()
    cite(fact, ("https://example.org/old", "Old source"))
    url = change_url(article)
    response = editor_client.get(url)
    assert "https://example.org/old | Old source" in response.content.decode()

    data = form_data(response)
    set_row(
        data,
        "key_facts",
        0,
        sources="https://example.org/a | Report A | Agency | 2026-11-01 | Short quote\n"
        "https://example.org/b | Report B",
        needs_source="on",
    )
    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    fact.refresh_from_db()
    assert fact.needs_source
    assert [
        (s.url, s.title, s.publisher, s.accessed, s.quote) for s in fact.sources.all()
    ] == [
        (
            "https://example.org/a",
            "Report A",
            "Agency",
            dt.date(2026, 11, 1),
            "Short quote",
        ),
        ("https://example.org/b", "Report B", "", None, ""),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "javascript:alert(1) | Bad link",
        "https://example.org/a",
        "https://example.org/a | Title | Pub | not a date",
        "https://example.org/a | Title | Pub | | " + "x" * 301,
    ],
)
def test_a_bad_source_line_is_a_form_error_and_saves_nothing(editor_client, line):
    article = make_article(facts=1, status=Article.Status.DRAFT)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    set_row(data, "key_facts", 0, sources=line, label="Changed label")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "sources" in str(errors_of(response))
    assert article.key_facts.get().label == "Fact 0"
    assert not source_model(KeyFact).objects.exists()


def test_changelist_filters_explainers_with_a_claim_needing_a_source(editor_client):
    flagged, plain = make_article(faqs=1), make_article(faqs=1)
    faq = flagged.faqs.get()
    faq.needs_source = True
    faq.save()

    def listed(**params):
        response = editor_client.get(CHANGELIST, params)
        return set(response.context["cl"].result_list)

    assert listed(needs_source="yes") == {flagged}
    assert plain in listed(needs_source="no") and flagged not in listed(
        needs_source="no"
    )


def test_only_staff_who_edit_explainers_see_the_sources_box(client):
    article = make_article(facts=1, status=Article.Status.DRAFT)
    cite(article.key_facts.get(), ("https://example.org/private", "Private source"))
    url = change_url(article)

    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(make_user())
    assert client.get(url).status_code == 302  # a reader is no staff
    for role in ("writer", "editor"):
        client.force_login(make_user(role=role))
        response = client.get(url)
        assert response.status_code == 200
        assert "https://example.org/private | Private source" in (
            response.content.decode()
        )


# ---- The explainer format ------------------------------------------------------------

DOCUMENT = """\
---
title: Where the budget goes
slug: budget-explained
sources:
  key_facts:
    fact-total:
      - url: https://stats.example.gov/budget
        title: Budget tables
        publisher: Statistics Office
        accessed: 2026-11-20
        quote: Spending rose by 4%.
      - url: https://example.net/hearing
        title: Hearing transcript
  faqs:
    faq-why:
      - url: https://example.net/hearing
        title: Hearing transcript
needs_source:
  key_facts: [fact-schools]
status: published
---

Body text.

## Key Facts

- Total: The budget is 4% bigger. {#fact-total}
- Schools: Schools get most of it. {#fact-schools}

## Frequently Asked Questions

### Why now? {#faq-why}

Because the year ends.
"""


def import_text(tmp_path, text):
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_explainer", str(path), stdout=out)
    return Article.objects.get(slug=out.getvalue().strip())


def test_import_reads_sources_and_flags_and_export_writes_them_back(tmp_path):
    article = import_text(tmp_path, DOCUMENT)

    total, schools = article.key_facts.order_by("position")
    assert [s.title for s in total.sources.all()] == [
        "Budget tables",
        "Hearing transcript",
    ]
    assert total.sources.first().accessed == dt.date(2026, 11, 20)
    assert schools.needs_source and not total.needs_source
    assert [s.url for s in article.faqs.get().sources.all()] == [
        "https://example.net/hearing"
    ]

    out = io.StringIO()
    call_command("export_explainer", article.slug, stdout=out)
    exported = out.getvalue()
    assert "fact-total:" in exported and "quote: Spending rose by 4%." in exported
    assert "needs_source:" in exported

    again = import_text(
        tmp_path, exported.replace("slug: budget-explained", "slug: budget-again")
    )
    total_again = again.key_facts.get(anchor="fact-total")
    assert [
        (s.url, s.title, s.publisher, s.accessed, s.quote)
        for s in total_again.sources.all()
    ] == [
        (s.url, s.title, s.publisher, s.accessed, s.quote) for s in total.sources.all()
    ]
    assert again.key_facts.get(anchor="fact-schools").needs_source


@pytest.mark.parametrize(
    "change, replacement, message",
    [
        (
            "url: https://stats.example.gov/budget",
            "url: javascript:alert(1)",
            "is not an http:// or https:// address",
        ),
        ("fact-total:\n", "fact-missing:\n", "states as its anchor"),
        ("accessed: 2026-11-20", "accessed: last week", "is not a date"),
        ("[fact-schools]", "[fact-nowhere]", "states as its anchor"),
        ("        title: Budget tables\n", "        colour: blue\n", "Unknown key"),
    ],
)
def test_import_refuses_bad_sources_with_a_clear_error(
    tmp_path, change, replacement, message
):
    path = tmp_path / "doc.md"
    path.write_text(DOCUMENT.replace(change, replacement), encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        call_command("import_explainer", str(path), stdout=io.StringIO())

    assert not Article.objects.filter(slug="budget-explained").exists()


# ---- Change history ----------------------------------------------------------------


def test_change_history_shows_sources_added_edited_and_removed(client, editor):
    article = make_article(facts=2)
    publishing.explainer_publish(article=article, user=editor)  # a first revision
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/a", "title": "Original report"}
    ]
    publishing.explainer_publish(article=article, user=editor, state=state)
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/a", "title": "Revised report"}
    ]
    state["key_facts"][1]["sources"] = [
        {"url": "https://example.org/b", "title": "Second source"}
    ]
    publishing.explainer_publish(article=article, user=editor, state=state)
    state = publishing.explainer_state(article)
    state["key_facts"][1]["sources"] = []
    publishing.explainer_publish(article=article, user=editor, state=state)

    html = client.get(reverse("articles:changes", kwargs={"slug": article.slug}))
    html = html.content.decode()

    assert "Sources:" in html
    # Added with the second version, edited with the third, removed with the fourth.
    assert "<ins>Original report &lt;https://example.org/a&gt;</ins>" in html
    assert "<del>Original</del>" in html and "<ins>Revised</ins>" in html
    assert "<del>Second source &lt;https://example.org/b&gt;</del>" in html


def test_restoring_an_old_version_brings_back_its_sources(client, editor_client):
    editor = make_user(role="editor")
    article = make_article(facts=1)
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/old", "title": "Old source"}
    ]
    publishing.explainer_publish(article=article, user=editor, state=state)
    old = Version.objects.get_for_object(article).order_by("pk").last()
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/new", "title": "New source"}
    ]
    publishing.explainer_publish(article=article, user=editor, state=state)
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])

    assert editor_client.get(url).status_code == 200
    assert editor_client.post(url).status_code == 302

    # Restored as unpublished changes: readers still see the new source...
    page = client.get(article.get_absolute_url()).content.decode()
    assert "New source" in page and "Old source" not in page
    publishing.explainer_publish(article=article, user=editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Old source" in page and "New source" not in page


@pytest.mark.validator
def test_pages_with_sources_are_valid_html(client, tmp_path):
    from tests.articles.test_valid_html import describe, nu_html_checker

    article = sourced_article()
    fact = article.key_facts.get(position=0)
    urls = {
        "explainer": article.get_absolute_url(),
        "fact": reverse(
            "articles:annotation",
            kwargs={"slug": article.slug, "kind": "facts", "anchor": fact.anchor},
        ),
    }
    paths = []
    for name, url in urls.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(client.get(url).content)
        paths.append(path)

    assert [describe(m) for m in nu_html_checker(paths)] == []


def test_demo_content_cites_sources_and_flags_a_claim(client, media):
    call_command("load_demo", stdout=io.StringIO())
    article = Article.objects.get(slug="leap-seconds-retired")

    decision = article.key_facts.get(anchor="fact-decision")
    assert decision.sources.get().url.startswith("https://www.bipm.org/")
    assert article.key_facts.get(anchor="fact-negative-leap-second").needs_source
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="explainer-sources"' in html and 'class="source-marks"' in html


def test_admin_card_shows_and_keeps_a_working_copys_sources(client, editor_client):
    editor = make_user(role="editor")
    article = make_article(facts=1)
    state = publishing.explainer_state(article)
    state["key_facts"][0]["sources"] = [
        {"url": "https://example.org/staged", "title": "Staged source"}
    ]
    state["key_facts"][0]["needs_source"] = True
    publishing.explainer_save(article=article, state=state, user=editor)
    url = change_url(article)

    response = editor_client.get(url)
    assert "https://example.org/staged | Staged source" in response.content.decode()
    data = form_data(response)
    data["_action"] = "publish"
    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    fact = article.key_facts.get()
    assert fact.needs_source
    assert [s.title for s in fact.sources.all()] == ["Staged source"]
    assert "Staged source" in client.get(article.get_absolute_url()).content.decode()
