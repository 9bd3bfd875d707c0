"""Writing charts: who may, and the explainers that show the chart move with it.

An editor may put a chart reference in any Markdown field that
`articles.markup.render` draws: an explainer's body and background, and its FAQ
answers (`FAQ.render_markdown`). Every look-up of "who shows this chart" reads all
three, so a chart in an FAQ answer is redrawn, guarded and kept like any other.
"""

import re

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, TextField, Value

from articles import markup as article_markup
from articles.models import FAQ, Article
from articles.services import articles_changed, can_publish

from .markup import references_in, references_loaded
from .models import Chart

CHART_MARK = "chart:"
# What a revision of an explainer follows (articles/models/annotations.py), loaded
# for all the explainers at once so recording their revisions costs no query each.
REVISION_PREFETCH = (
    "authors",
    "topics",
    "key_facts__sources",
    "quick_answers__sources",
    "faqs__sources",
    "corrections",
)


def _mentioning(mark: str) -> Q:
    """Explainers whose Markdown (body, background, an FAQ answer) contains `mark`."""
    in_answers = FAQ.objects.filter(answer__contains=mark).values("article_id")
    return Q(body__contains=mark) | Q(background__contains=mark) | Q(pk__in=in_answers)


def markdown_of(article: Article) -> list[str]:
    """Every Markdown text of `article` that may hold a chart (its FAQs prefetched)."""
    return [article.body, article.background, *(f.answer for f in article.faqs.all())]


def charts_in(*texts: str) -> set[int]:
    return {
        ref.pk for text in texts for ref in references_in(text) if ref.scheme == "chart"
    }


def explainers_with_charts(pk: int | None = None, *, prefetch=("faqs",)):
    """The explainers showing chart `pk` (any chart when None), by title.

    Two queries, one more per lookup in `prefetch`, however many there are.
    """
    mark = CHART_MARK if pk is None else f"{CHART_MARK}{pk}"
    candidates = (
        Article.objects.filter(_mentioning(mark))
        .prefetch_related(*prefetch)
        .order_by("title", "pk")
    )
    return [
        article
        for article in candidates
        if (found := charts_in(*markdown_of(article))) and (pk is None or pk in found)
    ]


def articles_showing(pk: int):
    """The explainers whose body, background or FAQ answers show chart `pk`."""
    return explainers_with_charts(pk)


CHART_REFERENCE = re.compile(r"\]\(\s*chart:(\d{1,12})")


def public_chart_ids() -> set[int]:
    """Ids of the charts some published explainer shows (one query).

    A chart only a draft uses is not public: the API lists it for staff and write
    keys only.
    """
    published = Article.objects.published()
    texts = (
        published.filter(
            Q(body__contains=CHART_MARK) | Q(background__contains=CHART_MARK)
        )
        .order_by()
        .values_list("body", "background")
    )
    answers = (
        FAQ.objects.filter(article__in=published, answer__contains=CHART_MARK)
        .annotate(nothing=Value("", output_field=TextField()))
        .order_by()
        .values_list("answer", "nothing")
    )
    ids = set()
    for row in texts.union(answers, all=True):
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


def explainers_redrawn(articles, *, charts=()) -> tuple[list[Article], list[FAQ]]:
    """Draw every Markdown field of `articles` again, in memory; nothing is saved.

    Returns the explainers whose HTML came out different and the FAQ entries whose
    answer did. `charts`: charts in hand to draw with instead of their saved rows
    (`redraw_charts --dry-run` draws with charts it has not saved). Each article's
    FAQ entries must be prefetched, as `explainers_with_charts` does.
    """
    texts = [text for article in articles for text in markdown_of(article)]
    known = {"chart": {chart.pk: chart for chart in charts}}
    changed, answers = [], []
    with references_loaded(*texts, known=known):  # each chart loaded once for all
        for article in articles:
            moved = False
            for name in ("body", "background"):
                html = article_markup.render(getattr(article, name))
                if html != getattr(article, f"{name}_html"):
                    setattr(article, f"{name}_html", html)
                    moved = True
            for faq in article.faqs.all():
                before = faq.answer_html
                faq.render_markdown()
                if faq.answer_html != before:
                    answers.append(faq)
                    moved = True
            if moved:
                changed.append(article)
    return changed, answers


def explainers_redraw(articles, *, user=None, comment: str, charts=()) -> list:
    """Redraw `articles` (see `explainers_redrawn`) and save those that changed.

    The changed explainers go into one revision (inside an outer revision: into
    that one) and through `articles_changed`, which moves their caches. Drafts stay
    drafts; a live explainer's working copy keeps its Markdown and is drawn when
    previewed or published. Returns the changed explainers.
    """
    changed, answers = explainers_redrawn(articles, charts=charts)
    if not changed:
        return []
    Article.objects.bulk_update(changed, ["body_html", "background_html"])
    if answers:
        FAQ.objects.bulk_update(answers, ["answer_html"])
    with reversion.create_revision():
        articles_changed(changed)
        for article in changed:
            reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(comment)
    return changed


@transaction.atomic
def chart_save(*, user, chart: Chart, comment: str = "") -> Chart:
    """Validate and save `chart`, then redraw every explainer showing it.

    The chart and each explainer whose body, background or FAQ answers show it go
    into one revision holding the redrawn HTML, so an explainer's change history
    records the chart data readers saw from then on.
    """
    check_chart_change(user=user, chart=chart)
    chart.full_clean()
    comment = comment or f"Chart “{chart.title}” saved."
    with reversion.create_revision():
        chart.save()
        showing = explainers_with_charts(chart.pk, prefetch=REVISION_PREFETCH)
        explainers_redraw(showing, user=user, comment=comment, charts=[chart])
        reversion.set_user(user)
        reversion.set_comment(comment)
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
