#!/usr/bin/env python
"""Draw the default sharing image and the publisher logo into static/img/.

    .venv/bin/python scripts/make_site_images.py

static/img/share.png (1200x630, NEWSROOM_SHARE_IMAGE) stands in for og:image,
twitter:image and the JSON-LD image of a page without a hero image;
static/img/logo.png (512x512, NEWSROOM_LOGO) is the publisher's logo in JSON-LD.
Plain shapes in the site's colours (static/css/site.css) and Pillow's bundled font;
run it again after changing either, and commit the PNGs.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "static" / "img"
PAPER = "#fdfcf9"
INK = "#1f1f22"
ACCENT = "#a8430f"
FACTS = "#eef3f8"
FACTS_RULE = "#9fb8d1"
NAME = "Newsroom"


def font(size):
    # Pillow 10.1+ ships a scalable default font, so no system font is needed.
    return ImageFont.load_default(size=size)


def centred_text(draw, box, text, size, fill):
    left, top, right, bottom = box
    face = font(size)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=face)
    x = left + (right - left - (x1 - x0)) / 2 - x0
    y = top + (bottom - top - (y1 - y0)) / 2 - y0
    draw.text((x, y), text, font=face, fill=fill)


def share_image():
    image = Image.new("RGB", (1200, 630), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 18), fill=ACCENT)
    # A key-facts box, as on an explainer page: a tinted panel under a rule.
    draw.rectangle((150, 190, 1050, 440), fill=FACTS)
    draw.rectangle((150, 190, 1050, 198), fill=FACTS_RULE)
    centred_text(draw, (150, 198, 1050, 370), NAME, 150, INK)
    for n, width in enumerate((520, 380)):
        y = 382 + n * 24
        draw.rounded_rectangle((600 - width / 2, y, 600 + width / 2, y + 10), 5, INK)
    draw.rectangle((0, 612, 1200, 630), fill=ACCENT)
    return image


def logo():
    image = Image.new("RGB", (512, 512), ACCENT)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((56, 56, 456, 456), 40, fill=PAPER)
    centred_text(draw, (56, 70, 456, 360), "N", 260, INK)
    centred_text(draw, (56, 340, 456, 430), NAME, 64, ACCENT)
    return image


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    share_image().save(OUT / "share.png", optimize=True)
    logo().save(OUT / "logo.png", optimize=True)
    print(f"wrote {OUT / 'share.png'} and {OUT / 'logo.png'}")


if __name__ == "__main__":
    main()
