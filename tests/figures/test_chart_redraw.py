"""Charts drawn again wherever they are shown: after an edit, and after a code change."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from reversion.models import Version

from articles.models import FAQ, Article
from articles.services import article_changed
from figures.models import Chart
from integrations.models import WebhookEndpoint
from tests.factories import make_article
from tests.helpers import signed_in, token_client

from .test_charts import CSV, figure_of, make_chart

NEW_CSV = CSV.replace("14.8", "19.9")


def with_faq_chart(chart, **fields):
    """A published explainer showing `chart` in an FAQ answer (only, by default)."""
    fields.setdefault("body", "No chart up here.")
    article = make_article(**fields)
    FAQ.objects.create(
        article=article,
        position=0,
        question="How much grain left the port?",
        answer=f"These numbers:\n\n{chart.reference}\n",
    )
    article_changed(article)
    return article


def chart_fields(**changes):
    fields = {
        "title": "Grain trade",
        "kind": "column",
        "data": NEW_CSV,
        "x_label": "",
        "y_label": "",
        "units": "Mt",
        "source_note": "Source: Port authority",
        "description": "",
    }
    return {**fields, **changes}


def faq_answer(html):
    start = html.index('<div class="faq__answer prose">')
    return html[start : html.index('<p class="faq__link">', start)]


def run(*args):
    out = io.StringIO()
    call_command("redraw_charts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# ---- Editing a chart redraws the FAQ answers showing it ---------------------------


def test_faq_answer_shows_the_new_numbers_after_an_admin_edit(
    client, editor, page_cache_on
):
    chart = make_chart()
    article = with_faq_chart(chart)
    before = client.get(article.get_absolute_url()).content.decode()
    assert "<td>14.8</td>" in figure_of(faq_answer(before))  # and now cached

    response = signed_in(editor).post(
        reverse("admin:figures_chart_change", args=[chart.pk]), chart_fields()
    )

    assert response.status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<td>19.9</td>" in figure_of(faq_answer(page))
    assert "<td>14.8</td>" not in page
    # The explainer's history holds the redrawn answer, in the chart's revision.
    revision = Version.objects.get_for_object(chart).first().revision
    faq_version = Version.objects.get_for_object(article.faqs.get()).first()
    assert faq_version.revision == revision
    assert "<td>19.9</td>" in faq_version.field_dict["answer_html"]


def test_faq_answer_shows_the_new_numbers_after_an_api_edit(client, editor):
    chart = make_chart()
    article = with_faq_chart(chart)

    response = token_client(editor).patch(
        f"/api/v1/charts/{chart.pk}/", {"csv": NEW_CSV}, format="json"
    )

    assert response.status_code == 200
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<td>19.9</td>" in figure_of(faq_answer(page))


def test_a_chart_only_an_faq_answer_shows_is_guarded_and_public(client, writer):
    chart = make_chart()
    with_faq_chart(chart)

    post = signed_in(writer).post(
        reverse("admin:figures_chart_change", args=[chart.pk]), chart_fields()
    )
    deleted = token_client(writer).delete(f"/api/v1/charts/{chart.pk}/")

    assert post.status_code == 403  # readers see it: publishers only
    assert deleted.status_code in (400, 403)
    assert Chart.objects.filter(pk=chart.pk).exists()
    assert client.get(f"/api/v1/charts/{chart.pk}/").status_code == 200


def test_editing_a_chart_tells_webhooks_of_each_live_explainer_it_redrew(
    editor, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    chart = make_chart()
    in_body = make_article(title="In the body", body=f"{chart.reference}\n")
    in_faq = with_faq_chart(chart, title="In an FAQ")
    make_article(status=Article.Status.DRAFT, body=f"{chart.reference}\n")
    hook = WebhookEndpoint(
        name="Partner", url="http://127.0.0.1:9/hooks", events=["explainer.updated"]
    )
    hook.full_clean()
    hook.save()

    signed_in(editor).post(
        reverse("admin:figures_chart_change", args=[chart.pk]), chart_fields()
    )

    sent = {
        delivery.payload["data"]["explainer"]["slug"]: delivery.payload
        for delivery in hook.deliveries.all()
    }
    assert set(sent) == {in_body.slug, in_faq.slug}  # the draft changed for no reader
    in_faq.refresh_from_db()
    assert sent[in_faq.slug]["data"]["explainer"]["updated_at"] == (
        in_faq.updated_at.isoformat()
    )


@pytest.mark.parametrize("size", [1, 4])
def test_saving_a_chart_costs_the_same_queries_however_many_explainers_show_it(
    editor, django_assert_num_queries, size
):
    chart = make_chart()
    for _ in range(size):
        with_faq_chart(chart, body=f"Intro.\n\n{chart.reference}\n")
    client = signed_in(editor)
    url = reverse("admin:figures_chart_change", args=[chart.pk])
    # A first edit warms up sessions, permissions and content types.
    client.post(url, chart_fields(data=CSV.replace("14.8", "16.5")))

    # PostgreSQL takes the change events' ordering lock (articles/changes.py).
    with django_assert_num_queries(QUERIES + (connection.vendor == "postgresql")):
        response = client.post(url, chart_fields())

    assert response.status_code == 302
    assert Article.objects.filter(body_html__contains="<td>19.9</td>").count() == size
    assert FAQ.objects.filter(answer_html__contains="<td>19.9</td>").count() == size


QUERIES = 44


# ---- manage.py redraw_charts ----------------------------------------------------


def test_redraw_charts_draws_stale_charts_and_explainers_again_once(client, db):
    chart = make_chart()
    idle = make_chart(title="Rainfall")
    shown = make_article(title="In the body", body=f"Intro.\n\n{chart.reference}\n")
    in_faq = with_faq_chart(chart, title="In an FAQ", status=Article.Status.DRAFT)
    Chart.objects.filter(pk=chart.pk).update(data=NEW_CSV)  # as if drawn long ago
    before = Version.objects.get_for_object(shown).count()

    first = run()
    second = run()

    assert first == "Redrew 1 of 2 charts and 2 of 2 explainers showing them.\n"
    assert second == (
        "Nothing to redraw: 2 charts and 2 explainers showing them are up to date.\n"
    )
    page = client.get(shown.get_absolute_url()).content.decode()
    assert "<td>19.9</td>" in figure_of(page)
    in_faq.refresh_from_db()
    assert in_faq.status == Article.Status.DRAFT
    assert "<td>19.9</td>" in in_faq.faqs.get().answer_html
    assert Version.objects.get_for_object(shown).count() == before + 1
    revision = Version.objects.get_for_object(shown).first().revision
    assert revision.comment == "Charts redrawn."
    assert Version.objects.get_for_object(in_faq).first().revision != revision
    idle.refresh_from_db()
    assert idle.svg  # unchanged and still there


def test_redraw_charts_dry_run_lists_what_would_change_and_saves_nothing(db):
    chart = make_chart()
    article = make_article(title="Grain exports", body=f"{chart.reference}\n")
    Chart.objects.filter(pk=chart.pk).update(data=NEW_CSV)
    versions = Version.objects.count()

    output = run("--dry-run")

    assert output.splitlines() == [
        f"Would redraw chart {chart.pk} “Grain trade”.",
        "Would redraw explainer “Grain exports” (published).",
        "Would redraw 1 of 1 chart and 1 of 1 explainer showing them "
        "(dry run: nothing saved).",
    ]
    article.refresh_from_db()
    assert "<td>14.8</td>" in article.body_html
    assert "<td>14.8</td>" in Chart.objects.get().table_html
    assert Version.objects.count() == versions
    assert run().startswith("Redrew 1 of 1 chart and 1 of 1 explainer")


def test_redraw_charts_takes_chart_ids_and_refuses_bad_ones(db):
    chart = make_chart()
    other = make_chart(title="Rainfall")
    make_article(body=f"{chart.reference}\n")
    make_article(body=f"{other.reference}\n")
    Chart.objects.update(data=NEW_CSV)

    output = run(str(other.pk))

    assert output == "Redrew 1 of 1 chart and 1 of 1 explainer showing them.\n"
    assert "<td>14.8</td>" in Chart.objects.get(pk=chart.pk).table_html
    with pytest.raises(CommandError, match=r"^No chart with id 999\.$"):
        run("999")
    with pytest.raises(CommandError, match=r"^Chart ids are whole numbers, not: x$"):
        run("x")


# ---- Search --------------------------------------------------------------------


def test_search_finds_a_chart_by_its_title_and_source_not_its_numbers(client, db):
    chart = make_chart(
        title="Port volumes",
        data="Crop,Sorghum\nWheat,5\nBarley,7\n",
        source_note="Source: Harbour board",
    )
    make_article(title="Trade at the port", body=f"Trade.\n\n{chart.reference}\n")

    def found(query):
        html = client.get(reverse("articles:search"), {"q": query}).content.decode()
        return re.findall(r'<li class="search-result">', html)

    assert found("Harbour board")
    assert not found("Sorghum")  # a series name drawn in the SVG and table
    assert not found("Barley")
