"""Load an explainer's annotations at a fixed query cost, whatever their number."""

import datetime as dt
import uuid
from datetime import UTC

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, IntegerField, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .citations import keep_sources
from .models import ANNOTATION_KINDS, Correction, source_model

# (model, related name, field read as "first", as "second", as "extra" or None)
LOADED = (
    *(
        (kind, kind.list_name, *kind.text_fields, kind.html_field or kind.shared_field)
        for kind in ANNOTATION_KINDS
    ),
    (Correction, "corrections", "kind", "note", "created_at"),
)


def _created_at(text):
    # SQLite hands back naive UTC text; PostgreSQL text carries its zone.
    value = parse_datetime(text)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


# Claims' sources come in the same UNION, after the rows above, at index
# len(LOADED) + the index of their claims' kind; the rows above leave the last two
# columns empty.
SOURCE_MODELS = tuple(source_model(kind) for kind in ANNOTATION_KINDS)


def _rows(model, ids, index, first, second, extra):
    ordered = model not in (Correction,)
    return (
        model.objects.filter(article_id__in=ids)
        .order_by()
        .values_list(
            "pk",
            "article_id",
            F("position") if ordered else Value(0, output_field=IntegerField()),
            F("anchor") if ordered else Value("", output_field=TextField()),
            Value(index, output_field=IntegerField()),
            Cast(first, TextField()),
            Cast(second, TextField()),
            Cast(F(extra), TextField()) if extra else Value("", TextField()),
            Value("", output_field=TextField()),
            Value("", output_field=TextField()),
        )
    )


def _source_rows(model, ids, index):
    # The claim's id rides in the anchor column; url, title, publisher, accessed
    # and quote fill the text columns.
    return (
        model.objects.filter(annotation__article_id__in=ids)
        .order_by()
        .values_list(
            "pk",
            "annotation__article_id",
            "position",
            Cast("annotation_id", TextField()),
            Value(index, output_field=IntegerField()),
            Cast("url", TextField()),
            Cast("title", TextField()),
            Cast("publisher", TextField()),
            Cast("accessed", TextField()),
            Cast("quote", TextField()),
        )
    )


def _source(model, row, db):
    pk, _article, position, claim_id, _index, url, title, publisher, accessed, quote = (
        row
    )
    source = model(
        pk=pk,
        annotation_id=int(claim_id),
        position=position,
        url=url,
        title=title,
        publisher=publisher,
        accessed=dt.date.fromisoformat(accessed[:10]) if accessed else None,
        quote=quote,
    )
    source._state.adding, source._state.db = False, db
    return source


def _union(ids):
    parts = [
        _rows(model, ids, index, first, second, extra)
        for index, (model, _name, first, second, extra) in enumerate(LOADED)
    ]
    parts += [
        _source_rows(model, ids, len(LOADED) + index)
        for index, model in enumerate(SOURCE_MODELS)
    ]
    return parts[0].union(*parts[1:], all=True)


# An explainer page loads one article's rows: building that UNION of seven
# querysets costs far more than running it, so its SQL is compiled once per
# process and database, with a stand-in id swapped for the real one.
_STAND_IN_ID = -7_000_000_007
_compiled = {}


def _union_rows(ids, db):
    if len(ids) != 1:
        return list(_union(ids).using(db))
    compiled = _compiled.get(db)
    if compiled is None:
        query = _union([_STAND_IN_ID]).using(db).query
        sql, params = query.get_compiler(using=db).as_sql()
        slots = [i for i, value in enumerate(params) if value == _STAND_IN_ID]
        compiled = _compiled[db] = (sql, tuple(params), slots)
    sql, params, slots = compiled
    params = list(params)
    for slot in slots:
        params[slot] = ids[0]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def attach_annotations(articles):
    """Load key facts, quick answers, FAQ entries, their sources and corrections in
    one query.

    The rows land in each article's prefetch cache, so `article.key_facts.all()`
    and friends need no further queries. Returns the articles as a list.
    """
    articles = list(articles)
    if not articles:
        return articles
    ids = [article.pk for article in articles]
    db = articles[0]._state.db or DEFAULT_DB_ALIAS
    found = {(a.pk, kind[1]): [] for a in articles for kind in LOADED}
    claims, sources = {}, []
    for row in _union_rows(ids, db):
        pk, article_id, position, anchor, index, first, second, extra, *_ = row
        if index >= len(LOADED):
            kind_index = index - len(LOADED)
            sources.append((kind_index, _source(SOURCE_MODELS[kind_index], row, db)))
            continue
        model, name, first_field, second_field, extra_field = LOADED[index]
        item = model(pk=pk, article_id=article_id)
        # Rows read from the database: mark them so (setting `article` on an instance
        # with no database would ask the router for a write database).
        item._state.adding, item._state.db = False, db
        setattr(item, first_field, first)
        setattr(item, second_field, second)
        if model is Correction:
            item.created_at = _created_at(extra)
        else:
            item.position, item.anchor = position, anchor
            if extra_field and extra_field == model.shared_field:
                item.uid = uuid.UUID(extra)  # text on PostgreSQL, hex on SQLite
            elif extra_field:
                setattr(item, extra_field, extra)
            claims[(index, pk)] = (item, [])
        found[(article_id, name)].append(item)
    for kind_index, source in sources:
        claims[(kind_index, source.annotation_id)][1].append(source)
    for claim, rows in claims.values():
        rows.sort(key=lambda source: (source.position, source.pk))
        keep_sources(claim, rows)
    for article in articles:
        cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
        for model, name, *_ in LOADED:
            items = found[(article.pk, name)]
            if model is Correction:
                items.sort(key=lambda item: (item.created_at, item.pk))
            else:
                items.sort(key=lambda item: (item.position, item.pk))
            for item in items:
                item.article = article
            queryset = getattr(article, name).all()
            queryset._result_cache = items
            queryset._prefetch_done = True
            cache[name] = queryset
    return articles
