"""Examples of the image API for the OpenAPI document (registered with
articles/api/examples.py, which attaches examples by component name)."""

from articles.api import examples

# A 1 x 1 GIF whose bytes are all ASCII, so the example survives as JSON text.
TINY_GIF = "GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
IMAGE = {
    "id": 7,
    "url": f"{examples.API}/images/7/",
    "title": "Harbour at high water",
    "alt_text": "Boats moored level with the quay as the water rises",
    "caption": "The harbour at noon, 3 May.",
    "credit": "Ada Photo",
    "tags": ["flood", "harbour"],
    "focal_point": {"x": 0.4, "y": 0.55},
    "width": 1600,
    "height": 900,
    "file": f"{examples.SITE}/media/images/2026/12/harbour.jpg",
    "reference": "![Boats moored level with the quay as the water rises](image:7)",
    "uploaded_at": "2026-12-07T09:12:00Z",
    "updated_at": "2026-12-07T09:20:41Z",
}
IMAGE_INPUT = {
    "file": TINY_GIF,
    "title": "Harbour at high water",
    "alt_text": IMAGE["alt_text"],
    "credit": "Ada Photo",
    "tags": "flood, harbour",
}
PATCHED_IMAGE = {"focal_x": 0.4, "focal_y": 0.55, "caption": IMAGE["caption"]}


def register():
    examples.RESPONSES["Image"] = ("A library image", IMAGE)
    examples.RESPONSES_BY_STATUS[("Image", "201")] = ("Uploaded", IMAGE)
    examples.REQUESTS["ImageInput"] = ("An upload with its details", IMAGE_INPUT)
    examples.REQUESTS["PatchedImageChange"] = (
        "A new focal point and caption",
        PATCHED_IMAGE,
    )
