"""Hero images in S3-compatible object storage (moto's server stands in for S3)."""

import base64
import io
import json
import textwrap

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer
from PIL import Image as PillowImage

from tests import factories
from tests.processes import app_env, free_port, manage

BUCKET = "newsroom-media"
REGION = "us-east-1"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture
def s3_endpoint():
    """An S3-compatible server on 127.0.0.1 with an empty bucket."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


def test_the_bucket_settings_send_media_to_object_storage_with_plain_urls(
    s3_endpoint, tmp_path
):
    script = textwrap.dedent(
        """
        import base64, json
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        data = base64.b64decode("{data}")
        name = default_storage.save("heroes/flood.png", ContentFile(data))
        print(json.dumps({{
            "backend": type(default_storage._wrapped).__name__,
            "url": default_storage.url(name),
        }}))
        """
    )
    image = factories.png_bytes(colour="teal")
    env = app_env(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_DEFAULT_ACL="public-read",
        **KEYS,
    )
    result = manage(
        "shell", "-c", script.format(data=base64.b64encode(image).decode()), env=env
    )

    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["backend"] == "S3Storage"
    assert facts["url"].startswith(f"{s3_endpoint}/{BUCKET}/heroes/flood")
    assert "Signature" not in facts["url"]  # public media: no expiring signature
    fetched = requests.get(facts["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == image


def test_a_hero_image_saved_to_object_storage_is_shown_from_there(
    s3_endpoint, client, db, settings
):
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
                "file_overwrite": False,
                "default_acl": "public-read",
            },
        },
    }
    article = factories.make_article(title="Flood maps", hero_alt="A flooded street")
    image = factories.png_bytes(colour="navy")
    article.hero_image.save("street.png", ContentFile(image))

    html = client.get(article.get_absolute_url()).content.decode()

    src = html.split('<figure class="hero">')[1].split('src="')[1].split('"')[0]
    assert src.startswith(f"{s3_endpoint}/{BUCKET}/heroes/")
    fetched = requests.get(src, timeout=10)
    assert fetched.status_code == 200, (src, fetched.text)
    # Pages print renditions made from it, stored beside it (figures/renditions.py).
    assert "/heroes/" in src and "/renditions/" in src
    with PillowImage.open(io.BytesIO(fetched.content)) as shown:
        assert shown.size == (16, 9)
        assert shown.getpixel((8, 4))[:3] == (0, 0, 128)  # the navy original
