"""Pictures for the demo explainers, from JPEGs that ship in articles/demo/images/
(drawn by scripts/demo_images.py, credited "Newsroom demo").

A demo document names a picture by file, `![alt](image:demo/<name> "caption")`;
`with_demo_images` adds it to the library once (found again by title on the next
run) and writes its id in. `demo_heroes_attach` gives the explainers in
DEMO_HEROES their hero image.
"""

import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from .models import Image
from .services import image_create
from .transfer import hero_attach

IMAGES_DIR = Path(__file__).resolve().parents[1] / "articles" / "demo" / "images"
DEMO_REFERENCE = re.compile(r"\]\(image:demo/(?P<name>[a-z0-9-]+)")
CREDIT = "Newsroom demo"

DEMO_IMAGES = {
    "clock-tower": {
        "title": "Demo: clock tower at sunrise",
        "alt_text": "A town clock tower showing seven o'clock as the sun rises",
        "caption": "Seven on the clock, and the sun already up.",
        "tags": "demo, clocks",
        "focal_x": 0.66,
        "focal_y": 0.35,
    },
    "shifted-day": {
        "title": "Demo: one June day on two clocks",
        "alt_text": (
            "Two bars of one June day in Berlin: on daylight saving time the same "
            "daylight comes an hour later on the clock, so more of it falls after work"
        ),
        "caption": "The sun does not change; the clock hours we give it do.",
        "tags": "demo, diagram",
    },
    "winter-morning": {
        "title": "Demo: a dark winter morning",
        "alt_text": "A snowy street in darkness at eight in the morning, lamps lit",
        "caption": "Permanent summer time would mean darker winter mornings.",
        "tags": "demo, winter",
    },
}
DEMO_HEROES = {"daylight-saving-time": "clock-tower"}


def demo_image(name: str) -> Image:
    meta = DEMO_IMAGES[name]
    image = Image.objects.filter(title=meta["title"]).first()
    if image is None:
        data = (IMAGES_DIR / f"{name}.jpg").read_bytes()
        image = image_create(
            file=SimpleUploadedFile(f"{name}.jpg", data, content_type="image/jpeg"),
            credit=CREDIT,
            **meta,
        )
    return image


def with_demo_images(text: str) -> str:
    """Demo Markdown with each `image:demo/<name>` replaced by the image's id."""
    return DEMO_REFERENCE.sub(lambda m: f"](image:{demo_image(m['name']).pk}", text)


def demo_heroes_attach(article) -> None:
    """Give a demo explainer its hero: the library image's own file, so the hero
    is that library image (its focal point, renditions and "where used")."""
    name = DEMO_HEROES.get(article.slug)
    if name is None or article.hero_image:
        return
    hero_attach(article, demo_image(name))
