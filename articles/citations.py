"""The sources a claim cites: how they travel, are saved, and are numbered on a page.

A claim (a Key Fact, Quick Answer or FAQ entry) keeps its sources in its kind's
source table (articles/models/sources.py). Everywhere else they travel as a list
of plain dicts with the keys of `SOURCE_FIELDS`, the date accessed as ISO text or
"": in a working copy's state, API input, the explainer format and revisions made
readable. The page numbers them in page order after the story's own source.
"""

import datetime as dt

from django.core.exceptions import ValidationError

from .models import ANNOTATION_KINDS, SOURCE_FIELDS, source_model


def _date_text(value) -> str:
    if not value:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value).strip()


def source_item(source) -> dict:
    """A source row (saved or not) as the dict every channel passes around."""
    item = {name: getattr(source, name) or "" for name in SOURCE_FIELDS}
    item["accessed"] = _date_text(source.accessed)
    return item


def normal_item(item: dict) -> dict:
    """Any given source dict (API data, a state, a document) in the one form."""
    normal = {name: item.get(name) or "" for name in SOURCE_FIELDS}
    for name in ("url", "title", "publisher", "quote"):
        normal[name] = str(normal[name]).strip()
    normal["accessed"] = _date_text(item.get("accessed"))
    return normal


def sources_of(annotation) -> list:
    """`annotation`'s sources in order: loaded with it, in memory, or queried."""
    loaded = annotation.__dict__.get("_claim_sources")
    if loaded is not None:
        return loaded
    if annotation.pk is None:
        return []
    return list(annotation.sources.all())


def sources_state(annotation) -> list[dict]:
    return [source_item(source) for source in sources_of(annotation)]


def keep_sources(annotation, sources) -> None:
    """Hand `annotation` its `sources` (rows), so reading them costs no query."""
    annotation._claim_sources = list(sources)
    if annotation.pk is not None:
        related = annotation.sources.all()
        related._result_cache, related._prefetch_done = annotation._claim_sources, True
        cache = annotation.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["sources"] = related


def sources_in_memory(annotation, items) -> None:
    """Give an unsaved `annotation` (a preview) unsaved source rows from `items`."""
    model = source_model(type(annotation))
    rows = []
    for position, item in enumerate(items or []):
        values = normal_item(item)
        accessed = values.pop("accessed")
        row = model(position=position, **values)
        try:
            row.accessed = dt.date.fromisoformat(accessed) if accessed else None
        except ValueError:
            row.accessed = None
        rows.append(row)
    annotation._claim_sources = rows


# Writes (through articles/services.py)
def state_item(item: dict, row: dict) -> dict:
    """An API item in a working copy's form. What it leaves out, `row` (its old
    state) keeps: the anchor, the "needs source" flag and the sources."""
    item = {**item, "id": item.get("id")}
    item["anchor"] = item.get("anchor") or row.get("anchor", "")
    if item.get("needs_source") is None:
        item["needs_source"] = row.get("needs_source", False)
    if item.get("sources") is None:
        item["sources"] = row.get("sources", [])
    item["sources"] = [normal_item(source) for source in item["sources"]]
    # A Key Fact's id across explainers (articles/shared_facts.py): a kept row
    # keeps its own; a new one may name a shared fact.
    uid = row.get("uid") if item.get("id") else item.get("uid")
    if uid:
        item["uid"] = str(uid)
    return item


def sources_prepare(kind, items, *, where: str) -> list:
    """Unsaved, checked source rows for a `kind` claim; errors keyed `where.N.field`."""
    model = source_model(kind)
    rows, errors = [], {}
    for position, item in enumerate(items):
        row = model(position=position, **normal_item(item))
        if not row.accessed:
            row.accessed = None
        try:
            row.full_clean(exclude=["annotation"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"{where}.{position}.{field}"] = messages
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def sources_differ(annotation, rows) -> bool:
    """Whether saving `rows` would change the sources `annotation` has now."""
    if annotation.pk is None:
        return bool(rows)
    model = source_model(type(annotation))
    now = [source_item(row) for row in model.objects.filter(annotation=annotation)]
    return now != [source_item(row) for row in rows]


def sources_write(annotation, rows) -> None:
    """Make `annotation`'s sources exactly `rows` (from `sources_prepare`)."""
    model = source_model(type(annotation))
    model.objects.filter(annotation=annotation).delete()
    for row in rows:
        row.annotation = annotation
        row.save()


# Reading revisions (articles/history.py, publishing.state_from_revision,
# the admin's compare page)


def revision_sources(saved: dict) -> dict:
    """{(kind, annotation id): [source dicts]} from a revision's rows by model."""
    found = {}
    for kind in ANNOTATION_KINDS:
        rows = sorted(
            saved.get(source_model(kind), []),
            key=lambda row: (row.get("position", 0), row.get("id", 0)),
        )
        for row in rows:
            owner = row.get("annotation_id", row.get("annotation"))
            found.setdefault((kind, owner), []).append(normal_item(row))
    return found


def source_line(item: dict) -> str:
    """One source as a line of plain text, for change history and diffs."""
    words = ", ".join(part for part in (item["title"], item["publisher"]) if part)
    line = f"{words} <{item['url']}>"
    if item.get("accessed"):
        line += f" (accessed {item['accessed']})"
    if item.get("quote"):
        line += f" “{item['quote']}”"
    return line


def sources_text(items) -> str:
    """A claim's sources as text, one a line, for history and compare diffs."""
    return "\n".join(source_line(item) for item in items or [])


# The page: one numbered list, the story's own source first


def page_sources(article) -> list[dict]:
    """The explainer's numbered "Sources": the story's own source, then every
    claim's sources in page order (one number for a source cited twice).

    Each claim gets `source_numbers`, the numbers its marks show.
    """
    entries, by_source = [], {}
    if article.source_url:
        entries.append(
            {
                "number": 1,
                "url": article.source_url,
                "title": article.source_title or article.source_url,
                "publisher": article.source_publisher,
                "accessed": None,
                "quote": "",
                "claims": [],
                "story": True,
            }
        )
    for kind in ANNOTATION_KINDS:
        label_field = kind.text_fields[0]
        for claim in getattr(article, kind.list_name).all():
            numbers = []
            for source in sources_of(claim):
                item = source_item(source)
                key = tuple(item.values())
                entry = by_source.get(key)
                if entry is None:
                    entry = {
                        **item,
                        "accessed": source.accessed,
                        "number": len(entries) + 1,
                        "claims": [],
                        "story": False,
                    }
                    by_source[key] = entry
                    entries.append(entry)
                entry["claims"].append(
                    {"anchor": claim.anchor, "label": getattr(claim, label_field)}
                )
                if entry["number"] not in numbers:
                    numbers.append(entry["number"])
            claim.source_numbers = numbers
    return entries


def citation_data(entries) -> list[dict]:
    """`page_sources` entries as schema.org CreativeWork items (JSON-LD `citation`)."""
    works = []
    for entry in entries:
        work = {"@type": "CreativeWork", "url": entry["url"], "name": entry["title"]}
        if entry["publisher"]:
            work["publisher"] = {"@type": "Organization", "name": entry["publisher"]}
        works.append(work)
    return works
