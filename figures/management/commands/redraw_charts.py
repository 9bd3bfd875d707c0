"""Draw every chart again, and every explainer showing one, after a code change.

Stored SVG and rendered HTML are made on save; a new pygal, a change to
figures/charts.py or to the figure markup reaches readers only once they are drawn
again. Only what comes out different is saved, so a second run changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from figures.chart_services import (
    REVISION_PREFETCH,
    charts_in,
    explainers_redraw,
    explainers_redrawn,
    explainers_with_charts,
    markdown_of,
)
from figures.models import Chart

COMMENT = "Charts redrawn."


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Draw every chart's SVG and data table again, then every explainer whose "
        "body, background or FAQ answers show a chart (one revision each). Only what "
        "changed is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "charts",
            nargs="*",
            metavar="CHART_ID",
            help="Only these charts and the explainers showing them (default: all).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would change and save nothing.",
        )

    def handle(self, *args, charts, dry_run, **options):
        wanted = self._chart_ids(charts)
        rows = Chart.objects.order_by("pk")
        if wanted:
            rows = rows.filter(pk__in=wanted)
        all_charts = list(rows)
        missing = sorted(wanted - {chart.pk for chart in all_charts})
        if missing:
            raise CommandError(f"No chart with id {', '.join(map(str, missing))}.")

        redrawn, failed = [], []
        for chart in all_charts:
            before = (chart.svg, chart.table_html)
            try:
                chart.render()
            except ValidationError as error:  # data a newer parser refuses
                failed.append(f"chart {chart.pk}: {' '.join(error.messages)}")
                continue
            if (chart.svg, chart.table_html) != before:
                redrawn.append(chart)
                self._say(dry_run, f"chart {chart.pk} “{chart.title}”")
        if not dry_run:
            for chart in redrawn:
                # Drawn from the chart's own fields: no edit, so no revision of it.
                Chart.objects.filter(pk=chart.pk).update(
                    svg=chart.svg, table_html=chart.table_html
                )

        explainers = [
            article
            for article in explainers_with_charts(prefetch=REVISION_PREFETCH)
            if not wanted or charts_in(*markdown_of(article)) & wanted
        ]
        changed = 0
        for article in explainers:
            if dry_run:
                moved, _answers = explainers_redrawn([article], charts=redrawn)
            else:
                with transaction.atomic():
                    moved = explainers_redraw(
                        [article], comment=COMMENT, charts=redrawn
                    )
            if moved:
                changed += 1
                state = article.get_status_display().lower()
                self._say(dry_run, f"explainer “{article.title}” ({state})")

        self.stdout.write(
            self._summary(dry_run, len(redrawn), len(all_charts), changed, explainers)
        )
        if failed:
            raise CommandError(f"Not drawn: {'; '.join(failed)}")

    def _chart_ids(self, values) -> set[int]:
        bad = [value for value in values if not value.isdigit()]
        if bad:
            raise CommandError(f"Chart ids are whole numbers, not: {' '.join(bad)}")
        return {int(value) for value in values}

    def _say(self, dry_run, what):
        if dry_run:
            self.stdout.write(f"Would redraw {what}.")

    def _summary(self, dry_run, charts, all_charts, changed, explainers):
        if not charts and not changed:
            return (
                f"Nothing to redraw: {_plural(all_charts, 'chart')} and "
                f"{_plural(len(explainers), 'explainer')} showing them are up to date."
            )
        done = (
            f"{charts} of {_plural(all_charts, 'chart')} and {changed} of "
            f"{_plural(len(explainers), 'explainer')} showing them"
        )
        if dry_run:
            return f"Would redraw {done} (dry run: nothing saved)."
        return f"Redrew {done}."
