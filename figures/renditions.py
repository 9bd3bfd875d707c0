"""Renditions: resized, re-encoded copies of an original, made once and reused.

Each is stored through Django's default storage beside its original
(`images/2026/12/renditions/...`; local disk or S3 alike) and recorded in the
Rendition table, so a page asks the database which copies exist and never the
storage. Re-encoding drops EXIF (GPS included) along with every other metadata.
"""

import io
import posixpath
from dataclasses import dataclass
from fractions import Fraction

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image as PillowImage
from PIL import ImageOps, features

from .models import Rendition

#: Widths offered in `srcset`, capped at the original's width.
WIDTHS = (480, 800, 1200, 1600)
#: What a reader's browser sees: a lazy figure fills the text column.
BODY_SIZES = "(min-width: 50rem) 46rem, 100vw"
HERO_SIZES = "(min-width: 66rem) 64rem, 100vw"

QUALITY = {"jpeg": 82, "webp": 78, "avif": 60}
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}


def modern_formats() -> list[str]:
    """Formats offered as `<source>`s, best first (AVIF only where Pillow has it)."""
    return (["avif"] if features.check("avif") else []) + ["webp"]


@dataclass(frozen=True)
class Source:
    """An original to make renditions of: its storage name, size and focal point."""

    name: str
    width: int
    height: int
    focal_x: float = 0.5
    focal_y: float = 0.5
    has_alpha: bool = False
    image_id: int | None = None

    @property
    def fallback_format(self) -> str:
        return "png" if self.has_alpha else "jpeg"

    @property
    def focal_key(self) -> str:
        return f"{self.focal_x:.3f},{self.focal_y:.3f}"

    @classmethod
    def of_image(cls, image) -> "Source":
        name = image.file.name
        return cls(
            name=name,
            width=image.width,
            height=image.height,
            focal_x=image.focal_x,
            focal_y=image.focal_y,
            has_alpha=name.lower().endswith((".png", ".gif")),
            image_id=image.pk,
        )


def srcset_widths(original_width: int, widths=WIDTHS) -> list[int]:
    """The widths to offer: those below the original, then the original (capped)."""
    top = min(original_width, max(widths))
    return sorted({w for w in widths if w < top} | {top})


def ratio_parse(ratio: str) -> Fraction | None:
    if not ratio:
        return None
    w, _, h = ratio.partition(":")
    return Fraction(int(w), int(h))


def crop_box(width, height, ratio: Fraction | None, focal_x=0.5, focal_y=0.5):
    """The largest box of `ratio` inside width x height, centred on the focal point
    as far as the edges allow."""
    if ratio is None:
        return (0, 0, width, height)
    if Fraction(width, height) > ratio:
        crop_w, crop_h = max(1, round(height * ratio)), height
    else:
        crop_w, crop_h = width, max(1, round(width / ratio))
    left = min(max(round(focal_x * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal_y * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def rendition_size(source: Source, width: int, ratio: str) -> tuple[int, int]:
    box = crop_box(source.width, source.height, ratio_parse(ratio))
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    width = min(width, crop_w)
    return width, max(1, round(width * crop_h / crop_w))


def _encode(picture, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        picture = picture.convert("RGB")
        picture.save(
            out, "JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True
        )
    elif fmt == "png":
        picture.save(out, "PNG", optimize=True)
    elif fmt == "webp":
        picture.save(out, "WEBP", quality=QUALITY["webp"], method=4)
    else:
        picture.save(out, "AVIF", quality=QUALITY["avif"])
    return out.getvalue()


def _storage_name(source: Source, width, height, fmt, ratio) -> str:
    folder, filename = posixpath.split(source.name)
    stem = filename.rsplit(".", 1)[0]
    crop = ""
    if ratio:
        crop = f"-{ratio.replace(':', 'x')}-{source.focal_key.replace(',', '-')}"
    return posixpath.join(
        folder, "renditions", f"{stem}-{width}x{height}{crop}.{EXTENSION[fmt]}"
    )


def _make(source: Source, specs: list[tuple[int, str, str]]) -> list[Rendition]:
    """Open the original once and make every (width, format, ratio) asked for."""
    made = []
    with (
        default_storage.open(source.name, "rb") as handle,
        PillowImage.open(handle) as opened,
    ):
        original = ImageOps.exif_transpose(opened.copy())
    if original.mode not in ("RGB", "RGBA"):
        original = original.convert("RGBA" if source.has_alpha else "RGB")
    for width, fmt, ratio in specs:
        box = crop_box(
            original.width,
            original.height,
            ratio_parse(ratio),
            source.focal_x if ratio else 0.5,
            source.focal_y if ratio else 0.5,
        )
        picture = original.crop(box)
        out_w = min(width, picture.width)
        out_h = max(1, round(out_w * picture.height / picture.width))
        if (out_w, out_h) != picture.size:
            picture = picture.resize((out_w, out_h), PillowImage.Resampling.LANCZOS)
        name = default_storage.save(
            _storage_name(source, out_w, out_h, fmt, ratio),
            ContentFile(_encode(picture, fmt)),
        )
        made.append(
            Rendition(
                image_id=source.image_id,
                source=source.name,
                width=out_w,
                height=out_h,
                format=fmt,
                ratio=ratio,
                focal=source.focal_key if ratio else "",
                file=name,
            )
        )
    return made


def renditions_ensure(
    source: Source, specs: list[tuple[int, str, str]], *, existing=None
) -> dict[tuple[int, str, str], Rendition]:
    """The renditions for `specs` ((width, format, ratio) each), made where missing.

    A width beyond what the original (or its crop) has is capped, never enlarged.
    `existing`: renditions already read (saves the query when a caller prefetched).
    """
    actual = {
        spec: (rendition_size(source, spec[0], spec[2])[0], spec[1], spec[2])
        for spec in specs
    }
    if existing is None:
        existing = Rendition.objects.filter(source=source.name)
    found = {}
    for rendition in existing:
        if rendition.ratio and rendition.focal != source.focal_key:
            continue
        found[(rendition.width, rendition.format, rendition.ratio)] = rendition
    missing = [spec for spec in dict.fromkeys(actual.values()) if spec not in found]
    if missing:
        for rendition in _make(source, missing):
            try:
                with transaction.atomic():
                    rendition.save()
            except IntegrityError:  # made at the same time elsewhere: use theirs
                default_storage.delete(rendition.file)
                rendition = Rendition.objects.get(
                    source=rendition.source,
                    width=rendition.width,
                    format=rendition.format,
                    ratio=rendition.ratio,
                    focal=rendition.focal,
                )
            found[(rendition.width, rendition.format, rendition.ratio)] = rendition
    return {spec: found[actual[spec]] for spec in specs}


def renditions_delete(source_name: str) -> None:
    """Remove every rendition of an original, files and rows."""
    for rendition in Rendition.objects.filter(source=source_name):
        default_storage.delete(rendition.file)
        rendition.delete()


@dataclass(frozen=True)
class Picture:
    """What a `<picture>` needs: a fallback `<img>` and the modern `<source>`s."""

    src: str
    width: int
    height: int
    srcset: str
    sources: list[tuple[str, str]]  # (mime type, srcset)


def picture(
    source: Source, *, ratio: str = "", widths=WIDTHS, existing=None
) -> Picture:
    """Renditions for a responsive `<picture>` of `source` (made where missing)."""
    chosen = srcset_widths(rendition_size(source, 10**6, ratio)[0], widths)
    formats = [source.fallback_format, *modern_formats()]
    specs = [(w, fmt, ratio) for fmt in formats for w in chosen]
    made = renditions_ensure(source, specs, existing=existing)

    def srcset(fmt):
        return ", ".join(
            f"{made[(w, fmt, ratio)].url} {made[(w, fmt, ratio)].width}w"
            for w in chosen
        )

    # The fallback's own size: the middle width, what most screens pick anyway.
    middle = made[(chosen[len(chosen) // 2], source.fallback_format, ratio)]
    return Picture(
        src=middle.url,
        width=middle.width,
        height=middle.height,
        srcset=srcset(source.fallback_format),
        sources=[(MIME[fmt], srcset(fmt)) for fmt in modern_formats()],
    )
