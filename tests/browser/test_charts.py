"""A chart in an explainer, in headless Chromium: axe, dark mode, no script, CSP."""

import pytest

from figures.models import Chart
from tests.browser.test_reading import (
    DESKTOP,
    assert_no_serious_violations,
    screenshot,
)
from tests.factories import make_article

pytestmark = pytest.mark.browser


@pytest.fixture
def charted(db):
    charts = []
    for kind in ("column", "bar", "line"):
        chart = Chart(
            title=f"Rents by district ({kind})",
            kind=kind,
            data="District,2024,2025\nNorth,980,1040\nHarbour,1210,1275\nOld Town,1105,\n",
            x_label="District",
            y_label="Average rent",
            units="€ a month",
            source_note="Source: City housing office",
        )
        chart.full_clean()
        chart.save()
        charts.append(chart)
    body = "\n\n".join(
        f"Paragraph about rents {n}.\n\n{chart.reference}"
        for n, chart in enumerate(charts)
    )
    return make_article(title="Rents across the city", body=body, facts=2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_with_charts_passes_axe_and_needs_no_script(
    live_server, charted, browser, scheme
):
    page = browser.new_page(viewport=DESKTOP, color_scheme=scheme)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(f"{live_server.url}{charted.get_absolute_url()}")

    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 3
    name = charts.first.evaluate(
        "svg => svg.getAttribute('aria-labelledby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' | ')"
    )
    assert name.startswith("Rents by district (column) | Column chart of 2024 and 2025")
    # Coloured by the stylesheet, which dark mode changes.
    fill = page.locator("figure.chart .color-0 rect").first.evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert fill == ("rgb(31, 95, 168)" if scheme == "light" else "rgb(140, 188, 255)")
    page.locator("figure.chart summary").first.click()
    assert page.locator("figure.chart table").first.is_visible()
    assert violations == []
    assert_no_serious_violations(page, f"charts ({scheme})")
    screenshot(page, f"charts-{scheme}")
    page.close()
