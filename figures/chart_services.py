"""Writing charts: who may, and the explainers that show the chart move with it."""

import re

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from articles.models import Article
from articles.services import article_changed, can_publish

from .markup import references_in
from .models import Chart

REFERENCE_HINT = "](chart:{pk}"


def _shows(article: Article, pk: int) -> bool:
    return any(
        ref.scheme == "chart" and ref.pk == pk
        for text in (article.body, article.background)
        for ref in references_in(text)
    )


def articles_showing(pk: int):
    """The explainers whose body or background refer to chart `pk` (one query)."""
    hint = REFERENCE_HINT.format(pk=pk)
    candidates = Article.objects.filter(
        Q(body__contains=hint) | Q(background__contains=hint)
    )
    return [article for article in candidates if _shows(article, pk)]


CHART_REFERENCE = re.compile(r"\]\(\s*chart:(\d{1,12})")


def public_chart_ids() -> set[int]:
    """Ids of the charts some published explainer shows (one query).

    A chart only a draft uses is not public: the API lists it for staff and write
    keys only.
    """
    ids = set()
    rows = Article.objects.published().values_list("body", "background")
    for row in rows.filter(
        Q(body__contains="](chart:") | Q(background__contains="](chart:")
    ):
        for text in row:
            ids.update(int(pk) for pk in CHART_REFERENCE.findall(text or ""))
    return ids


def chart_is_public(pk: int) -> bool:
    return pk in public_chart_ids()


def check_chart_change(*, user, chart: Chart) -> None:
    """A chart a published explainer shows changes what readers see: publishers only."""
    if chart.pk is None or can_publish(user):
        return
    if any(article.is_published() for article in articles_showing(chart.pk)):
        raise PermissionDenied(
            "This chart is shown in a published explainer: only editors who may "
            "publish can change it."
        )


@transaction.atomic
def chart_save(*, user, chart: Chart, comment: str = "") -> Chart:
    """Validate and save `chart`, then redraw every explainer showing it.

    Each of those explainers gets a new revision holding the redrawn body, so its
    change history records the chart data readers saw from then on.
    """
    check_chart_change(user=user, chart=chart)
    chart.full_clean()
    with reversion.create_revision():
        chart.save()
        for article in articles_showing(chart.pk):
            # Article.save draws the body again, with this chart's new figure.
            article.save()
            article_changed(article)
            reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(comment or f"Chart “{chart.title}” saved.")
    return chart


@transaction.atomic
def chart_delete(*, user, chart: Chart) -> None:
    """Delete a chart no explainer shows any more."""
    users = articles_showing(chart.pk)
    if users:
        names = ", ".join(f"“{article.title}”" for article in users[:3])
        raise ValidationError(
            f"This chart is still shown in {names}; take it out of the text first.",
            code="in_use",
        )
    chart.delete()
