"""Examples of the chart API for the OpenAPI document (articles/api/examples.py
attaches examples by component name; these are registered there on import)."""

from articles.api import examples

CHART_CSV = "Hour,Demand\n06:00,31.2\n09:00,38.9\n12:00,36.4\n18:00,41.7\n21:00,35.0"
CHART = {
    "id": 42,
    "url": f"{examples.API}/charts/42/",
    "title": "Demand through a winter weekday",
    "kind": "line",
    "x_label": "Hour",
    "y_label": "Demand",
    "units": "GW",
    "source_note": "Source: Example Grid Operator, hourly demand, 14 January 2026",
    "description": (
        "Line chart of Demand by Hour, 06:00 to 21:00. Demand: lowest 31.2 GW "
        "(06:00), highest 41.7 GW (18:00)."
    ),
    "data": {
        "columns": ["Hour", "Demand"],
        "rows": [
            ["06:00", 31.2],
            ["09:00", 38.9],
            ["12:00", 36.4],
            ["18:00", 41.7],
            ["21:00", 35.0],
        ],
    },
    "reference": "![Demand through a winter weekday](chart:42)",
    "svg": '<svg viewBox="0 0 640 360" class="chart__svg" role="img" …>…</svg>',
    "updated_at": "2026-11-30T16:05:12Z",
}
CHART_INPUT = {
    "title": CHART["title"],
    "kind": "line",
    "csv": CHART_CSV,
    "x_label": "Hour",
    "y_label": "Demand",
    "units": "GW",
    "source_note": CHART["source_note"],
}
PATCHED_CHART_INPUT = {
    "columns": ["Hour", "Demand"],
    "rows": [["06:00", 31.2], ["09:00", 38.9], ["12:00", 36.4], ["18:00", 42.3]],
}


def register():
    examples.RESPONSES["Chart"] = ("A chart: its numbers, labels and SVG", CHART)
    examples.RESPONSES_BY_STATUS[("Chart", "201")] = ("Created", CHART)
    examples.REQUESTS["ChartInput"] = ("A line chart from pasted CSV", CHART_INPUT)
    examples.REQUESTS["PatchedChartInput"] = (
        "New numbers, sent as columns and rows",
        PATCHED_CHART_INPUT,
    )
