"""An explainer's public change history: every version readers saw, and what
changed between them (the page at /explainers/<slug>/changes/, the API's
/versions/).

Every publish is one django-reversion revision of the whole explainer, and so is
every draft save; a live explainer's working copy is a `WorkingCopy` row and makes
no revision until it is published. A revision is a public version when the
explainer it saved was published, and it stayed in force until the publish time
it carried (scheduled explainers appear later than their revision): a revision
replaced, or unpublished, before that time was never seen. Everything comes from
two queries: the explainer's versions with their revisions, and every row those
revisions saved.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.views.generic import TemplateView
from reversion.models import Version

from figures.charts import charts_text

from .cache import cache_anonymous
from .citations import revision_sources, sources_text
from .diffs import word_diff
from .fragments import published_explainer
from .models import ANNOTATION_KINDS, Article, Correction, source_model
from .versions import depend_on_article
from .views import ConditionalPageMixin, old_slug_redirect

# Story fields readers see, with the labels the page gives them.
STORY_FIELDS = (
    ("title", "Title"),
    ("dek", "Summary"),
    ("body", "Story"),
    ("background", "Background"),
    ("source", "Source"),
    # The numbers of each chart the story showed (figures/charts.py).
    ("charts", "Charts"),
)
LIST_LABELS = {
    "key_facts": "Key facts",
    "quick_answers": "Quick answers",
    "faqs": "FAQ",
}


@dataclass
class PublicVersion:
    """One version of an explainer as readers saw it."""

    number: int
    time: datetime
    kind: str  # "published" (first, or again after a withdrawal) or "updated"
    fields: dict
    authors: list
    topics: list
    lists: dict
    corrections: list
    notes: list = field(default_factory=list)  # corrections this version added
    revision_id: int = 0

    @property
    def note(self):
        return self.notes[-1]["note"] if self.notes else ""


def _fk(row):
    return row.get("article_id", row.get("article"))


def _source(fields):
    parts = [fields.get("source_title"), fields.get("source_publisher")]
    text = ", ".join(p for p in parts if p)
    url = fields.get("source_url") or ""
    return f"{text} <{url}>" if text and url else text or url


def public_versions(article) -> list[PublicVersion]:
    """Every version of `article` readers saw, oldest first (two queries)."""
    article_versions = list(
        Version.objects.get_for_object(article)
        .select_related("revision")
        .order_by("revision__date_created", "revision_id")
    )
    revision_ids = [v.revision_id for v in article_versions]
    saved = {}
    models = {kind: kind.list_name for kind in ANNOTATION_KINDS}
    models[Correction] = "corrections"
    source_models = {source_model(kind) for kind in ANNOTATION_KINDS}
    rows = Version.objects.filter(revision_id__in=revision_ids).exclude(
        pk__in=[v.pk for v in article_versions]
    )
    for version in rows.select_related("content_type"):
        model = version.content_type.model_class()
        if model in source_models:
            # Claims' sources: kept by model, matched to their claims below.
            by_model = saved.setdefault(version.revision_id, {})
            by_model.setdefault(model, []).append(version.field_dict)
            continue
        name = models.get(model)
        if name is None:
            continue
        fields = version.field_dict
        if _fk(fields) == article.pk:
            saved.setdefault(version.revision_id, {}).setdefault(name, []).append(
                fields
            )
    result = []
    for index, version in enumerate(article_versions):
        fields = version.field_dict
        if fields.get("status") != Article.Status.PUBLISHED:
            continue
        since = version.revision.date_created
        shown = max(since, fields.get("publish_at") or since)
        later = article_versions[index + 1 :]
        if later and later[0].revision.date_created <= shown:
            continue  # replaced or withdrawn before its publish time
        lists = saved.get(version.revision_id, {})
        sources = revision_sources(lists)
        corrections = sorted(
            lists.get("corrections", []),
            key=lambda row: (_when(row["created_at"]), row["id"]),
        )
        previous = result[-1] if result else None
        contiguous = previous is not None and previous.revision_id == _previous_public(
            article_versions, index
        )
        story = {name: fields.get(name) or "" for name, _label in STORY_FIELDS}
        story["source"] = _source(fields)
        story["charts"] = charts_text(
            fields.get("body_html"), fields.get("background_html")
        )
        result.append(
            PublicVersion(
                number=len(result) + 1,
                time=shown,
                kind="updated" if contiguous else "published",
                fields={**fields, **story},
                authors=sorted(fields.get("authors") or []),
                topics=sorted(fields.get("topics") or []),
                lists={
                    kind.list_name: sorted(
                        (
                            {**row, "sources": sources.get((kind, row["id"]), [])}
                            for row in lists.get(kind.list_name, [])
                        ),
                        key=lambda row: row["position"],
                    )
                    for kind in ANNOTATION_KINDS
                },
                corrections=corrections,
                revision_id=version.revision_id,
            )
        )
    for before, after in zip([None, *result], result, strict=False):
        known = {row["id"] for row in before.corrections} if before else set()
        after.notes = [row for row in after.corrections if row["id"] not in known]
    return result


def _when(value):
    return parse_datetime(value) if isinstance(value, str) else value


def _previous_public(article_versions, index):
    """The revision id before `index` if that revision left the explainer public."""
    if index == 0:
        return None
    before = article_versions[index - 1]
    if before.field_dict.get("status") != Article.Status.PUBLISHED:
        return None
    return before.revision_id


TEXT_FIELDS = {kind.list_name: kind.text_fields for kind in ANNOTATION_KINDS}


def _item_text(kind_name, row):
    """The item's parts as (label, text): its two texts, then its sources."""
    parts = [
        (name.capitalize(), row.get(name) or "") for name in TEXT_FIELDS[kind_name]
    ]
    return [*parts, ("Sources", sources_text(row.get("sources")))]


def version_changes(before, after):
    """What changed from `before` (None for the first version) to `after`.

    [{label, before, after}] for the story fields, then
    [{label, items: [{state, parts: [{label, before, after}]}]}] for the lists.
    """
    old_fields = before.fields if before else {}
    story = []
    for name, label in STORY_FIELDS:
        old, new = old_fields.get(name, ""), after.fields[name]
        if old != new:
            old_html, new_html = word_diff(old, new)
            story.append({"label": label, "before": old_html, "after": new_html})
    lists = []
    for name, label in LIST_LABELS.items():
        old_rows = {row["id"]: row for row in (before.lists[name] if before else [])}
        new_rows = {row["id"]: row for row in after.lists[name]}
        items = []
        for pk, row in new_rows.items():
            if pk not in old_rows:
                parts = [
                    {"label": part, "before": "", "after": _whole("ins", text)}
                    for part, text in _item_text(name, row)
                    if text
                ]
                items.append({"state": "Added", "parts": parts})
                continue
            parts = []
            for (part, old), (_part, new) in zip(
                _item_text(name, old_rows[pk]), _item_text(name, row), strict=True
            ):
                if old != new:
                    old_html, new_html = word_diff(old, new)
                    parts.append({"label": part, "before": old_html, "after": new_html})
            if parts:
                items.append({"state": "Edited", "parts": parts})
        for pk, row in old_rows.items():
            if pk not in new_rows:
                parts = [
                    {"label": part, "before": _whole("del", text), "after": ""}
                    for part, text in _item_text(name, row)
                    if text
                ]
                items.append({"state": "Removed", "parts": parts})
        if items:
            lists.append({"label": label, "items": items})
    return story, lists


def _whole(mark, text):
    return format_html("<{}>{}</{}>", mark, text, mark)


def history_entries(article):
    """The page's versions, newest first, each with its changes (two queries)."""
    versions = public_versions(article)
    entries = []
    for before, after in zip([None, *versions], versions, strict=False):
        # The first version is the explainer as it first appeared: nothing changed.
        story, lists = version_changes(before, after) if before else ([], [])
        entries.append({"version": after, "story": story, "lists": lists})
    return entries[::-1]


class ChangesView(ConditionalPageMixin, TemplateView):
    """A published explainer's versions, newest first, with what each changed."""

    template_name = "articles/changes.html"

    def get(self, request, *args, **kwargs):
        try:
            self.article = published_explainer(request, kwargs["slug"])
        except Http404:
            return old_slug_redirect(request, kwargs["slug"], "articles:changes")
        return super().get(request, *args, **kwargs)

    def validators(self):
        # Every publish stamps updated_at and moves the article's cache version.
        article = self.article
        depend_on_article(self.request, article.pk)
        return [article.pk, article.updated_at.isoformat()], article.updated_at

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            article=self.article, entries=history_entries(self.article), **kwargs
        )


changes = cache_anonymous(ChangesView.as_view())
