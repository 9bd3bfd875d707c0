"""The editor admin, driven through its pages with the test client."""

import io
import json
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from reversion.models import Version

from articles.models import Article, KeyFact, Topic
from tests.factories import make_article, make_author, make_topic, make_user
from tests.helpers import (
    add_rows,
    change_url,
    errors_of,
    form_data,
    messages_of,
    set_row,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
PREVIEW = reverse("admin:articles_article_markdown_preview")


def facts(article):
    return list(
        KeyFact.objects.filter(article=article)
        .order_by("position")
        .values_list("position", "label", "text", "anchor")
    )


# Changelist


def test_changelist_shows_columns_and_annotation_counts(editor_client):
    author = make_author("Ada Reporter")
    topic = make_topic("Energy")
    make_article(
        title="Grid storage explained",
        facts=3,
        answers=2,
        faqs=1,
        authors=[author],
        topics=[topic],
    )
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.n_key_facts, row.n_quick_answers, row.n_faqs) == (3, 2, 1)
    html = response.content.decode()
    assert "Grid storage explained" in html
    assert "Ada Reporter" in html and "Energy" in html
    assert re.search(r'class="field-key_fact_count">3<', html)
    assert re.search(r'class="field-quick_answer_count">2<', html)
    assert re.search(r'class="field-faq_count">1<', html)


@pytest.mark.parametrize("size", [2, 12])
def test_changelist_query_count_does_not_grow_with_rows(
    editor_client, django_assert_num_queries, size
):
    topic, author = make_topic(), make_author()
    for i in range(size):
        make_article(
            facts=i % 4, answers=i % 3, faqs=i % 2, topics=[topic], authors=[author]
        )
    editor_client.get(CHANGELIST)  # warm the session and permission caches
    # Session, user, two permission lookups, the topic and author filters, two
    # counts, the page, two prefetches and two for the date hierarchy.
    with django_assert_num_queries(13):
        response = editor_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == size


def test_changelist_search_matches_title_dek_and_body(editor_client):
    by_title = make_article(title="Heat pumps")
    by_dek = make_article(dek="Why the tides matter")
    by_body = make_article(body="The zeppelin returns.")
    make_article(title="Something else")
    for term, expected in [
        ("heat", by_title),
        ("tides", by_dek),
        ("zeppelin", by_body),
    ]:
        response = editor_client.get(CHANGELIST, {"q": term})
        assert list(response.context["cl"].result_list) == [expected]


def test_changelist_filters_by_status_topic_and_author(editor_client):
    topic, author = make_topic(), make_author()
    draft = make_article(status=Article.Status.DRAFT, topics=[topic])
    published = make_article(authors=[author])
    make_article(status=Article.Status.REVIEW)

    def listed(**params):
        response = editor_client.get(CHANGELIST, params)
        return set(response.context["cl"].result_list)

    assert listed(status__exact="draft") == {draft}
    assert listed(topics__id__exact=topic.pk) == {draft}
    assert listed(authors__id__exact=author.pk) == {published}


# Adding and reordering annotations


def test_adding_an_article_with_inlines_creates_ordered_rows_with_anchors(
    editor_client, editor
):
    data = form_data(editor_client.get(ADD))
    data.update(title="Why rivers flood", body="## What happened\n\nRain.")
    add_rows(
        data,
        "key_facts",
        {"position": "1", "label": "Rainfall", "text": "Twice the usual."},
        {"position": "0", "label": "Rivers", "text": "Four burst their banks."},
        {"position": "", "label": "Homes", "text": "300 flooded.", "anchor": "homes"},
    )
    add_rows(
        data,
        "faqs",
        {"question": "Will it rain?", "answer": "*Maybe* <script>x</script>"},
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)

    article = Article.objects.get(title="Why rivers flood")
    assert article.created_by == editor
    assert facts(article) == [
        (0, "Rivers", "Four burst their banks.", "fact-rivers"),
        (1, "Rainfall", "Twice the usual.", "fact-rainfall"),
        (2, "Homes", "300 flooded.", "homes"),
    ]
    faq = article.faqs.get()
    assert faq.anchor == "faq-will-it-rain"
    assert "<em>Maybe</em>" in faq.answer_html and "script" not in faq.answer_html
    assert Version.objects.get_for_object(article).count() == 1


def test_swapping_positions_swaps_order_and_keeps_texts_and_anchors(editor_client):
    article = make_article(facts=3, faqs=2, status=Article.Status.DRAFT)
    before = facts(article)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    set_row(data, "key_facts", 0, position="1")
    set_row(data, "key_facts", 1, position="0")
    set_row(data, "faqs", 0, position="1")
    set_row(data, "faqs", 1, position="0")

    response = editor_client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    assert facts(article) == [
        (0, *before[1][1:]),
        (1, *before[0][1:]),
        (2, *before[2][1:]),
    ]
    assert list(article.faqs.values_list("question", "position")) == [
        ("FAQ 1?", 0),
        ("FAQ 0?", 1),
    ]


def test_deleting_and_moving_rows_renumbers_from_zero(editor_client):
    article = make_article(facts=3, status=Article.Status.DRAFT)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    set_row(data, "key_facts", 0, DELETE="on")
    set_row(data, "key_facts", 2, position="0")
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert [(p, label) for p, label, *_ in facts(article)] == [
        (0, "Fact 2"),
        (1, "Fact 1"),
    ]


def test_anchor_is_kept_when_text_changes(editor_client):
    article = make_article(facts=1, status=Article.Status.DRAFT)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    set_row(data, "key_facts", 0, label="Renamed label", text="New text.")
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert facts(article) == [(0, "Renamed label", "New text.", "fact-fact-0")]


def test_duplicate_anchor_in_one_article_is_a_form_error(editor_client):
    article = make_article(facts=2)
    before = facts(article)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    set_row(data, "key_facts", 1, anchor="fact-fact-0", text="Changed.")
    add_rows(data, "quick_answers", {"question": "Q?", "answer": "A.", "anchor": "a"})

    response = editor_client.post(url, data)

    assert response.status_code == 200
    formset = next(
        i.formset
        for i in response.context["inline_admin_formsets"]
        if i.formset.prefix == "key_facts"
    )
    assert "anchor" in formset.forms[1].errors
    assert "unique" in " ".join(formset.non_form_errors())
    assert facts(article) == before
    assert not article.quick_answers.exists()


def test_new_rows_with_blank_anchors_get_distinct_ones(editor_client):
    article = make_article(facts=1, status=Article.Status.DRAFT)
    url = change_url(article)
    data = form_data(editor_client.get(url))
    add_rows(
        data,
        "key_facts",
        {"position": "", "label": "Fact 0", "text": "Same label, new row."},
        {"position": "", "label": "Fact 0", "text": "And another."},
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert [anchor for *_, anchor in facts(article)] == [
        "fact-fact-0",
        "fact-fact-0-2",
        "fact-fact-0-3",
    ]


# Roles and status


def test_writer_can_add_and_edit_a_draft(writer_client, writer):
    data = form_data(writer_client.get(ADD))
    data.update(title="A writer's draft", body="Text.")
    response = writer_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(title="A writer's draft")
    assert article.created_by == writer
    assert article.status == Article.Status.DRAFT

    data = form_data(writer_client.get(change_url(article)))
    data.update(dek="Now with a dek.", _action="submit")
    response = writer_client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert (article.dek, article.status) == ("Now with a dek.", "review")


def test_writer_is_not_offered_publishing_actions_and_forged_ones_are_refused(
    writer_client,
):
    article = make_article(status=Article.Status.DRAFT)
    response = writer_client.get(CHANGELIST)
    choices = [
        value for value, _ in response.context["action_form"].fields["action"].choices
    ]
    assert "send_to_review" in choices
    assert "publish_now" not in choices and "unpublish" not in choices

    response = writer_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "No action selected." in messages_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.publish_at is None


def test_writer_cannot_publish_or_unpublish_through_the_form(writer_client):
    draft = make_article(status=Article.Status.DRAFT)
    data = form_data(writer_client.get(change_url(draft)))
    data.update(_action="publish", title="Sneaky new title")
    response = writer_client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "Only editors may publish" in str(
        response.context["adminform"].form.non_field_errors()
    )
    draft.refresh_from_db()
    assert draft.title != "Sneaky new title"
    assert draft.status == Article.Status.DRAFT

    live = make_article()
    data = form_data(writer_client.get(change_url(live)))
    data["_action"] = "unpublish"
    response = writer_client.post(change_url(live), data)
    assert response.status_code == 200
    assert "Only editors may publish" in str(
        response.context["adminform"].form.non_field_errors()
    )
    live.refresh_from_db()
    assert live.is_published()


def test_writer_sends_a_draft_to_review_but_not_a_published_article(writer_client):
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    response = writer_client.post(
        CHANGELIST,
        {"action": "send_to_review", "_selected_action": [draft.pk, live.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert live.status == Article.Status.PUBLISHED
    text = " ".join(messages_of(response))
    assert "Sent to review: 1 explainer." in text
    assert f"“{live.title}” was not changed" in text


def test_editor_publishes_with_the_action(editor_client, editor):
    from django.utils import timezone

    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(publish_at=timezone.now() + timezone.timedelta(days=2))
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk]},
        follow=True,
    )
    assert "Published: 2 explainers." in messages_of(response)
    for article in (draft, scheduled):
        article.refresh_from_db()
        assert article.is_published()
    revision = Version.objects.get_for_object(draft).get().revision
    assert revision.user == editor
    assert revision.version_set.count() == 1  # one revision per explainer


def test_editor_publishes_with_the_form(editor_client):
    draft = make_article(status=Article.Status.DRAFT)
    data = form_data(editor_client.get(change_url(draft)))
    data["_action"] = "publish"
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302, errors_of(response)
    draft.refresh_from_db()
    assert draft.is_published()


def test_publishing_without_a_body_is_refused_with_a_message(editor_client):
    empty = make_article(status=Article.Status.DRAFT, body="")
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [empty.pk]},
        follow=True,
    )
    assert "needs a body" in " ".join(messages_of(response))
    empty.refresh_from_db()
    assert empty.status == Article.Status.DRAFT


def test_unpublish_moves_articles_back_to_draft(editor_client):
    live = make_article()
    response = editor_client.post(
        CHANGELIST,
        {"action": "unpublish", "_selected_action": [live.pk]},
        follow=True,
    )
    assert "Moved back to draft: 1 explainer." in messages_of(response)
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=live.pk).exists()


def test_editor_deletes_through_the_changelist_action(editor_client):
    article = make_article(facts=2)
    response = editor_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


# The change page


def test_change_page_shows_preview_link_old_addresses_and_view_on_site(editor_client):
    live = make_article(body="Hello *reader* <script>alert(1)</script>")
    html = editor_client.get(change_url(live)).content.decode()
    assert "<script>alert(1)" not in html
    assert "the address has not changed" in html
    assert reverse("articles:preview", kwargs={"pk": live.pk}) in html
    assert "Preview as readers will see it" in html
    assert f'href="{live.get_absolute_url()}" class="viewsitelink"' in html
    assert 'src="/static/js/admin-reorder.js"' in html
    assert 'src="/static/js/admin-preview.js"' in html
    assert f'data-markdown-preview="{PREVIEW}"' in html

    draft = make_article(status=Article.Status.DRAFT)
    html = editor_client.get(change_url(draft)).content.decode()
    assert reverse("articles:preview", kwargs={"pk": draft.pk}) in html
    assert "viewsitelink" not in html


# Revisions


def test_history_lists_versions_and_compare_shows_the_diff(editor_client):
    data = form_data(editor_client.get(ADD))
    data.update(title="Tracked", body="Body.")
    add_rows(data, "key_facts", {"label": "Cost", "text": "Ten million."})
    assert editor_client.post(ADD, data).status_code == 302
    article = Article.objects.get(title="Tracked")

    data = form_data(editor_client.get(change_url(article)))
    set_row(data, "key_facts", 0, text="Twelve million.")
    assert editor_client.post(change_url(article), data).status_code == 302

    history = reverse("admin:articles_article_history", args=[article.pk])
    response = editor_client.get(history)
    assert response.status_code == 200
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) == 2
    html = response.content.decode()
    for version in versions:
        url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
        assert url in html

    compare = reverse("admin:articles_article_compare", args=[article.pk])
    response = editor_client.get(
        compare, {"version_id1": versions[0].pk, "version_id2": versions[1].pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>Ten</del> million." in html and "<ins>Twelve</ins> million." in html


def added_with_facts(client, title, *key_facts):
    """An explainer added through the admin's form with `key_facts` as its rows."""
    data = form_data(client.get(ADD))
    data.update(title=title, body="Body.")
    add_rows(data, "key_facts", *key_facts)
    assert client.post(ADD, data).status_code == 302
    return Article.objects.get(title=title)


def first_revision_url(article):
    first = Version.objects.get_for_object(article).order_by("pk").first()
    return reverse("admin:articles_article_revision", args=[article.pk, first.pk])


def test_revert_restores_an_earlier_fact_text_and_a_removed_fact(editor_client):
    article = added_with_facts(
        editor_client,
        "Revertible",
        {"label": "Cost", "text": "Ten million."},
        {"label": "Date", "text": "In May."},
    )
    original = facts(article)

    data = form_data(editor_client.get(change_url(article)))
    set_row(data, "key_facts", 0, text="Twelve million.")
    set_row(data, "key_facts", 1, DELETE="on")
    assert editor_client.post(change_url(article), data).status_code == 302
    assert [text for _, _, text, _ in facts(article)] == ["Twelve million."]

    url = first_revision_url(article)
    response = editor_client.get(url)
    assert response.status_code == 200
    # Looking at an old version changes nothing.
    assert [text for _, _, text, _ in facts(article)] == ["Twelve million."]

    response = editor_client.post(url, form_data(response))
    assert response.status_code == 302, errors_of(response)
    # The removed fact comes back with its anchor (a new row: the old one is gone).
    assert [row[1:] for row in facts(article)] == [row[1:] for row in original]
    assert Version.objects.get_for_object(article).count() == 3


def test_revert_undoes_a_reorder(editor_client):
    article = added_with_facts(
        editor_client,
        "Reordered",
        {"label": "First", "text": "One."},
        {"label": "Second", "text": "Two."},
    )
    original = facts(article)

    data = form_data(editor_client.get(change_url(article)))
    set_row(data, "key_facts", 0, position="1")
    set_row(data, "key_facts", 1, position="0")
    assert editor_client.post(change_url(article), data).status_code == 302
    assert [label for _, label, *_ in facts(article)] == ["Second", "First"]

    url = first_revision_url(article)
    response = editor_client.post(url, form_data(editor_client.get(url)))
    assert response.status_code == 302, errors_of(response)
    assert facts(article) == original


# Live Markdown preview


def test_markdown_preview_returns_sanitized_html(editor_client):
    response = editor_client.post(
        PREVIEW, {"text": "## Heading\n\n**bold** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert '<h2 id="heading">Heading</h2>' in html
    assert "<strong>bold</strong>" in html
    assert "script" not in html and "alert" not in html


def test_markdown_preview_access_rules(client, reader):
    response = client.post(PREVIEW, {"text": "x"})
    assert response.status_code == 302  # anonymous: to the admin login

    client.force_login(reader)
    assert client.post(PREVIEW, {"text": "x"}).status_code == 302  # not staff

    staff = make_user()
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)
    assert client.post(PREVIEW, {"text": "x"}).status_code == 403  # cannot change

    editor = make_user(role="editor")
    client.force_login(editor)
    assert client.get(PREVIEW, {"text": "x"}).status_code == 405

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(PREVIEW, {"text": "x"}).status_code == 403  # no CSRF token


# Authors and topics


def test_authors_and_topics_autocomplete_for_staff(writer_client, client):
    make_author("Grace Hopper")
    make_author("Alan Turing")
    make_topic("Computing history")
    url = reverse("admin:autocomplete")
    params = {"app_label": "articles", "model_name": "article"}

    response = writer_client.get(
        url, {**params, "field_name": "authors", "term": "grace"}
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Grace Hopper"]

    response = writer_client.get(
        url, {**params, "field_name": "topics", "term": "comp"}
    )
    assert [r["text"] for r in response.json()["results"]] == ["Computing history"]

    client.logout()
    anonymous = Client().get(url, {**params, "field_name": "authors", "term": "a"})
    assert anonymous.status_code == 302


def test_author_and_topic_lists_show_article_counts(editor_client):
    author, topic = make_author("Counted Author"), make_topic("Counted Topic")
    make_article(authors=[author], topics=[topic])
    make_article(authors=[author], status=Article.Status.DRAFT)

    response = editor_client.get(reverse("admin:articles_author_changelist"))
    row = next(a for a in response.context["cl"].result_list if a == author)
    assert row.n_articles == 2
    assert re.search(r'class="field-article_count">2<', response.content.decode())

    response = editor_client.get(reverse("admin:articles_topic_changelist"))
    row = next(t for t in response.context["cl"].result_list if t == topic)
    assert row.n_articles == 1


def test_editor_adds_a_topic_with_a_slug(editor_client):
    response = editor_client.post(
        reverse("admin:articles_topic_add"),
        {"name": "Water", "slug": "water", "description": ""},
    )
    assert response.status_code == 302
    assert Topic.objects.get(slug="water").name == "Water"


# In Chromium: the reorder buttons and the live preview


@pytest.fixture
def admin_page(browser, live_server, editor, client):
    client.force_login(editor)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.browser
def test_editor_reorders_with_buttons_and_previews_markdown(admin_page, live_server):
    page = admin_page
    article = make_article(facts=3, status=Article.Status.DRAFT)
    page.goto(f"{live_server.url}{change_url(article)}")

    rows = page.locator("#key_facts-group .inline-related:not(.empty-form)")
    rows.nth(0).get_by_role("button", name="Move down").click()
    assert rows.nth(0).locator("input[name$='-label']").input_value() == "Fact 1"
    positions = rows.locator("input[name$='-position']")
    assert [positions.nth(i).input_value() for i in range(3)] == ["0", "1", "2"]

    # Removing a blank row renumbers the forms after it; the moved rows must
    # keep their own data through that.
    page.locator("#key_facts-group .add-row a").click()
    page.locator("#key_facts-3 a.inline-deletelink").click()
    page.locator("#key_facts-3 input[name$='-label']").fill("Fact 3")
    page.locator("#key_facts-3 input[name$='-text']").fill("Added last.")

    page.get_by_role("button", name="Preview this field").first.click()
    page.locator("#id_body").fill("Some **bold** text <script>alert(1)</script>")
    preview = page.locator("#id_body-preview")
    preview.locator("strong", has_text="bold").wait_for()
    assert "script" not in preview.inner_html()

    page.locator("button[name=_action][value=save]").click()
    page.locator("ul.messagelist li.success").wait_for()
    assert [label for _, label, *_ in facts(article)] == [
        "Fact 1",
        "Fact 0",
        "Fact 2",
        "Fact 3",
    ]
    article.refresh_from_db()
    assert "<strong>bold</strong>" in article.body_html


# Text as every write path stores it


CHINESE_TITLE = "为什么电价上涨"


def test_a_chinese_title_gets_one_slug_from_the_admin_the_api_and_import(
    editor_client, editor, tmp_path
):
    add_page = editor_client.get(ADD)
    # The admin's script would type a slug from the Latin letters of the title only.
    prepopulated = re.search(
        r'data-prepopulated-fields="([^"]*)"', add_page.content.decode()
    )
    assert json.loads(unescape(prepopulated.group(1))) == []
    data = form_data(add_page)
    data.update(title=CHINESE_TITLE, body="Text.")
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    slugs = [Article.objects.get().slug]
    Article.objects.all().delete()

    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(
        "/api/v1/articles/", {"title": CHINESE_TITLE, "body": "Text."}, format="json"
    )
    assert response.status_code == 201, response.json()
    slugs.append(response.json()["slug"])
    Article.objects.all().delete()

    document = tmp_path / "doc.md"
    document.write_text(f"---\ntitle: {CHINESE_TITLE}\n---\n\nText.\n")
    out = io.StringIO()
    call_command("import_explainer", str(document), stdout=out)
    slugs.append(out.getvalue().strip())

    assert slugs == ["wei-shen-me-dian-jia-shang-zhang"] * 3


def test_windows_line_endings_from_the_admin_are_stored_as_the_api_stores_them(
    editor_client, editor
):
    lf = {
        "dek": "One line.\nAnother.",
        "body": "## Heading\n\nFirst line\nsecond line.\n\nLast.",
        "background": "Some\n\ncontext.",
    }
    crlf = {name: text.replace("\n", "\r\n") for name, text in lf.items()}
    data = form_data(editor_client.get(ADD))
    data.update(title="From the admin", **crlf)
    add_rows(data, "faqs", {"question": "Why?", "answer": "Because.\r\n\r\nReally."})
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    api = APIClient()
    api.force_authenticate(editor)
    for title, text in (("From an API client", lf), ("Sent with CRLF", crlf)):
        faqs = [{"question": "Why?", "answer": "Because.\n\nReally."}]
        response = api.post(
            "/api/v1/articles/", {"title": title, **text, "faqs": faqs}, format="json"
        )
        assert response.status_code == 201, response.json()

    stored = [
        (
            article.dek,
            article.body,
            article.background,
            article.body_html,
            article.faqs.get().answer,
        )
        for article in Article.objects.order_by("pk")
    ]
    assert stored[0] == stored[1] == stored[2]
    assert stored[0][:3] == (lf["dek"], lf["body"], lf["background"])
    assert stored[0][4] == "Because.\n\nReally."
