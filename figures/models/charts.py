"""Charts made from pasted data; drawn once on save (figures/charts.py)."""

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.markup import clean_text

from .. import charts


class ChartQuerySet(models.QuerySet):
    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(source_note__icontains=text)
            | Q(data__icontains=text)
        )


@reversion.register()
class Chart(models.Model):
    class Kind(models.TextChoices):
        COLUMN = "column", _("Column (vertical bars)")
        BAR = "bar", _("Bar (horizontal bars)")
        LINE = "line", _("Line")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("Shown under the chart and read out.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.COLUMN)
    data = models.TextField(
        _("data"),
        help_text=_(
            "Paste CSV or cells from a spreadsheet: a header row, then one row per "
            "label; the first column holds the labels, each other column a series of "
            "numbers (at most %(series)s series and %(rows)s rows). Leave a cell "
            "empty for a missing value."
        )
        % {"series": charts.MAX_SERIES, "rows": charts.MAX_ROWS},
    )
    x_label = models.CharField(
        _("label axis title"),
        max_length=100,
        blank=True,
        help_text=_("What the labels are, e.g. “Year”."),
    )
    y_label = models.CharField(
        _("value axis title"),
        max_length=100,
        blank=True,
        help_text=_("What the numbers measure, e.g. “Exports”."),
    )
    units = models.CharField(
        _("units"),
        max_length=40,
        blank=True,
        help_text=_("e.g. “million tonnes”, “%”."),
    )
    source_note = models.CharField(
        _("source note"),
        max_length=300,
        blank=True,
        help_text=_("Where the numbers come from, e.g. “Source: Eurostat, 2024”."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=1000,
        help_text=_(
            "What the chart shows, for readers who cannot see it. Left empty, a "
            "summary of the series and their ranges is written for you."
        ),
    )
    # Drawn from the fields above on every save, so a page prints it without a query.
    svg = models.TextField(_("SVG"), editable=False, blank=True)
    table_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChartQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("chart")
        verbose_name_plural = _("charts")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        for name in ("title", "x_label", "y_label", "units", "source_note"):
            setattr(self, name, " ".join(clean_text(getattr(self, name)).split()))
        self.data = clean_text(self.data).strip("\n")
        self.description = clean_text(self.description).strip()
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:figures_chart_change", args=[self.pk])

    def clean(self):
        try:
            charts.parse_data(self.data)
        except ValidationError as error:
            raise ValidationError({"data": error.error_list}) from None

    @property
    def parsed(self) -> charts.ChartData:
        return charts.parse_data(self.data)

    @property
    def summary(self) -> str:
        """The description for screen readers: the editor's, else a generated one."""
        if self.description:
            return self.description
        return charts.describe(
            kind_label=f"{self.Kind(self.kind).label.split(' (')[0]} chart",
            data=self.parsed,
            units=self.units,
        )

    @property
    def reference(self) -> str:
        """What an editor pastes into a body to show this chart."""
        title = self.title.replace("[", "(").replace("]", ")")
        return f"![{title}](chart:{self.pk})"

    def render(self):
        """Draw the SVG and the data table from the fields (no query)."""
        data = self.parsed
        self.svg = charts.render_svg(
            kind=self.kind,
            data=data,
            title=self.title,
            description=self.summary,
            x_label=self.x_label,
            y_label=self.y_label,
            units=self.units,
        )
        self.table_html = charts.data_table(
            data=data, title=self.title, units=self.units
        )

    def figure_html(self, occurrence: int = 1) -> str:
        return charts.figure_html(
            svg=self.svg,
            table=self.table_html,
            title=self.title,
            source_note=self.source_note,
            occurrence=occurrence,
        )
