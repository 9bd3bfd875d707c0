"""/api/v1/charts/: the numbers behind each chart, and writing charts with a key."""

import pytest
from rest_framework.test import APIClient

from figures.models import Chart
from integrations.keys import key_create
from tests.factories import make_article, make_user

CSV = "Year,Exports,Imports\n2019,12.1,9\n2020,8.4,7.5\n2021,10.2,\n"
LIST = "/api/v1/charts/"


def make_chart(**fields):
    fields.setdefault("title", "Grain trade")
    fields.setdefault("data", CSV)
    chart = Chart(**fields)
    chart.full_clean()
    chart.save()
    return chart


def shown(chart, status="published"):
    make_article(body=f"Intro.\n\n{chart.reference}\n", status=status)
    return chart


def bearer(scope, user):
    editor = make_user(role="editor")
    _key, full = key_create(
        name="Partner", scope=scope, acting_user=user, created_by=editor
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {full}")
    return client


def detail(chart):
    return f"{LIST}{chart.pk}/"


def test_chart_detail_gives_the_numbers_labels_and_svg(client, db):
    chart = shown(make_chart(x_label="Year", y_label="Tonnage", units="Mt"))

    data = client.get(detail(chart)).json()

    assert data["data"] == {
        "columns": ["Year", "Exports", "Imports"],
        "rows": [["2019", 12.1, 9.0], ["2020", 8.4, 7.5], ["2021", 10.2, None]],
    }
    assert data["kind"] == "column"
    assert (data["x_label"], data["y_label"], data["units"]) == (
        "Year",
        "Tonnage",
        "Mt",
    )
    assert data["svg"].startswith("<svg") and 'role="img"' in data["svg"]
    assert data["reference"] == f"![Grain trade](chart:{chart.pk})"
    assert data["description"].startswith("Column chart of Exports and Imports")


def test_charts_only_a_draft_shows_stay_private(client, db):
    public = shown(make_chart(title="Public chart"))
    secret = shown(make_chart(title="Draft chart"), status="draft")
    unused = make_chart(title="Unused chart")

    titles = [item["title"] for item in client.get(LIST).json()["results"]]

    assert titles == ["Public chart"]
    assert client.get(detail(secret)).status_code == 404
    assert client.get(detail(unused)).status_code == 404
    assert client.get(detail(public)).status_code == 200


def test_write_key_sees_every_chart(db):
    shown(make_chart(title="Draft chart"), status="draft")
    client = bearer("write", make_user(role="writer"))

    titles = [item["title"] for item in client.get(LIST).json()["results"]]

    assert titles == ["Draft chart"]


@pytest.mark.parametrize("size", [1, 15])
def test_chart_list_query_count_does_not_grow(
    client, db, django_assert_num_queries, size
):
    for n in range(size):
        shown(make_chart(title=f"Chart {n}"))

    # Public chart ids (from published bodies), count, page.
    with django_assert_num_queries(3):
        response = client.get(LIST)
    assert len(response.json()["results"]) == size


def test_write_key_creates_a_chart_from_csv(db):
    client = bearer("write", make_user(role="writer"))

    response = client.post(
        LIST,
        {"title": "Rain", "kind": "line", "csv": "Month,mm\nJan,80\nFeb,61\n"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["data"]["rows"] == [["Jan", 80.0], ["Feb", 61.0]]
    assert Chart.objects.get().kind == "line"


def test_write_key_creates_a_chart_from_columns_and_rows(db):
    client = bearer("write", make_user(role="writer"))

    response = client.post(
        LIST,
        {
            "title": "Rain",
            "columns": ["Month", "mm"],
            "rows": [["Jan", 80], ["Feb", None]],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["rows"] == [["Jan", 80.0], ["Feb", None]]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"title": "T", "csv": "Month,mm\nJan,lots\n"},
            "csv",
            "Row 2, column “mm”: “lots” is not a number.",
        ),
        ({"title": "T"}, "csv", "Send the data"),
        ({"title": "T", "csv": "a,b\n1,2\n", "colour": "red"}, "colour", "not known"),
        ({"title": 5, "csv": "a,b\n1,2\n"}, "title", "Send text as a JSON string."),
        ({"title": "T", "csv": "a,b\nx,1\n", "kind": "pie"}, "kind", "not a valid"),
        ({"title": "T", "columns": ["a", "b"]}, "rows", "go together"),
        (
            {"title": "T", "columns": ["a", "b"], "rows": [["x", {"n": 1}]]},
            "rows.0",
            "Cells are a label, numbers or null.",
        ),
    ],
)
def test_bad_chart_input_is_a_400_naming_the_field(db, payload, field, message):
    client = bearer("write", make_user(role="writer"))

    response = client.post(LIST, payload, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert field in fields, fields
    assert message in " ".join(fields[field])
    assert not Chart.objects.exists()


def test_anonymous_and_read_keys_cannot_write(db):
    payload = {"title": "T", "csv": "a,b\nx,1\n"}

    assert APIClient().post(LIST, payload, format="json").status_code == 401
    read = bearer("read", None)
    assert read.post(LIST, payload, format="json").status_code in (401, 403)
    assert not Chart.objects.exists()


def test_writer_cannot_change_a_chart_readers_see_but_an_editor_can(client, db):
    chart = shown(make_chart())
    writer = bearer("write", make_user(role="writer"))
    editor = bearer("write", make_user(role="editor"))

    refused = writer.patch(detail(chart), {"title": "Changed"}, format="json")
    allowed = editor.patch(
        detail(chart), {"csv": CSV.replace("12.1", "13.5")}, format="json"
    )

    assert refused.status_code == 403
    assert allowed.status_code == 200
    page = client.get(make_article_url(chart)).content.decode()
    assert "<td>13.5</td>" in page


def make_article_url(chart):
    from figures.chart_services import articles_showing

    return articles_showing(chart.pk)[0].get_absolute_url()


def test_chart_still_shown_cannot_be_deleted(db):
    chart = shown(make_chart())
    spare = make_chart(title="Spare")
    editor = bearer("write", make_user(role="editor"))

    refused = editor.delete(detail(chart))
    deleted = editor.delete(detail(spare))

    assert refused.status_code == 400
    assert "still shown" in refused.json()["error"]["fields"]["non_field_errors"][0]
    assert deleted.status_code == 204
    assert list(Chart.objects.all()) == [chart]
