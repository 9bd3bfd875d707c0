"""Draw the demo explainers' pictures (articles/demo/images/*.jpg) with Pillow.

Simple scenes and a diagram of our own, credited "Newsroom demo". Run again to
remake them: `.venv/bin/python scripts/demo_images.py`.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "articles" / "demo" / "images"


def font(size):
    return ImageFont.load_default(size=size)


def vertical_gradient(size, top, bottom):
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def clock(draw, centre, radius, hour, minute):
    x, y = centre
    draw.ellipse(
        [x - radius, y - radius, x + radius, y + radius],
        fill="#f6f1e3",
        outline="#2b2b2b",
        width=max(3, radius // 14),
    )
    for tick in range(12):
        angle = math.radians(tick * 30)
        inner, outer = radius * 0.8, radius * 0.92
        draw.line(
            [
                (x + inner * math.sin(angle), y - inner * math.cos(angle)),
                (x + outer * math.sin(angle), y - outer * math.cos(angle)),
            ],
            fill="#2b2b2b",
            width=max(2, radius // 25),
        )
    for length, angle, width in (
        (0.5, (hour % 12 + minute / 60) * 30, radius // 10),
        (0.75, minute * 6, radius // 16),
    ):
        a = math.radians(angle)
        draw.line(
            [
                (x, y),
                (x + radius * length * math.sin(a), y - radius * length * math.cos(a)),
            ],
            fill="#1d1d1d",
            width=max(2, width),
        )


def clock_tower():
    """Hero: a town clock tower at sunrise, the tower right of centre."""
    image = vertical_gradient((1600, 900), (248, 176, 120), (120, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.ellipse([180, 520, 420, 760], fill=(255, 214, 120))  # the rising sun
    draw.rectangle([0, 700, 1600, 900], fill=(70, 96, 72))  # the square
    for left, top, width in ((80, 560, 220), (560, 600, 180), (1300, 580, 240)):
        draw.rectangle([left, top, left + width, 700], fill=(96, 80, 72))
        draw.polygon(
            [(left - 10, top), (left + width // 2, top - 70), (left + width + 10, top)],
            fill=(120, 60, 50),
        )
    # The tower, its clock at 7:00, an hour earlier than the body feels.
    draw.rectangle([960, 220, 1160, 700], fill=(150, 128, 104))
    draw.polygon([(940, 220), (1060, 80), (1180, 220)], fill=(90, 52, 44))
    clock(draw, (1060, 330), 78, 7, 0)
    for row in range(3):
        draw.rectangle([1010, 460 + row * 70, 1050, 510 + row * 70], fill=(60, 52, 48))
        draw.rectangle([1070, 460 + row * 70, 1110, 510 + row * 70], fill=(60, 52, 48))
    return image


def shifted_day():
    """Figure: the same day's light on standard time and on daylight saving time."""
    width, height = 1200, 640
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, right = 140, 1140
    hour = (right - left) / 24
    draw.text(
        (40, 30), "One June day in Berlin, on two clocks", fill="#111", font=font(34)
    )
    rows = (
        ("Standard time", 150, 3.75, 20.5),
        ("Daylight saving", 370, 4.75, 21.5),
    )
    for label, top, sunrise, sunset in rows:
        draw.text((40, top - 50), label, fill="#111", font=font(28))
        draw.rectangle([left, top, right, top + 90], fill=(34, 40, 74))
        draw.rectangle(
            [left + sunrise * hour, top, left + sunset * hour, top + 90],
            fill=(250, 200, 80),
        )
        draw.rectangle(
            [left + 9 * hour, top + 20, left + 17 * hour, top + 70],
            outline="#111",
            width=3,
        )
        draw.text(
            (left + 9.2 * hour, top + 30), "9 to 5 at work", fill="#111", font=font(22)
        )
    for h in range(0, 25, 3):
        x = left + h * hour
        draw.line([(x, 540), (x, 556)], fill="#111", width=2)
        draw.text((x - 14, 562), f"{h:02d}", fill="#111", font=font(22))
    draw.text(
        (40, 600),
        "Dark: night. Yellow: daylight. Clock hours along the bottom.",
        fill="#333",
        font=font(22),
    )
    return image


def winter_morning():
    """Figure: a dark winter street at eight in the morning, lamps still lit."""
    image = vertical_gradient((1200, 800), (14, 22, 52), (52, 70, 112))
    draw = ImageDraw.Draw(image)
    draw.ellipse([930, 90, 1010, 170], fill=(236, 236, 214))  # the moon
    draw.rectangle([0, 620, 1200, 800], fill=(200, 206, 216))  # snow
    for index, left in enumerate(range(40, 1200, 230)):
        top = 380 + (index % 2) * 40
        draw.rectangle([left, top, left + 190, 620], fill=(58, 52, 60))
        draw.polygon(
            [(left - 10, top), (left + 95, top - 80), (left + 200, top)],
            fill=(40, 36, 44),
        )
        for wx in (left + 30, left + 120):
            lit = (index + wx) % 3 != 0
            draw.rectangle(
                [wx, top + 50, wx + 40, top + 100],
                fill=(250, 210, 120) if lit else (30, 30, 40),
            )
    for x in (300, 760):
        draw.rectangle([x, 420, x + 10, 640], fill=(30, 30, 30))
        draw.ellipse([x - 30, 390, x + 40, 450], fill=(255, 226, 150))
    clock(ImageDraw.Draw(image), (600, 240), 60, 8, 0)
    return image


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (
        ("clock-tower", clock_tower),
        ("shifted-day", shifted_day),
        ("winter-morning", winter_morning),
    ):
        draw().save(OUT / f"{name}.jpg", "JPEG", quality=85, optimize=True)
        print(OUT / f"{name}.jpg")


if __name__ == "__main__":
    main()
