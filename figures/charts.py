"""Charts from data: pasted CSV in, an accessible static SVG and a data table out.

`parse_data` reads what an editor pastes (comma, semicolon or tab separated, a
header row, then a label column and up to MAX_SERIES numeric columns) and names the
row and column of anything it refuses. `render_svg` draws the chart with pygal and
then trims pygal's output to what a static page needs: no script, no embedded
stylesheet (the site's CSP allows neither; static/css/site.css styles charts, with
presentation attributes as the fallback where no stylesheet applies), no tooltip
text, a <title> and <desc> the <svg> is labelled by. `figure_html` wraps it in the
<figure> a body reference renders, with the data in a <details> table beside it.
"""

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pygal
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

MAX_ROWS = 200
MAX_SERIES = 8
MAX_DATA_LENGTH = 20_000
MAX_CELL_LENGTH = 80
WIDTH, HEIGHT = 640, 360

SVG_NS = "http://www.w3.org/2000/svg"

# Light-mode fallbacks printed as presentation attributes; site.css maps the same
# classes to custom properties that dark mode and print redefine. Each keeps a 3:1
# contrast against the page background (WCAG 1.4.11, graphics).
PALETTE = (
    "#1f5fa8",
    "#c2410c",
    "#0f7b5f",
    "#7c3aed",
    "#a16207",
    "#be185d",
    "#0e7490",
    "#4d5562",
)
MUTED = "#6b6b73"
GUIDE = "#d9d5cb"


@dataclass(frozen=True)
class ChartData:
    """A table of numbers: `labels` down the first column, one list per series."""

    label_header: str
    series: tuple[str, ...]
    labels: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # one tuple per series

    def rows(self):
        """Each label with its values across the series."""
        for index, label in enumerate(self.labels):
            yield label, [column[index] for column in self.values]

    def as_api(self):
        return {
            "columns": [self.label_header, *self.series],
            "rows": [[label, *values] for label, values in self.rows()],
        }


def _dialect(text: str):
    first = text.split("\n", 1)[0]
    # A spreadsheet paste is tab separated; otherwise the commonest separator wins.
    counts = {sep: first.count(sep) for sep in ("\t", ";", ",")}
    separator = max(counts, key=lambda sep: counts[sep])
    return separator if counts[separator] else ","


NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(cell: str) -> float | None:
    """A number from a cell ("1,234.5", "12 %", a minus sign); None when the cell is empty."""
    text = cell.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    text = text.replace(",", "").replace("_", "").removesuffix("%")
    if text in ("", "-", "\u2014", "n/a", "NA"):
        return None
    if not NUMBER.match(text):
        raise ValueError(cell)
    value = float(text)
    if not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError(cell)
    return value


def parse_data(text: str) -> ChartData:
    """Read pasted CSV into ChartData, or raise ValidationError naming row and column."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        raise ValidationError("Paste the data: a header row, then one row per label.")
    if len(text) > MAX_DATA_LENGTH:
        raise ValidationError(
            f"The data is too long: at most {MAX_DATA_LENGTH:,} characters.",
            code="too_long",
        )
    try:
        table = [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=_dialect(text))
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise ValidationError(f"The data is not valid CSV: {error}.") from None
    header, body = table[0], table[1:]
    if len(header) < 2:
        raise ValidationError(
            "The header row needs a label column and at least one data column, "
            "separated by commas, semicolons or tabs.",
            code="no_series",
        )
    if len(header) - 1 > MAX_SERIES:
        raise ValidationError(
            f"Too many data columns ({len(header) - 1}): at most {MAX_SERIES}.",
            code="too_many_series",
        )
    if not body:
        raise ValidationError("Add at least one row of data under the header.")
    if len(body) > MAX_ROWS:
        raise ValidationError(
            f"Too many rows ({len(body)}): at most {MAX_ROWS}.", code="too_many_rows"
        )
    errors = []
    for position, name in enumerate(header[1:], start=2):
        if not name:
            errors.append(f"Column {position} of the header row has no name.")
    for cell in header:
        if len(cell) > MAX_CELL_LENGTH:
            errors.append(f"Header “{cell[:20]}…” is longer than {MAX_CELL_LENGTH}.")
    columns = [[] for _ in header[1:]]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            errors.append(
                f"Row {number} has {len(row)} cells; the header has {len(header)}."
            )
            continue
        if len(row[0]) > MAX_CELL_LENGTH:
            errors.append(f"Row {number}: the label is longer than {MAX_CELL_LENGTH}.")
        for index, cell in enumerate(row[1:]):
            try:
                columns[index].append(parse_number(cell))
            except ValueError:
                errors.append(
                    f"Row {number}, column “{header[index + 1]}”: "
                    f"“{cell[:20]}” is not a number."
                )
    if errors:
        raise ValidationError(errors[:10], code="invalid_data")
    for name, column in zip(header[1:], columns, strict=True):
        if all(value is None for value in column):
            raise ValidationError(f"Column “{name}” has no numbers.", code="empty")
    return ChartData(
        label_header=header[0],
        series=tuple(header[1:]),
        labels=tuple(row[0] for row in body),
        values=tuple(tuple(column) for column in columns),
    )


def format_number(value: float | None) -> str:
    if value is None:
        return "\u2013"  # an en dash
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:,.2f}".rstrip("0")


def _with_units(value, units):
    text = format_number(value)
    return f"{text} {units}".strip() if value is not None else text


def describe(*, kind_label: str, data: ChartData, units: str = "") -> str:
    """A sentence or two for screen readers: what is plotted and its range."""
    series = " and ".join(
        [", ".join(data.series[:-1]), data.series[-1]]
        if len(data.series) > 1
        else data.series
    )
    span = (
        f"{data.labels[0]} to {data.labels[-1]}"
        if len(data.labels) > 1
        else data.labels[0]
    )
    parts = [f"{kind_label} of {series} by {data.label_header or 'label'}, {span}."]
    for name, column in zip(data.series, data.values, strict=True):
        known = [(v, data.labels[i]) for i, v in enumerate(column) if v is not None]
        low, high = min(known), max(known)
        parts.append(
            f"{name}: lowest {_with_units(low[0], units)} ({low[1]}), "
            f"highest {_with_units(high[0], units)} ({high[1]})."
        )
    return " ".join(parts)


CHART_CLASSES = {"bar": pygal.HorizontalBar, "column": pygal.Bar, "line": pygal.Line}


def dom_id(*parts) -> str:
    """A stable id for one chart's SVG, from what it shows (same input, same id)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=5)
    return f"chart-{digest.hexdigest()}"


def render_svg(
    *,
    kind: str,
    data: ChartData,
    title: str,
    description: str,
    x_label: str = "",
    y_label: str = "",
    units: str = "",
) -> str:
    """The chart as a standalone, script-free SVG document fragment."""
    ident = dom_id(kind, title, description, x_label, y_label, units, data)
    value_title = f"{y_label} ({units})" if units and y_label else y_label or units
    # Horizontal bars put the labels on the vertical axis; titles follow the axes.
    horizontal = kind == "bar"
    chart = CHART_CLASSES[kind](
        width=WIDTH,
        height=HEIGHT,
        explicit_size=False,
        disable_xml_declaration=True,
        js=[],
        css=[],
        show_legend=len(data.series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(data.series), 4),
        x_title=(value_title if horizontal else x_label) or None,
        y_title=(x_label if horizontal else value_title) or None,
        x_label_rotation=0 if len(data.labels) <= 12 else 45,
        show_minor_x_labels=len(data.labels) <= 24,
        value_formatter=format_number,
        margin=8,
        margin_right=28,
        margin_bottom=14,
        dots_size=3,
        allow_interruptions=True,
    )
    chart.x_labels = list(data.labels)
    if len(data.labels) > 24:
        chart.x_labels_major_every = math.ceil(len(data.labels) / 12)
    for name, column in zip(data.series, data.values, strict=True):
        chart.add(name, list(column))
    root = chart.render_tree()
    _make_static(root, ident, title, description)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _classes(element):
    return set((element.get("class") or "").split())


DROP_TAGS = {"script", "style", "desc", "title", "defs"}
DROP_CLASSES = {"tooltip", "tooltip-overlay", "tooltip-box"}
JS_CLASSES = {"reactive", "tooltip-trigger", "activate-serie"}


def _tag(element):
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _make_static(root, ident, title, description):
    """Strip pygal's scripting and styles; label the SVG; set fallback colours."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = _tag(child)
            if not tag or tag in DROP_TAGS or _classes(child) & DROP_CLASSES:
                parent.remove(child)
    for element in root.iter():
        classes = _classes(element)
        kept = classes - JS_CLASSES
        if not kept:
            element.attrib.pop("class", None)
        elif kept != classes:
            element.set("class", " ".join(sorted(kept)))
        element.attrib.pop("style", None)
        element.attrib.pop("id", None)  # pygal's legend ids repeat across charts
        _fallback_paint(element, _tag(element), kept)
    root.attrib.clear()
    root.set("viewBox", f"0 0 {WIDTH} {HEIGHT}")
    root.set("class", "chart__svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{ident}-title {ident}-desc")
    root.set("id", ident)
    root.set("fill", "currentColor")
    root.set("font-family", "system-ui, sans-serif")
    root.set("xmlns", SVG_NS)
    desc = ET.Element("desc", id=f"{ident}-desc")
    desc.text = description
    heading = ET.Element("title", id=f"{ident}-title")
    heading.text = title
    root.insert(0, desc)
    root.insert(0, heading)
    _anchor_axis_text(root)


def _fallback_paint(element, tag, classes):
    for name in classes:
        if name.startswith("color-") and name[6:].isdigit():
            colour = PALETTE[int(name[6:]) % len(PALETTE)]
            element.set("fill", colour)
            element.set("stroke", colour)
    if tag == "rect" and "background" in classes:
        element.set("fill", "none")
    elif tag == "path" and ("guide" in classes or "axis" in classes):
        element.set("fill", "none")
        element.set("stroke", MUTED if "major" in classes else GUIDE)
        element.set("stroke-width", "1")
    elif tag == "path" and "line" in classes:
        element.set("fill", "none")
        element.set("stroke-width", "2.5")
    elif tag == "text":
        element.set("font-size", "16" if "title" in classes else "13")
        if "title" in classes:
            element.set("text-anchor", "middle")


def _anchor_axis_text(root):
    """pygal's stylesheet centres x labels and right-aligns y labels; do it inline."""
    for axis in root.iter("g"):
        classes = _classes(axis)
        if "axis" not in classes:
            continue
        anchor = "middle" if "x" in classes else "end"
        for text in axis.iter("text"):
            if "transform" in text.attrib:
                text.set("text-anchor", "start")
            else:
                text.set("text-anchor", anchor)


def data_table(*, data: ChartData, title: str, units: str = "") -> str:
    """The numbers as an HTML table (the <details> beside the chart)."""
    caption = f"{title} ({units})" if units else title
    head = format_html_join(
        "", '<th scope="col">{}</th>', ((name,) for name in data.series)
    )
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                label,
                format_html_join(
                    "", "<td>{}</td>", ((format_number(v),) for v in values)
                ),
            )
            for label, values in data.rows()
        ),
    )
    return format_html(
        '<table class="chart__table"><caption>{}</caption><thead><tr>'
        '<th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>',
        caption,
        data.label_header,
        head,
        body,
    )


def figure_html(
    *, svg: str, table: str, title: str, source_note: str = "", occurrence: int = 1
) -> str:
    """The <figure> a `chart:<id>` reference renders: trusted, generated HTML."""
    if occurrence > 1:
        # The same chart twice on a page: its SVG ids must stay unique.
        ident = re.search(r'id="(chart-[0-9a-f]+)"', svg)
        if ident:
            svg = svg.replace(ident.group(1), f"{ident.group(1)}-{occurrence}")
    source = (
        format_html('<div class="chart__source">{}</div>', source_note)
        if source_note
        else ""
    )
    # The caption leads: a <figure> allows it only first or last, and the title
    # belongs above the chart; the source note and the data follow it.
    return format_html(
        '<figure class="chart"><figcaption class="chart__title">{}</figcaption>'
        '{}{}<details class="chart__data"><summary>Data</summary>{}</details>'
        "</figure>",
        title,
        mark_safe(svg),
        source,
        mark_safe(table),
    )


__all__ = [
    "MAX_ROWS",
    "MAX_SERIES",
    "ChartData",
    "data_table",
    "describe",
    "figure_html",
    "parse_data",
    "render_svg",
]


FIGURE = re.compile(r'<figure class="chart">(.*?)</figure>', re.DOTALL)
TITLE = re.compile(r'<figcaption class="chart__title">(.*?)</figcaption>', re.DOTALL)
ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
SOURCE = re.compile(r'<div class="chart__source">(.*?)</div>', re.DOTALL)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.DOTALL)


def charts_text(*html_parts: str) -> str:
    """The charts in rendered HTML as plain text: a title, then a line per row.

    What the change history compares, so a version that showed other numbers says so.
    """
    from html import unescape

    blocks = []
    for html in html_parts:
        for figure in FIGURE.finditer(html or ""):
            found = TITLE.search(figure.group(1))
            lines = [unescape(found.group(1)) if found else "Chart"]
            for row in ROW.finditer(figure.group(1)):
                cells = [unescape(cell) for cell in CELL.findall(row.group(1))]
                lines.append(", ".join(cells))
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def charts_as_words(html: str) -> str:
    """`html` with each chart figure cut down to its title and source note.

    What reader search indexes: the SVG's labels, its description and the table are
    numbers drawn from the data, not words anyone wrote for the page.
    """

    def words(figure):
        found = (pattern.search(figure.group(1)) for pattern in (TITLE, SOURCE))
        return "<p>" + " ".join(match.group(1) for match in found if match) + "</p>"

    return FIGURE.sub(words, html or "")
