"""Charts for the demo explainers, from CSV files that ship in articles/demo/charts/.

A demo document names a chart by file, `![Title](chart:demo/<name>)`; `with_demo_charts`
makes the chart once (found again by title on the next run) and writes its id in.
"""

import re
from pathlib import Path

from .models import Chart

CHARTS_DIR = Path(__file__).resolve().parents[1] / "articles" / "demo" / "charts"
DEMO_REFERENCE = re.compile(r"\]\(chart:demo/(?P<name>[a-z0-9-]+)\)")

# What a CSV alone cannot say. Counts per decade from the IERS list of leap seconds
# (Bulletin C): 27 in all, the last at the end of 2016.
DEMO_CHARTS = {
    "leap-seconds-per-decade": {
        "title": "Leap seconds added per decade",
        "kind": Chart.Kind.COLUMN,
        "x_label": "Decade",
        "y_label": "Leap seconds added",
        "units": "",
        "source_note": (
            "Source: IERS Bulletin C, leap seconds announced 1972-2016 "
            "(the 1970s count starts in 1972)."
        ),
    },
    # Sunrise on the winter solstice, approximate, as hours after midnight local
    # time (8.5 is 08:30); permanent summer time is the same sunrise an hour later.
    "winter-sunrise": {
        "title": "Sunrise on 21 December, by clock",
        "kind": Chart.Kind.BAR,
        "x_label": "City",
        "y_label": "Sunrise, hours after midnight",
        "units": "h",
        "source_note": (
            "Source: published sunrise tables for 21 December, rounded to the "
            "minute; permanent summer time adds one hour."
        ),
    },
}


def demo_chart(name: str) -> Chart:
    meta = DEMO_CHARTS[name]
    chart = Chart.objects.filter(title=meta["title"]).first()
    if chart is None:
        data = (CHARTS_DIR / f"{name}.csv").read_text(encoding="utf-8")
        chart = Chart(data=data, **meta)
        chart.full_clean()
        chart.save()
    return chart


def with_demo_charts(text: str) -> str:
    """Demo Markdown with each `chart:demo/<name>` replaced by the chart's id."""

    def replace(match):
        return f"](chart:{demo_chart(match['name']).pk})"

    return DEMO_REFERENCE.sub(replace, text)
