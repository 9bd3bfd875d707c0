"""What the library accepts: checked once, at the door, for the admin and the API.

An upload must be a JPEG, PNG, WebP or GIF whose content is what its name says,
within the byte and pixel limits, and decode completely. It is then re-encoded
without its metadata (EXIF with GPS position, XMP, comments), turned upright, so
the stored original is safe to serve and renditions start from clean pixels.
"""

import io
import posixpath
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from PIL import Image as PillowImage
from PIL import ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
EXTENSIONS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
}
CONTENT_TYPES = {
    "image/jpeg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}


def max_bytes() -> int:
    return getattr(settings, "FIGURES_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def max_pixels() -> int:
    return getattr(settings, "FIGURES_MAX_PIXELS", 40_000_000)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def upload_clean(upload) -> SimpleUploadedFile:
    """Check an uploaded file and return a clean copy to store (see module doc).

    Raises ValidationError with a message an editor can act on.
    """
    name = posixpath.basename(getattr(upload, "name", "") or "image")
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes():
        _refuse(
            f"The file is too large ({filesizeformat(size or 0)}); "
            f"the limit is {filesizeformat(max_bytes())}.",
            "too_large",
        )
    if size == 0:
        _refuse("The file is empty.", "empty")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "svg" or "svg" in (getattr(upload, "content_type", "") or ""):
        _refuse(
            "SVG files are not accepted: they can carry scripts. "
            "Upload a PNG or JPEG export instead.",
            "svg",
        )
    claimed = EXTENSIONS.get(extension)
    if claimed is None and extension:
        _refuse(
            "Upload a JPEG, PNG, WebP or GIF file (the name must end in "
            ".jpg, .jpeg, .png, .webp or .gif).",
            "type",
        )
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        _refuse(f"The file is larger than {filesizeformat(max_bytes())}.", "too_large")
    picture, found = _decoded(data)
    if claimed is not None and found != claimed:  # a name without a type claims none
        _refuse(
            f"The file is named as {claimed} but its content is {found}. "
            "Export it again in the format its name says.",
            "type_mismatch",
        )
    content_type = getattr(upload, "content_type", "") or ""
    if content_type in CONTENT_TYPES and CONTENT_TYPES[content_type] != found:
        _refuse(
            f"The file was sent as {content_type} but its content is {found}.",
            "type_mismatch",
        )
    cleaned = _reencoded(picture, found)
    stem = get_valid_filename(name.rsplit(".", 1)[0])[:80] or "image"
    return SimpleUploadedFile(
        f"{stem}.{ACCEPTED[found]}", cleaned, content_type=f"image/{found.lower()}"
    )


def _decoded(data: bytes):
    """Open and fully decode `data`; refuse what is not an acceptable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            with PillowImage.open(io.BytesIO(data), formats=list(ACCEPTED)) as probe:
                found = probe.format
                width, height = probe.size
                if width * height > max_pixels():
                    _refuse_pixels(width, height)
                probe.verify()
            picture = PillowImage.open(io.BytesIO(data), formats=[found])
            picture.load()
    except ValidationError:
        raise
    except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning):
        _refuse(
            "The image has too many pixels to open safely "
            f"(the limit is {max_pixels() // 1_000_000} megapixels).",
            "too_many_pixels",
        )
    except UnidentifiedImageError:
        _refuse(
            "The file is not a JPEG, PNG, WebP or GIF image we can read.",
            "not_an_image",
        )
    except (OSError, SyntaxError, ValueError, EOFError):
        _refuse(
            "The image is damaged or incomplete; export it again and retry.",
            "broken",
        )
    return picture, found


def _refuse_pixels(width, height):
    _refuse(
        f"The image is {width} x {height} pixels; the limit is "
        f"{max_pixels() // 1_000_000} megapixels. Scale it down and retry.",
        "too_many_pixels",
    )


def _reencoded(picture, fmt: str) -> bytes:
    """The pixels again, upright, with none of the file's metadata."""
    out = io.BytesIO()
    icc = picture.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc and fmt in {"JPEG", "PNG", "WEBP"} else {}
    if fmt == "GIF":
        # Every frame, without comments or extensions other than timing.
        frames = getattr(picture, "n_frames", 1)
        picture.save(
            out,
            "GIF",
            save_all=frames > 1,
            duration=picture.info.get("duration", 100),
            loop=picture.info.get("loop", 0),
        )
        return out.getvalue()
    upright = ImageOps.exif_transpose(picture)
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=92, optimize=True, **extra)
    elif fmt == "PNG":
        upright.save(out, "PNG", optimize=True, **extra)
    else:
        upright.save(out, "WEBP", quality=92, **extra)
    return out.getvalue()
