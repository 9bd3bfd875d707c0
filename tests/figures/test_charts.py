"""Charts from data: made in the admin, shown in explainers, kept in their history."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from articles.services import article_save
from figures.models import Chart
from tests.factories import make_article, make_author, make_topic
from tests.helpers import assert_explainer_page_cost, signed_in, text_of

CHART_KINDS = ("bar", "column", "line")
CSV = "Year,Exports,Imports\n2019,12.1,9\n2020,8.4,7.5\n2021,10.2,\n2022,14.8,11.2\n"


def make_chart(**fields):
    fields.setdefault("title", "Grain trade")
    fields.setdefault("data", CSV)
    fields.setdefault("units", "Mt")
    fields.setdefault("source_note", "Source: Port authority")
    chart = Chart(**fields)
    chart.full_clean()
    chart.save()
    return chart


def admin_add(client, **fields):
    data = {
        "title": "Grain trade",
        "kind": "column",
        "data": CSV,
        "x_label": "Year",
        "y_label": "Tonnage",
        "units": "Mt",
        "source_note": "Source: Port authority",
        "description": "",
    }
    data.update(fields)
    return client.post(reverse("admin:figures_chart_add"), data)


def figure_of(html):
    start = html.index('<figure class="chart">')
    return html[start : html.index("</figure>", start) + len("</figure>")]


# ---- The admin ----------------------------------------------------------------


def test_editor_creates_a_chart_from_pasted_csv_and_sees_it(editor):
    client = signed_in(editor)

    response = admin_add(client)

    assert response.status_code == 302
    chart = Chart.objects.get()
    page = client.get(reverse("admin:figures_chart_change", args=[chart.pk]))
    html = page.content.decode()
    assert f"![Grain trade](chart:{chart.pk})" in html
    assert 'role="img"' in html
    assert "<details" in html


def test_spreadsheet_paste_with_tabs_is_read_too(editor):
    client = signed_in(editor)

    admin_add(client, data="Year\tExports\n2019\t1,204.5\n2020\t980\n")

    assert Chart.objects.get().parsed.as_api()["rows"] == [
        ["2019", 1204.5],
        ["2020", 980.0],
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Year,Exports\n2019,12\n2020,lots\n", "Row 3, column “Exports”: “lots” is"),
        ("Year,Exports\n2019,12,4\n", "Row 2 has 3 cells; the header has 2."),
        ("Year\n2019\n", "needs a label column and at least one data column"),
        ("Y," + ",".join(f"S{i}" for i in range(9)) + "\nx" + ",1" * 9, "at most 8"),
        ("Y,A\n" + "".join(f"{i},1\n" for i in range(201)), "Too many rows (201)"),
        ("Year,Exports\n", "at least one row of data"),
    ],
)
def test_bad_data_is_refused_naming_the_row_and_column(editor, data, message):
    response = admin_add(signed_in(editor), data=data)

    assert response.status_code == 200
    assert message in text_of(response.content.decode())
    assert not Chart.objects.exists()


def test_chart_list_searches_and_shows_the_snippet(editor):
    make_chart(title="Grain trade")
    other = make_chart(title="Rainfall by month")
    client = signed_in(editor)

    html = client.get(reverse("admin:figures_chart_changelist"), {"q": "rainfall"})
    html = html.content.decode()

    assert "Rainfall by month" in html
    assert "Grain trade" not in html
    assert f"(chart:{other.pk})" in html


def test_writer_cannot_change_a_chart_a_published_explainer_shows(writer):
    chart = make_chart()
    make_article(body=f"Intro.\n\n{chart.reference}\n")
    client = signed_in(writer)

    response = admin_add(client, title="Changed by a writer")
    post = client.post(
        reverse("admin:figures_chart_change", args=[chart.pk]),
        {"title": "Changed", "kind": "line", "data": CSV},
    )

    assert response.status_code == 302  # a new chart is fine
    assert post.status_code == 403
    chart.refresh_from_db()
    assert chart.title == "Grain trade"


# ---- The SVG ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bar", "column", "line"])
def test_chart_svg_is_labelled_static_and_styled_by_class(db, kind):
    chart = make_chart(kind=kind, title="Grain <trade> & more")

    svg = chart.svg
    ident = re.search(r'<svg[^>]* id="(chart-[0-9a-f]+)"', svg).group(1)
    assert 'role="img"' in svg
    assert f'aria-labelledby="{ident}-title {ident}-desc"' in svg
    assert f'<title id="{ident}-title">Grain &lt;trade&gt; &amp; more</title>' in svg
    assert f'<desc id="{ident}-desc">' in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert "onclick" not in svg and "javascript:" not in svg
    # Dark mode and print restyle the series through these classes (site.css).
    assert 'class="series serie-0 color-0"' in svg
    assert 'class="chart__svg"' in svg


def test_blank_description_is_written_from_the_data(db):
    chart = make_chart(kind="line")

    assert (
        "Line chart of Exports and Imports by Year, 2019 to 2022. "
        "Exports: lowest 8.4 Mt (2020), highest 14.8 Mt (2022)." in chart.svg
    )


def test_editor_description_is_used_when_given(db):
    chart = make_chart(description="Exports recovered after 2020.")

    assert ">Exports recovered after 2020.</desc>" in chart.svg


def test_stylesheet_restyles_charts_for_dark_mode_and_print():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    charts = css[css.index("/* ---- Charts") :]
    assert "@media (prefers-color-scheme: dark)" in charts
    assert "@media print" in charts
    assert ".chart__svg .color-0" in charts


# ---- In the explainer ----------------------------------------------------------


def test_explainer_shows_the_chart_with_its_data_table(client, db):
    chart = make_chart(x_label="Year")
    article = make_article(body=f"Intro.\n\n{chart.reference}\n\nAfter.")

    html = client.get(article.get_absolute_url()).content.decode()

    figure = figure_of(html)
    assert '<svg viewBox="0 0 640 360" class="chart__svg" role="img"' in figure
    assert 'role="img"' in figure
    assert '<figcaption class="chart__title">Grain trade</figcaption>' in figure
    assert "Source: Port authority" in figure
    assert "<details" in figure and "<summary>Data</summary>" in figure
    assert '<th scope="col">Exports</th>' in figure
    assert '<th scope="row">2021</th><td>10.2</td><td>\u2013</td>' in figure
    assert "<script" not in figure
    # Not inside a paragraph: a figure there is invalid HTML.
    assert "<p><figure" not in html


def test_editor_svg_in_the_body_is_still_removed(client, db):
    chart = make_chart()
    article = make_article(
        body=(
            f"{chart.reference}\n\n"
            '<svg role="img"><script>alert(1)</script><circle r="5"/></svg>\n\n'
            "<figure>chart-slot-000000000000000000000000</figure>\n"
        )
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert html.count("<svg") == 1
    assert "alert(1)" not in html
    assert "<circle" not in html.replace(figure_of(html), "")


def test_a_chart_used_twice_keeps_its_ids_unique(client, db):
    chart = make_chart()
    article = make_article(body=f"{chart.reference}\n\nBetween.\n\n{chart.reference}\n")

    html = client.get(article.get_absolute_url()).content.decode()

    ids = re.findall(r'<svg[^>]* id="([^"]+)"', html)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_reference_to_a_missing_chart_shows_nothing(client, db):
    article = make_article(body="Before.\n\n![Gone](chart:999)\n\nAfter.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Before." in html and "After." in html
    assert "<svg" not in html and "chart:999" not in html


@pytest.mark.parametrize("size", [1, 15])
def test_explainer_page_query_count_does_not_grow_with_charts(
    client, db, django_assert_num_queries, size
):
    charts = [make_chart(title=f"Chart {n}") for n in range(size)]
    body = "\n\n".join(f"Paragraph {n}.\n\n{c.reference}" for n, c in enumerate(charts))
    article = make_article(
        body=body,
        facts=size,
        topics=[make_topic()],
        authors=[make_author()],
    )

    assert_explainer_page_cost(
        client, article.get_absolute_url(), django_assert_num_queries
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('<figure class="chart">') == size


# ---- Revisions and the change history -------------------------------------------


def test_changing_a_chart_redraws_the_explainer_and_its_history_shows_it(
    client, editor
):
    chart = make_chart()
    admin = signed_in(editor)
    article = article_save(
        user=editor,
        fields={
            "title": "Grain exports",
            "body": f"Intro.\n\n{chart.reference}\n",
            "status": Article.Status.PUBLISHED,
        },
    )

    response = admin.post(
        reverse("admin:figures_chart_change", args=[chart.pk]),
        {
            "title": "Grain trade",
            "kind": "column",
            "data": CSV.replace("14.8", "19.9"),
            "x_label": "",
            "y_label": "",
            "units": "Mt",
            "source_note": "Source: Port authority",
            "description": "",
        },
    )

    assert response.status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<td>19.9</td>" in figure_of(page)
    history = client.get(
        reverse("articles:changes", kwargs={"slug": article.slug})
    ).content.decode()
    text = text_of(history)
    assert "Version 2: updated" in text
    # The chart's table before and after, the changed numbers marked.
    assert "Charts Grain trade Year, Exports, Imports" in text
    assert "2022, 14.8, 11.2" in text and "2022, 19.9, 11.2" in text
    assert "<del>14</del>" in history and "<ins>19</ins>" in history


def test_chart_has_its_own_revisions_in_the_admin(editor):
    client = signed_in(editor)
    admin_add(client)
    chart = Chart.objects.get()

    history = client.get(reverse("admin:figures_chart_history", args=[chart.pk]))

    assert history.status_code == 200
    assert Version.objects.get_for_object(chart).count() == 1


# ---- The demo ------------------------------------------------------------------------


def test_demo_explainer_shows_a_chart_from_shipped_data(client, db, media):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())

    assert Chart.objects.count() == 2  # made once each, however often it runs
    chart = Chart.objects.get(title="Leap seconds added per decade")
    assert chart.parsed.as_api()["rows"][0] == ["1970s", 9.0]
    html = client.get(
        reverse("articles:detail", kwargs={"slug": "leap-seconds-retired"})
    ).content.decode()
    assert "Leap seconds added per decade" in figure_of(html)
    assert "IERS Bulletin C" in figure_of(html)


@pytest.mark.validator
def test_explainer_with_charts_passes_the_nu_html_checker(client, db, tmp_path):
    from tests.articles.test_valid_html import nu_html_checker

    charts = [make_chart(kind=kind, title=f"Trade ({kind})") for kind in CHART_KINDS]
    body = "\n\n".join(f"Paragraph.\n\n{chart.reference}" for chart in charts)
    article = make_article(body=f"{body}\n\nAgain:\n\n{charts[0].reference}\n")
    page = tmp_path / "explainer.html"
    page.write_bytes(client.get(article.get_absolute_url()).content)

    assert nu_html_checker([page]) == []


def test_a_chart_first_in_the_body_is_not_taken_for_its_summary(client, db):
    chart = make_chart()
    article = make_article(dek="", body=f"{chart.reference}\n\nThe first paragraph.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<meta name="description" content="The first paragraph.">' in html
