"""Image files for the library's tests: honest ones, and hostile ones."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825


def jpeg_bytes(size=(1600, 900), colour="seagreen", *, gps=True):
    """A JPEG with camera EXIF and, by default, a GPS position in it."""
    picture = Image.new("RGB", size, colour)
    # A darker block on the right third, to see where crops are taken.
    picture.paste("black", (size[0] * 2 // 3, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size=(800, 600), colour="orange", mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def upload(name, data, content_type=None):
    types = {"jpg": "image/jpeg", "png": "image/png", "svg": "image/svg+xml"}
    content_type = content_type or types.get(name.rsplit(".", 1)[-1], "image/jpeg")
    return SimpleUploadedFile(name, data, content_type=content_type)


def bomb_png_bytes(width=60_000, height=60_000):
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    data = bytearray(png_bytes(size=(1, 1)))
    # IHDR is the first chunk: 8-byte signature, length, "IHDR", width, height, ...
    struct.pack_into(">II", data, 16, width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


SCRIPT_AS_PNG = b"<script>alert(document.cookie)</script>\n"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


def exif_of(data: bytes):
    with Image.open(io.BytesIO(data)) as opened:
        return dict(opened.getexif()), opened.info.get("exif")
