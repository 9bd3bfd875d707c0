"""/api/v1/images/: reading the library, uploading with a write key, strict input."""

import pytest
from django.core.files.storage import default_storage
from PIL import Image as Pillow
from rest_framework.test import APIClient

from figures.models import Image
from figures.services import image_create
from integrations.keys import key_create
from tests.factories import make_article, make_user
from tests.figures.files import SCRIPT_AS_PNG, SVG, bomb_png_bytes, jpeg_bytes, upload

LIST = "/api/v1/images/"


def bearer(scope, user=None):
    editor = make_user(role="editor")
    _key, full = key_create(
        name="Partner",
        scope=scope,
        acting_user=user if scope == "write" else None,
        created_by=editor,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {full}")
    return client


def fields_of(response):
    return response.json()["error"]["fields"]


@pytest.fixture
def shown(db, media):
    image = image_create(
        file=upload("shown.jpg", jpeg_bytes()),
        title="Shown",
        alt_text="Shown",
        tags="flood",
    )
    make_article(body=f"Intro\n\n![](image:{image.pk})")
    return image


@pytest.fixture
def unused(db, media):
    image = image_create(file=upload("secret.jpg", jpeg_bytes()), title="Embargoed")
    make_article(body=f"Intro\n\n![x](image:{image.pk})", status="draft")
    return image


def test_anyone_reads_images_that_published_explainers_show_and_only_those(
    api, shown, unused
):
    listing = api.get(LIST)

    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["results"]] == [shown.pk]
    item = api.get(f"{LIST}{shown.pk}/").json()
    assert item["alt_text"] == "Shown" and item["tags"] == ["flood"]
    assert item["focal_point"] == {"x": 0.5, "y": 0.5}
    assert (item["width"], item["height"]) == (1600, 900)
    assert item["reference"] == f"![Shown](image:{shown.pk})"
    assert item["file"].startswith("http://testserver/media/images/")
    assert api.get(f"{LIST}{unused.pk}/").status_code == 404


def test_a_write_key_sees_the_whole_library_and_filters_it(shown, unused):
    client = bearer("write", make_user(role="writer"))

    ids = {item["id"] for item in client.get(LIST).json()["results"]}
    assert ids == {shown.pk, unused.pk}
    tagged = client.get(LIST, {"tag": "flood"}).json()["results"]
    assert [item["id"] for item in tagged] == [shown.pk]
    found = client.get(LIST, {"q": "embargo"}).json()["results"]
    assert [item["id"] for item in found] == [unused.pk]
    assert client.get(LIST, {"colour": "red"}).status_code == 400


def test_a_write_key_uploads_an_image_stripped_of_its_location(db, media):
    writer = make_user(role="writer")
    client = bearer("write", writer)

    response = client.post(
        LIST,
        {
            "file": upload("quay.jpg", jpeg_bytes()),
            "alt_text": "The quay under water",
            "credit": "Partner Photo",
            "tags": "flood, quay",
            "focal_x": "0.25",
            "focal_y": "0.75",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == data["url"]
    image = Image.objects.get(pk=data["id"])
    assert image.uploaded_by == writer
    assert data["title"] == "quay" and data["tags"] == ["flood", "quay"]
    assert data["focal_point"] == {"x": 0.25, "y": 0.75}
    with default_storage.open(image.file.name, "rb") as handle:
        assert 0x8825 not in Pillow.open(handle).getexif()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.png", SCRIPT_AS_PNG, "not a JPEG, PNG, WebP or GIF"),
        ("drawing.svg", SVG, "SVG files are not accepted"),
        ("bomb.png", bomb_png_bytes(), "megapixels"),
        ("photo.png", jpeg_bytes(), "its content is JPEG"),
    ],
    ids=["script-as-png", "svg", "decompression-bomb", "lying-type"],
)
def test_hostile_uploads_are_refused_with_400(db, media, name, data, message):
    client = bearer("write", make_user(role="writer"))

    response = client.post(LIST, {"file": upload(name, data)}, format="multipart")

    assert response.status_code == 400
    assert message in " ".join(fields_of(response)["file"])
    assert not Image.objects.exists()


def test_strict_input_and_permissions(db, media, shown):
    writer_client = bearer("write", make_user(role="writer"))
    unknown = writer_client.post(
        LIST,
        {"file": upload("a.jpg", jpeg_bytes()), "owner": "me"},
        format="multipart",
    )
    assert unknown.status_code == 400 and "owner" in fields_of(unknown)
    assert writer_client.post(LIST, {}, format="multipart").status_code == 400

    read_only = bearer("read")
    refused = read_only.post(
        LIST, {"file": upload("a.jpg", jpeg_bytes())}, format="multipart"
    )
    assert refused.status_code in (401, 403)
    anonymous = APIClient().post(
        LIST, {"file": upload("a.jpg", jpeg_bytes())}, format="multipart"
    )
    assert anonymous.status_code in (401, 403)
    assert Image.objects.count() == 1


def test_a_write_key_moves_the_focal_point_and_bad_values_are_refused(shown):
    client = bearer("write", make_user(role="editor"))

    moved = client.patch(f"{LIST}{shown.pk}/", {"focal_x": 0.9}, format="json")
    assert moved.status_code == 200
    assert moved.json()["focal_point"] == {"x": 0.9, "y": 0.5}

    bad = client.patch(f"{LIST}{shown.pk}/", {"focal_y": 2}, format="json")
    assert bad.status_code == 400 and "focal_y" in fields_of(bad)
    swap = client.patch(f"{LIST}{shown.pk}/", {"file": "x"}, format="json")
    assert swap.status_code == 400 and "file" in fields_of(swap)


def test_publishing_through_the_api_needs_alt_text_and_existing_images(
    editor_api_client, db, media
):
    nameless = image_create(file=upload("scan.jpg", jpeg_bytes()), title="Scan")

    no_alt = editor_api_client.post(
        "/api/v1/articles/",
        {"title": "T", "body": f"![](image:{nameless.pk})", "status": "published"},
        format="json",
    )
    missing = editor_api_client.post(
        "/api/v1/articles/",
        {"title": "T", "body": "![x](image:424242)", "status": "draft"},
        format="json",
    )

    assert no_alt.status_code == 400
    assert "has no alt text" in " ".join(fields_of(no_alt)["body"])
    assert missing.status_code == 400
    assert "424242 is not in the library" in " ".join(fields_of(missing)["body"])
