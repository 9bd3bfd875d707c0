"""Explainer documents carry library images by reference, files beside them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from figures.models import Image
from figures.services import image_create
from figures.transfer import hero_attach
from tests.factories import make_article

from .files import SCRIPT_AS_PNG, jpeg_bytes, upload


@pytest.fixture
def illustrated(db, media):
    figure = image_create(
        file=upload("harbour.jpg", jpeg_bytes()),
        title="Harbour",
        alt_text="Boats in the harbour",
        credit="Ada Photo",
        tags="flood, boats",
        focal_x=0.3,
    )
    hero = image_create(
        file=upload("bridge.jpg", jpeg_bytes(size=(1200, 800))),
        title="Bridge",
        alt_text="The bridge at dawn",
        credit="Ben Photo",
    )
    article = make_article(
        title="High water",
        slug="high-water",
        body=f'Text.\n\n![](image:{figure.pk} "At noon")\n',
    )
    hero_attach(article, hero)
    return article


def test_export_writes_images_beside_and_import_brings_them_back(illustrated, tmp_path):
    document = tmp_path / "high-water.md"
    call_command("export_explainer", "high-water", "-o", str(document))

    text = document.read_text()
    assert "](image:high-water-images/" in text and '"At noon")' in text
    folder = tmp_path / "high-water-images"
    sidecar = json.loads((folder / "images.json").read_text())
    assert sidecar["hero"].startswith("hero-")
    assert {meta["credit"] for meta in sidecar["images"].values()} == {
        "Ada Photo",
        "Ben Photo",
    }

    out = io.StringIO()
    call_command(
        "import_explainer", str(document), "--slug", "high-water-2", stdout=out
    )

    copy = Article.objects.get(slug="high-water-2")
    imported = Image.objects.order_by("-pk")[:2]
    assert {image.title for image in imported} == {"Harbour", "Bridge"}
    harbour = next(image for image in imported if image.title == "Harbour")
    assert f"](image:{harbour.pk} " in copy.body
    assert (harbour.focal_x, harbour.tag_list) == (0.3, ["flood", "boats"])
    assert 'alt="Boats in the harbour"' in copy.body_html
    assert copy.hero_alt == "The bridge at dawn" and copy.hero_credit == "Ben Photo"
    assert Image.objects.filter(file=copy.hero_image.name, title="Bridge").exists()


def test_a_hostile_file_beside_a_document_stops_the_import(db, media, tmp_path):
    folder = tmp_path / "doc-images"
    folder.mkdir()
    (folder / "evil.png").write_bytes(SCRIPT_AS_PNG)
    document = tmp_path / "doc.md"
    document.write_text("---\ntitle: Evil\n---\n\n![x](image:doc-images/evil.png)\n")

    with pytest.raises(CommandError, match=r"evil\.png.*not a JPEG, PNG, WebP or GIF"):
        call_command("import_explainer", str(document))

    assert not Article.objects.exists() and not Image.objects.exists()


def test_a_reference_outside_the_documents_folder_is_refused(db, media, tmp_path):
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes())
    inner = tmp_path / "inner"
    inner.mkdir()
    document = inner / "doc.md"
    document.write_text("---\ntitle: Sneaky\n---\n\n![x](image:../secret.jpg)\n")

    with pytest.raises(CommandError):
        call_command("import_explainer", str(document))

    assert not Image.objects.exists()
