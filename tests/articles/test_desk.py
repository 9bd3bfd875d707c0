"""The editor's desk: working copies of live explainers, review, stale saves."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Correction, WorkingCopy
from tests.factories import make_article, png_upload
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
FORM_PREVIEW = reverse("admin:articles_article_form_preview")


def reader_page(article):
    return Client().get(article.get_absolute_url()).content.decode()


def api_detail(article):
    url = reverse("api:article-detail", kwargs={"slug": article.slug})
    return Client().get(url).json()


def test_editing_a_live_explainer_changes_only_its_working_copy(editor_client):
    live = make_article(dek="The dek readers know.", facts=1)
    data = form_data(editor_client.get(change_url(live)))
    data["dek"] = "A better dek, not yet published."
    set_row(data, "key_facts", 0, text="A corrected fact.")
    add_rows(data, "key_facts", {"label": "New", "text": "A fact added."})

    response = editor_client.post(change_url(live), data, follow=True)

    assert "Readers still see the published version" in " ".join(messages_of(response))
    html = reader_page(live)
    assert "The dek readers know." in html and "A better dek" not in html
    assert "A corrected fact." not in html and "A fact added." not in html
    assert api_detail(live)["dek"] == "The dek readers know."
    feed = Client().get(reverse("articles:feed-rss")).content.decode()
    assert "A better dek" not in feed
    search = Client().get(reverse("articles:search"), {"q": "corrected"})
    assert "A corrected fact." not in search.content.decode()
    oembed = Client().get(
        "/api/oembed/", {"url": f"http://testserver{live.get_absolute_url()}"}
    )
    assert "A better dek" not in oembed.content.decode()
    # The form shows the working copy, and says where the explainer stands.
    form = editor_client.get(change_url(live))
    html = form.content.decode()
    assert "A better dek, not yet published." in html
    assert "A fact added." in html and "A corrected fact." in html
    assert "Live, with unpublished changes by editor" in html


def test_publishing_the_working_copy_applies_it_in_one_revision(editor_client):
    live = make_article(dek="Old dek.", facts=2)
    anchors = list(live.key_facts.values_list("anchor", flat=True))
    data = form_data(editor_client.get(change_url(live)))
    data["dek"] = "New dek."
    set_row(data, "key_facts", 0, position="1")
    set_row(data, "key_facts", 1, position="0")
    assert editor_client.post(change_url(live), data).status_code == 302
    revisions = Version.objects.get_for_object(live).count()

    data = form_data(editor_client.get(change_url(live)))
    data["_action"] = "publish"
    response = editor_client.post(change_url(live), data, follow=True)

    assert "Published" in " ".join(messages_of(response))
    assert "New dek." in reader_page(live)
    assert not WorkingCopy.objects.filter(article=live).exists()
    assert Version.objects.get_for_object(live).count() == revisions + 1
    # Rows keep their ids and anchors through the copy; only the order moved.
    assert list(live.key_facts.values_list("anchor", flat=True)) == anchors[::-1]


def test_a_row_added_in_the_working_copy_survives_saving_the_form_again(
    editor_client,
):
    live = make_article(facts=1)
    data = form_data(editor_client.get(change_url(live)))
    add_rows(data, "key_facts", {"label": "Added", "text": "Only in the copy."})
    assert editor_client.post(change_url(live), data).status_code == 302

    # Posted back unchanged, as a browser would: the staged row is kept.
    data = form_data(editor_client.get(change_url(live)))
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 302, errors_of(response)
    rows = WorkingCopy.objects.get(article=live).state["key_facts"]
    assert [row["label"] for row in rows] == ["Fact 0", "Added"]


def test_discarding_changes_keeps_the_live_version(editor_client):
    live = make_article(dek="Live dek.")
    data = form_data(editor_client.get(change_url(live)))
    data["dek"] = "Abandoned dek."
    editor_client.post(change_url(live), data)
    response = editor_client.post(change_url(live), {"_action": "discard"}, follow=True)
    assert "Discarded the unpublished changes" in " ".join(messages_of(response))
    assert not WorkingCopy.objects.filter(article=live).exists()
    assert "Live dek." in editor_client.get(change_url(live)).content.decode()


def test_writer_submits_a_live_change_and_readers_wait_for_an_editor(
    writer_client, writer, editor, django_capture_on_commit_callbacks
):
    live = make_article(dek="Checked dek.")
    data = form_data(writer_client.get(change_url(live)))
    html = writer_client.get(change_url(live)).content.decode()
    assert 'value="submit"' in html and 'value="publish"' not in html
    data.update(dek="Unchecked dek.", _action="submit")
    response = writer_client.post(change_url(live), data, follow=True)
    assert "Submitted for review" in " ".join(messages_of(response))
    assert "Checked dek." in reader_page(live)
    copy = WorkingCopy.objects.get(article=live)
    assert copy.status == WorkingCopy.Status.REVIEW

    # The editor sees it waiting, sends it back with a note; the writer is told.
    editor_client = Client()
    editor_client.force_login(editor)
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review" in index and live.title in index
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(live),
            {"_action": "send_back", "review_note": "Cite the agency's figure."},
            follow=True,
        )
    assert "Sent back to the writer" in " ".join(messages_of(response))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [writer.email]
    assert "Cite the agency's figure." in mail.outbox[0].body
    html = writer_client.get(change_url(live)).content.decode()
    assert "Cite the agency&#x27;s figure." in html
    assert "Checked dek." in reader_page(live)


def test_a_stale_save_is_refused_with_the_other_change_shown_and_input_kept(
    editor_client, editor
):
    article = make_article(status=Article.Status.DRAFT, title="Two tabs")
    first_tab = form_data(editor_client.get(change_url(article)))
    second_tab = form_data(editor_client.get(change_url(article)))

    first_tab["dek"] = "Saved from the first tab."
    assert editor_client.post(change_url(article), first_tab).status_code == 302

    second_tab["body"] = "## Typed in the second tab\n\nKeep me."
    response = editor_client.post(change_url(article), second_tab)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert f"{editor.username} saved this explainer after you opened it" in errors
    assert "Saved from the first tab." in errors
    html = response.content.decode()
    assert "Keep me." in html  # nothing typed is lost
    article.refresh_from_db()
    assert article.dek == "Saved from the first tab."
    assert "Keep me." not in article.body

    # Saving again, knowingly, keeps the second tab's version.
    again = form_data(response)
    response = editor_client.post(change_url(article), again)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert "Keep me." in article.body


def test_a_scheduled_working_copy_goes_live_at_its_time_without_a_job(
    editor_client,
):
    live = make_article(dek="Before the change.")
    later = timezone.now() + timedelta(hours=2)
    data = form_data(editor_client.get(change_url(live)))
    data.update(
        dek="After the change.",
        _action="publish",
        publish_at_0=timezone.localtime(later).strftime("%Y-%m-%d"),
        publish_at_1=timezone.localtime(later).strftime("%H:%M:%S"),
    )
    response = editor_client.post(change_url(live), data, follow=True)
    assert "Scheduled for" in " ".join(messages_of(response))
    assert "Before the change." in reader_page(live)

    with time_machine.travel(later + timedelta(seconds=5)):
        assert "After the change." in reader_page(live)
        assert api_detail(live)["dek"] == "After the change."
    assert not WorkingCopy.objects.filter(article=live).exists()


def test_restoring_an_old_version_of_a_live_explainer_keeps_its_corrections(
    editor_client,
):
    live = make_article(dek="Before any revision.")
    for dek in ("First wording.", "Second wording."):
        data = form_data(editor_client.get(change_url(live)))
        data.update(dek=dek, _action="publish")
        assert editor_client.post(change_url(live), data).status_code == 302
    Correction.objects.create(article=live, note="We misstated the date.")
    first = Version.objects.get_for_object(live).order_by("pk").first()

    url = reverse("admin:articles_article_revision", args=[live.pk, first.pk])
    response = editor_client.post(url, {}, follow=True)

    text = " ".join(messages_of(response))
    assert "as unpublished changes" in text
    assert "Kept 1 correction readers have already seen." in text
    assert "Second wording." in reader_page(live)  # not live until published
    state = WorkingCopy.objects.get(article=live).state
    assert state["fields"]["dek"] == "First wording."
    assert [c["note"] for c in state["corrections"]] == ["We misstated the date."]
    data = form_data(editor_client.get(change_url(live)))
    data["_action"] = "publish"
    assert editor_client.post(change_url(live), data).status_code == 302
    html = reader_page(live)
    assert "First wording." in html and "We misstated the date." in html


def test_corrections_of_a_live_explainer_cannot_be_deleted(editor_client):
    live = make_article(corrections=1)
    response = editor_client.get(change_url(live))
    data = form_data(response)
    assert "corrections-0-DELETE" not in data
    data["corrections-0-DELETE"] = "on"  # forged
    data["_action"] = "publish"
    assert editor_client.post(change_url(live), data).status_code == 302
    assert live.corrections.count() == 1


def test_preview_renders_the_unsaved_form_and_saves_nothing(editor_client):
    live = make_article(dek="Saved dek.", facts=1)
    data = form_data(editor_client.get(change_url(live)))
    data["dek"] = "Typed, never saved."
    add_rows(data, "faqs", {"question": "Is this a preview?", "answer": "**Yes.**"})

    response = editor_client.post(f"{FORM_PREVIEW}?article={live.pk}", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Typed, never saved." in html
    assert "Is this a preview?" in html and "<strong>Yes.</strong>" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not WorkingCopy.objects.filter(article=live).exists()
    assert "Saved dek." in reader_page(live)


def test_the_preview_button_works_without_javascript(editor_client):
    live = make_article(dek="Saved dek.")
    data = form_data(editor_client.get(change_url(live)))
    data.update(dek="Only in the form.", _action="preview")
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 200
    assert "Only in the form." in response.content.decode()
    assert not WorkingCopy.objects.filter(article=live).exists()


def test_preview_of_a_new_explainer_before_its_first_save(editor_client):
    data = form_data(editor_client.get(reverse("admin:articles_article_add")))
    data.update(title="Not saved yet", body="## Heading\n\nA first paragraph.")
    add_rows(data, "key_facts", {"label": "Count", "text": "Three."})
    response = editor_client.post(FORM_PREVIEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved yet" in html and "A first paragraph." in html
    assert "Three." in html
    assert not Article.objects.exists()


def test_preview_needs_staff_with_the_change_permission(writer_client, reader):
    live = make_article()
    url = f"{FORM_PREVIEW}?article={live.pk}"
    assert Client().post(url, {}).status_code == 302  # to the admin sign-in
    signed_in = Client()
    signed_in.force_login(reader)
    assert signed_in.post(url, {}).status_code == 302  # not staff
    assert writer_client.get(url).status_code == 405
    assert writer_client.post(url, {}).status_code == 200


def test_markdown_help_sits_beside_the_body(editor_client):
    html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert "Markdown help" in html
    for example in ("## What happened", "[^1]: the source", "| --- | --- |"):
        assert example in html
    assert 'data-markdown-toolbar="1"' in html


def test_the_staff_preview_link_shows_the_working_copy(editor_client):
    live = make_article(dek="Live dek.")
    data = form_data(editor_client.get(change_url(live)))
    data["dek"] = "Working dek."
    editor_client.post(change_url(live), data)
    html = editor_client.get(reverse("articles:preview", args=[live.pk])).content
    assert b"Working dek." in html


def test_list_shows_state_filters_by_it_and_searches_annotations(editor_client):
    draft = make_article(status=Article.Status.DRAFT, title="A draft")
    review = make_article(status=Article.Status.REVIEW, title="In review")
    soon = make_article(title="Coming", publish_at=timezone.now() + timedelta(days=1))
    live = make_article(title="Plain live", facts=1)
    changed = make_article(title="Changed live")
    WorkingCopy.objects.create(article=changed, state={})
    live.key_facts.update(text="Glaciers retreat forty metres a year.")

    html = editor_client.get(CHANGELIST).content.decode()
    for label in ("Draft", "In review", "Scheduled for", "Live"):
        assert label in html
    assert "with unpublished changes" in html

    def listed(**params):
        response = editor_client.get(CHANGELIST, params)
        return {a.title for a in response.context["cl"].result_list}

    assert listed(state="draft") == {draft.title}
    assert listed(state="review") == {review.title}
    assert listed(state="scheduled") == {soon.title}
    assert listed(state="live") == {live.title, changed.title}
    assert listed(state="changes") == {changed.title}
    assert listed(q="glaciers") == {live.title}


# No lost work: autosave, restore, presence

AUTOSAVE = reverse("admin:articles_article_autosave")
PRESENCE = reverse("admin:articles_article_presence")


def test_autosaved_form_is_offered_back_and_restored_exactly(editor_client):
    article = make_article(status=Article.Status.DRAFT, dek="Saved dek.")
    data = form_data(editor_client.get(change_url(article)))
    data["dek"] = "Typed, then the tab crashed."
    add_rows(data, "key_facts", {"label": "Half", "text": "A fact being typed."})
    response = editor_client.post(f"{AUTOSAVE}?article={article.pk}", data)
    assert response.status_code == 200 and "saved_at" in response.json()

    html = editor_client.get(change_url(article)).content.decode()
    assert "Restore the autosaved changes from" in html
    response = editor_client.get(change_url(article), {"restore": "autosave"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Typed, then the tab crashed." in html
    assert "A fact being typed." in html
    assert "Nothing is saved until you press a button" in html
    article.refresh_from_db()
    assert article.dek == "Saved dek."  # restoring saves nothing

    # Saving the restored form keeps it, and the autosave is gone.
    restored = form_data(response)
    response = editor_client.post(change_url(article), restored)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.dek == "Typed, then the tab crashed."
    html = editor_client.get(change_url(article)).content.decode()
    assert "Restore the autosaved changes" not in html


def test_autosave_of_a_new_explainer_and_access_rules(editor_client, reader):
    add = reverse("admin:articles_article_add")
    data = form_data(editor_client.get(add))
    data["title"] = "Started, never saved"
    assert editor_client.post(AUTOSAVE, data).status_code == 200
    html = editor_client.get(add).content.decode()
    assert "Restore the autosaved changes from" in html
    response = editor_client.get(add, {"restore": "autosave"})
    assert "Started, never saved" in response.content.decode()
    assert not Article.objects.exists()

    assert Client().post(AUTOSAVE, data).status_code == 302
    signed_in = Client()
    signed_in.force_login(reader)
    assert signed_in.post(AUTOSAVE, data).status_code == 302
    assert editor_client.get(AUTOSAVE).status_code == 405


def test_someone_else_editing_is_shown_and_updated(editor_client, writer):
    article = make_article()
    editor_client.get(change_url(article))
    other = Client()
    other.force_login(writer)
    html = other.get(change_url(article)).content.decode()
    assert "is editing since" in html
    response = other.post(f"{PRESENCE}?article={article.pk}")
    assert response.status_code == 200
    [line] = response.json()["others"]
    assert line.startswith("editor") and "is editing since" in line
    # Nobody else: nothing shown.
    alone = make_article()
    assert other.post(f"{PRESENCE}?article={alone.pk}").json()["others"] == []


def test_a_published_slug_change_redirects_and_the_form_lists_the_old_address(
    editor_client,
):
    live = make_article(title="Leap seconds", slug="leap-seconds")
    data = form_data(editor_client.get(change_url(live)))
    data.update(slug="leap-seconds-retired", _action="publish")
    assert editor_client.post(change_url(live), data).status_code == 302

    response = Client().get("/explainers/leap-seconds/")
    assert response.status_code == 301
    assert response["Location"] == "/explainers/leap-seconds-retired/"
    html = editor_client.get(change_url(live)).content.decode()
    assert "<code>/explainers/leap-seconds/</code>" in html


def test_a_chosen_image_survives_a_form_that_comes_back_with_errors(
    editor_client, media
):
    article = make_article(status=Article.Status.DRAFT)
    data = form_data(editor_client.get(change_url(article)))
    data["hero_image"] = png_upload("harbour.png")
    data["hero_alt"] = ""  # forgotten: the form comes back

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 200
    assert "hero_alt" in response.context["adminform"].form.errors
    assert "Your chosen image “harbour" in response.content.decode()
    again = form_data(response)
    again.pop("hero_image", None)  # a browser sends no file the second time
    again["hero_alt"] = "A teal harbour at dawn."
    response = editor_client.post(change_url(article), again)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.hero_image.name.startswith("heroes/")
    assert "harbour" in article.hero_image.name

    # A forged name is not accepted.
    forged = form_data(editor_client.get(change_url(article)))
    forged["chosen_image"] = "heroes/someone-elses.png"
    forged["hero_image-clear"] = "on"
    assert editor_client.post(change_url(article), forged).status_code == 302
    article.refresh_from_db()
    assert not article.hero_image


def test_publish_reads_schedule_when_the_time_is_still_to_come(editor_client):
    later = make_article(
        status=Article.Status.DRAFT, publish_at=timezone.now() + timedelta(days=1)
    )
    html = editor_client.get(change_url(later)).content.decode()
    assert ">Schedule</button>" in html
    now = make_article(status=Article.Status.DRAFT)
    assert ">Publish</button>" in editor_client.get(change_url(now)).content.decode()
