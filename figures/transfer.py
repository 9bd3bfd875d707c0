"""Library images in exported and imported explainer documents.

`export_explainer SLUG -o DIR/doc.md` writes the images the explainer shows beside
the document, in `DIR/doc-images/`, and points the Markdown at them
(`![alt](image:doc-images/12-harbour.jpg "caption")`); `images.json` there keeps
each image's title, alt text, caption, credit, tags and focal point, and names the
hero. `import_explainer DIR/doc.md` reads them back: each file is checked like any
upload, added to the library, and the reference gets the new image's id. Without
files beside it (stdout, the admin's import), a document keeps `image:<id>`.
"""

import json
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify

from .models import Image
from .services import image_create

ID_REFERENCE = re.compile(r"(\]\(\s*image:)(\d{1,12})")
PATH_REFERENCE = re.compile(r"(\]\(\s*image:)([A-Za-z0-9._-]+/[A-Za-z0-9._-]+)")
META_FIELDS = ("title", "alt_text", "caption", "credit", "focal_x", "focal_y")
SIDECAR = "images.json"


def images_folder(document: Path) -> Path:
    return document.with_name(f"{document.stem}-images")


def _meta(image: Image) -> dict:
    meta = {name: getattr(image, name) for name in META_FIELDS}
    meta["tags"] = ", ".join(image.tag_list)
    return meta


def _write(image: Image, folder: Path, prefix: str) -> str:
    extension = image.file.name.rsplit(".", 1)[-1].lower()
    name = f"{prefix}-{slugify(image.title)[:40] or 'image'}.{extension}"
    with image.file.open("rb") as handle:
        (folder / name).write_bytes(handle.read())
    return name


def images_export(text: str, article, document: Path) -> str:
    """Write the images `text` (and the hero) show beside `document`; return the
    text with each `image:<id>` pointing at its file."""
    pks = {int(pk) for _, pk in ID_REFERENCE.findall(text)}
    images = Image.objects.in_bulk(pks)
    hero = (
        Image.objects.filter(file=article.hero_image.name).first()
        if article.hero_image
        else None
    )
    if not images and hero is None:
        return text
    folder = images_folder(document)
    folder.mkdir(exist_ok=True)
    sidecar = {"images": {}, "hero": None}
    names = {}
    for pk, image in sorted(images.items()):
        names[pk] = _write(image, folder, str(pk))
        sidecar["images"][names[pk]] = _meta(image)
    if hero is not None:
        name = _write(hero, folder, "hero")
        sidecar["images"][name] = _meta(hero)
        sidecar["hero"] = name
    (folder / SIDECAR).write_text(
        json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n"
    )

    def point(match):
        pk = int(match[2])
        return f"{match[1]}{folder.name}/{names[pk]}" if pk in names else match[0]

    return ID_REFERENCE.sub(point, text)


class DocumentImages:
    """Images a document brings in files beside it (see module doc)."""

    def __init__(self, document: Path):
        self.base = document.resolve().parent
        self.folder = images_folder(document.resolve())
        self.sidecar = {"images": {}, "hero": None}
        path = self.folder / SIDECAR
        if path.is_file():
            try:
                self.sidecar.update(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, UnicodeDecodeError) as error:
                raise ValidationError(
                    f"{path.name} is not valid JSON: {error}"
                ) from None
        self.created: dict[str, Image] = {}

    def _image(self, relative: str, *, user=None) -> Image:
        if relative in self.created:
            return self.created[relative]
        path = (self.base / relative).resolve()
        if not path.is_relative_to(self.base) or not path.is_file():
            raise ValidationError(
                f"The image file '{relative}' is not beside the document."
            )
        meta = self.sidecar.get("images", {}).get(path.name, {})
        fields = {name: meta[name] for name in (*META_FIELDS, "tags") if name in meta}
        try:
            image = image_create(
                file=SimpleUploadedFile(path.name, path.read_bytes()),
                user=user,
                **fields,
            )
        except ValidationError as error:
            raise ValidationError(
                f"Image '{relative}': {' '.join(error.messages)}"
            ) from None
        self.created[relative] = image
        return image

    def resolve(self, text: str, *, user=None) -> str:
        """`text` with every `image:<folder>/<file>` made a library image's id."""
        return PATH_REFERENCE.sub(
            lambda m: f"{m[1]}{self._image(m[2], user=user).pk}", text
        )

    def hero_attach(self, article, *, user=None) -> None:
        name = self.sidecar.get("hero")
        if not name:
            return
        image = self._image(f"{self.folder.name}/{name}", user=user)
        hero_attach(article, image)


def hero_attach(article, image: Image) -> None:
    """Make a library image the article's hero (its own file: one library entry)."""
    from articles.services import article_changed

    article.hero_image = image.file.name
    article.hero_alt = image.alt_text
    article.hero_credit = image.credit
    article.save()
    article_changed(article)
