"""The image library in the admin: upload and refusals, focal point without
JavaScript, the picker, "where used", and what publishing asks of images."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image as Pillow

from articles.models import Article
from figures.models import Image
from figures.services import image_create
from tests.factories import make_article, make_user
from tests.helpers import change_url, errors_of, form_data

from .files import (
    SCRIPT_AS_PNG,
    SVG,
    bomb_png_bytes,
    exif_of,
    jpeg_bytes,
    png_bytes,
    upload,
)

ADD = "/admin/figures/image/add/"


def post_upload(client, file, **fields):
    data = {
        "title": "",
        "alt_text": "A river over its banks",
        "caption": "",
        "credit": "",
        "tags": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "file": file,
        **fields,
    }
    return client.post(ADD, data)


def form_errors(response):
    return " ".join(
        str(error)
        for errors in response.context["adminform"].form.errors.values()
        for error in errors
    )


@pytest.fixture
def library_image(db, media):
    return image_create(
        file=upload("flood.jpg", jpeg_bytes()),
        title="Flooded street",
        alt_text="Water up to the doors",
        credit="Newsroom demo",
    )


# ---- Upload ----------------------------------------------------------------------


def test_an_editor_uploads_an_image_and_its_location_data_is_gone(editor_client, media):
    response = post_upload(
        editor_client,
        upload("river-bank.jpg", jpeg_bytes()),
        credit="Ada Photo",
        tags="Flood, river , flood",
    )

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.title == "river bank"
    assert (image.width, image.height) == (1600, 900)
    assert image.tag_list == ["flood", "river"]
    assert image.uploaded_by.is_staff
    with default_storage.open(image.file.name, "rb") as handle:
        exif, raw = exif_of(handle.read())
    assert 0x8825 not in exif and 0x010F not in exif and raw is None


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("evil.png", SCRIPT_AS_PNG, "image/png", "not a JPEG, PNG, WebP or GIF"),
        ("drawing.svg", SVG, "image/svg+xml", "SVG files are not accepted"),
        ("bomb.png", bomb_png_bytes(), "image/png", "megapixels"),
        (
            "photo.png",
            jpeg_bytes(),
            "image/png",
            "named as PNG but its content is JPEG",
        ),
        ("half.jpg", jpeg_bytes()[:600], "image/jpeg", "damaged or incomplete"),
        ("notes.txt", b"hello", "text/plain", "Upload a JPEG, PNG, WebP or GIF"),
    ],
    ids=["script-as-png", "svg", "decompression-bomb", "lying-type", "broken", "text"],
)
def test_hostile_and_broken_files_are_refused_with_a_clear_error(
    editor_client, media, name, data, content_type, message
):
    response = post_upload(editor_client, upload(name, data, content_type))

    assert response.status_code == 200
    assert message in form_errors(response)
    assert not Image.objects.exists()


def test_an_oversized_file_is_refused(editor_client, media, settings):
    settings.FIGURES_MAX_UPLOAD_BYTES = 10_000
    response = post_upload(
        editor_client,
        upload("big.png", png_bytes((1200, 900), "white") + b"\0" * 20_000),
    )

    assert response.status_code == 200
    assert "too large" in form_errors(response)
    assert "the limit is 9.8\xa0KB" in form_errors(response)


def test_too_many_pixels_is_refused_below_pillows_own_bomb_limit(
    editor_client, media, settings
):
    settings.FIGURES_MAX_PIXELS = 1_000_000
    response = post_upload(editor_client, upload("wide.png", png_bytes((2000, 1000))))

    assert "2000 x 1000 pixels" in form_errors(response)


def test_a_reader_cannot_reach_the_library(client, db, media):
    client.force_login(make_user())
    assert client.get(ADD).status_code == 302  # to the admin login
    assert client.get("/admin/figures/image/picker/").status_code == 302


# ---- Search, filter, where used ------------------------------------------------


def test_search_and_filters_find_images(editor_client, library_image, media):
    other = image_create(
        file=upload("map.png", png_bytes()), title="City map", tags="map"
    )

    found = editor_client.get("/admin/figures/image/?q=flooded").content.decode()
    assert "Flooded street" in found and "City map" not in found
    tagged = editor_client.get("/admin/figures/image/?tag=map").content.decode()
    assert "City map" in tagged and "Flooded street" not in tagged
    missing_alt = editor_client.get("/admin/figures/image/?alt=no").content.decode()
    assert other.title in missing_alt and "Flooded street" not in missing_alt


def test_where_used_lists_the_explainers_showing_the_image(
    editor_client, library_image
):
    using = make_article(
        title="The flood", body=f"Intro\n\n![](image:{library_image.pk})"
    )
    make_article(title="Unrelated", body=f"See ![](image:{library_image.pk}0)")

    page = editor_client.get(f"/admin/figures/image/{library_image.pk}/change/")
    html = page.content.decode()

    assert page.status_code == 200
    assert f"/admin/articles/article/{using.pk}/change/" in html
    assert "Unrelated" not in html
    assert f'value="![Water up to the doors](image:{library_image.pk})"' in html


# ---- Focal point without JavaScript --------------------------------------------


def test_the_focal_point_is_picked_by_clicking_the_image(editor_client, library_image):
    url = f"/admin/figures/image/{library_image.pk}/focal-point/"
    page = editor_client.get(url).content.decode()
    assert 'type="image" name="focal"' in page
    assert 'width="600" height="338"' in page
    # The crop previews exist before the point moves.
    old_crop = library_image.renditions.get(ratio="40:21")

    # What a browser sends for a click at (450, 100) on the 600 px wide picture.
    response = editor_client.post(url, {"focal.x": "450", "focal.y": "100"})

    assert response.status_code == 302
    library_image.refresh_from_db()
    assert (library_image.focal_x, library_image.focal_y) == (0.75, 0.296)
    assert not library_image.renditions.filter(pk=old_crop.pk).exists()
    assert not default_storage.exists(old_crop.file)


def test_the_focal_point_can_be_typed_and_bad_numbers_are_refused(
    editor_client, library_image
):
    url = f"/admin/figures/image/{library_image.pk}/focal-point/"
    assert (
        editor_client.post(url, {"focal_x": "0.2", "focal_y": "0.9"}).status_code == 302
    )
    library_image.refresh_from_db()
    assert (library_image.focal_x, library_image.focal_y) == (0.2, 0.9)

    refused = editor_client.post(url, {"focal_x": "3", "focal_y": "0.9"})
    assert refused.status_code == 200
    assert "less than or equal to 1" in refused.content.decode()


def test_staff_without_rights_on_images_cannot_move_the_focal_point(
    client, library_image
):
    staff = make_user()
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    url = f"/admin/figures/image/{library_image.pk}/focal-point/"
    assert client.post(url, {"focal_x": "0", "focal_y": "0"}).status_code == 403


# ---- The picker ------------------------------------------------------------------


def test_the_picker_gives_the_markdown_to_paste(editor_client, library_image):
    page = editor_client.get("/admin/figures/image/picker/?q=flood&_popup=1")
    html = page.content.decode()

    assert page.status_code == 200
    assert f'value="![Water up to the doors](image:{library_image.pk})"' in html
    assert "admin-figures-picker.js" in html
    # The explainer form's Markdown help links to it.
    form = editor_client.get("/admin/articles/article/add/").content.decode()
    assert "/admin/figures/image/picker/?_popup=1" in form


# ---- Publishing ------------------------------------------------------------------


def test_publishing_refuses_an_image_without_alt_text(editor_client, media):
    nameless = image_create(file=upload("x.png", png_bytes()), title="Chart scan")
    draft = make_article(
        title="Rivers",
        status=Article.Status.DRAFT,
        body=f"Text\n\n![](image:{nameless.pk})",
    )
    data = form_data(editor_client.get(change_url(draft)))
    data["_action"] = "publish"

    response = editor_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert (
        f"Image {nameless.pk} (\u201cChart scan\u201d) has no alt text"
        in form_errors(response)
    )
    draft.refresh_from_db()
    assert not draft.is_published()

    # Alt text written in the reference itself is enough.
    data["body"] = f"Text\n\n![A bar chart of river levels](image:{nameless.pk})"
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302, errors_of(response)
    draft.refresh_from_db()
    assert draft.is_published()
    assert 'alt="A bar chart of river levels"' in draft.body_html


def test_a_missing_image_is_a_form_error_even_in_a_draft(editor_client, media):
    draft = make_article(title="Rivers", status=Article.Status.DRAFT, body="Text")
    data = form_data(editor_client.get(change_url(draft)))
    data["body"] = "Text\n\n![x](image:99999)"

    response = editor_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert "Image 99999 is not in the library" in form_errors(response)


def test_stored_original_is_upright_and_clean_even_for_a_rotated_photo(db, media):
    picture = Pillow.new("RGB", (300, 200), "white")
    exif = Pillow.Exif()
    exif[0x0112] = 6  # rotate 90 degrees to show
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)

    image = image_create(file=upload("turned.jpg", out.getvalue()), title="Turned")

    assert (image.width, image.height) == (200, 300)


# ---- Changing and deleting ---------------------------------------------------


def image_form(client, image, **changes):
    page = client.get(f"/admin/figures/image/{image.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return {k: "" if v is None else v for k, v in data.items()}


def test_a_new_credit_redraws_the_explainers_showing_the_image(
    client, editor_client, library_image
):
    article = make_article(body=f"Intro\n\n![](image:{library_image.pk})")
    url = f"/admin/figures/image/{library_image.pk}/change/"

    response = editor_client.post(
        url, image_form(editor_client, library_image, credit="Ada Photo / Agency")
    )

    assert response.status_code == 302
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<small class="figure__credit">Ada Photo / Agency</small>' in html


def test_an_image_in_use_is_not_deleted(editor_client, library_image):
    make_article(title="The flood", body=f"![](image:{library_image.pk})")
    url = f"/admin/figures/image/{library_image.pk}/delete/"

    response = editor_client.post(url, {"post": "yes"}, follow=True)

    assert "still shown in \u201cThe flood\u201d" in response.content.decode()
    assert Image.objects.filter(pk=library_image.pk).exists()


def test_an_unused_image_is_deleted_with_its_files(
    editor_client, library_image, django_capture_on_commit_callbacks
):
    from figures.renditions import Source, picture

    picture(Source.of_image(library_image))
    files = [
        library_image.file.name,
        *library_image.renditions.values_list("file", flat=True),
    ]
    url = f"/admin/figures/image/{library_image.pk}/delete/"

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in files)


def test_the_publish_action_refuses_an_explainer_with_an_image_without_alt(
    editor_client, media
):
    nameless = image_create(file=upload("x.png", png_bytes()), title="Scan")
    draft = make_article(status=Article.Status.DRAFT, body=f"![](image:{nameless.pk})")

    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert "has no alt text" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
