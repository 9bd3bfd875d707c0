"""Renditions: sizes, formats, crops around the focal point, made once and reused,
without EXIF, on local disk and on S3 (moto)."""

import io

import pytest
import requests
from django.core.files.storage import default_storage
from PIL import Image as Pillow
from PIL import features

from figures.models import Rendition
from figures.renditions import Source, picture, renditions_ensure
from figures.services import image_create
from tests.ops.test_media_storage import BUCKET, KEYS, REGION, s3_endpoint  # noqa: F401

from .files import exif_of, jpeg_bytes, png_bytes, upload


@pytest.fixture
def photo(db, media):
    # 1600 x 900, green with a black block on its right third.
    return image_create(
        file=upload("street.jpg", jpeg_bytes()), title="Street", alt_text="A street"
    )


def opened(rendition):
    with default_storage.open(rendition.file, "rb") as handle:
        data = handle.read()
    with Pillow.open(io.BytesIO(data)) as image:
        image.load()
        return image, data


def test_srcset_widths_are_capped_at_the_original_and_every_format_is_made(photo):
    pic = picture(Source.of_image(photo))

    assert [part.split()[-1] for part in pic.srcset.split(", ")] == [
        "480w",
        "800w",
        "1200w",
        "1600w",
    ]
    mimes = [mime for mime, _ in pic.sources]
    assert "image/webp" in mimes
    assert ("image/avif" in mimes) == features.check("avif")
    assert (pic.width, pic.height) == (1200, 675)
    formats = set(Rendition.objects.values_list("format", flat=True))
    assert formats == {"jpeg", "webp"} | ({"avif"} if features.check("avif") else set())
    image, _ = opened(Rendition.objects.get(width=800, format="webp"))
    assert image.format == "WEBP" and image.size == (800, 450)


def test_a_small_original_is_never_enlarged(db, media):
    small = image_create(file=upload("icon.png", png_bytes((600, 400))), title="Icon")

    pic = picture(Source.of_image(small))

    assert [part.split()[-1] for part in pic.srcset.split(", ")] == ["480w", "600w"]
    assert max(Rendition.objects.values_list("width", flat=True)) == 600
    # A PNG keeps a PNG fallback (it may have transparency).
    assert pic.src.endswith(".png")


def test_a_crop_keeps_the_focal_point(photo):
    source = Source.of_image(photo)
    centred = renditions_ensure(source, [(400, "jpeg", "1:1")])[(400, "jpeg", "1:1")]
    image, _ = opened(centred)
    assert image.size == (400, 400)
    # Centred on 800 px of a 1600 px image: the black third is at the right edge.
    assert image.getpixel((390, 200))[0] < 40 and image.getpixel((10, 200))[1] > 80

    photo.focal_x = 0.95
    photo.save()
    right = renditions_ensure(Source.of_image(photo), [(400, "jpeg", "1:1")])
    image, _ = opened(right[(400, "jpeg", "1:1")])
    # Around the right edge now: the crop is mostly black.
    assert image.getpixel((200, 200))[1] < 40
    assert right[(400, "jpeg", "1:1")].pk != centred.pk


def test_renditions_are_made_once_and_reused(photo, django_assert_num_queries):
    source = Source.of_image(photo)
    first = picture(source)
    count = Rendition.objects.count()
    names = set(Rendition.objects.values_list("file", flat=True))

    with django_assert_num_queries(1):  # which renditions exist; no storage check
        again = picture(source)

    assert again == first
    assert Rendition.objects.count() == count
    assert all(default_storage.exists(name) for name in names)
    # Stored beside the original.
    folder = photo.file.name.rsplit("/", 1)[0]
    assert all(name.startswith(f"{folder}/renditions/") for name in names)


def test_renditions_carry_no_exif_or_location(photo):
    picture(Source.of_image(photo))

    for rendition in Rendition.objects.all():
        _image, data = opened(rendition)
        exif, _raw = exif_of(data)
        assert 0x8825 not in exif and 0x010F not in exif, rendition


def test_renditions_work_on_s3(s3_endpoint, settings, db):  # noqa: F811
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": KEYS["AWS_ACCESS_KEY_ID"],
                "secret_key": KEYS["AWS_SECRET_ACCESS_KEY"],
                "querystring_auth": False,
                "default_acl": "public-read",
                "file_overwrite": False,
            },
        },
    }
    image = image_create(file=upload("bridge.jpg", jpeg_bytes()), title="Bridge")
    assert type(default_storage._wrapped).__name__ == "S3Storage"

    pic = picture(Source.of_image(image))

    assert pic.src.startswith(f"{s3_endpoint}/{BUCKET}/images/")
    fetched = requests.get(pic.src, timeout=10)
    assert fetched.status_code == 200
    with Pillow.open(io.BytesIO(fetched.content)) as served:
        assert served.size == (pic.width, pic.height)
        assert 0x8825 not in served.getexif()
    original = requests.get(image.file.url, timeout=10)
    assert 0x8825 not in exif_of(original.content)[0]  # stripped on upload
    # Reused: asking again makes nothing new.
    count = Rendition.objects.count()
    picture(Source.of_image(image))
    assert Rendition.objects.count() == count
