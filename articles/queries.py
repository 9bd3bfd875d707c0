"""Load an explainer's annotations at a fixed query cost, whatever their number."""

from datetime import UTC

from django.db.models import F, IntegerField, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import ANNOTATION_KINDS, Correction

# (model, related name, field read as "first", as "second", as "extra" or None)
LOADED = (
    *(
        (kind, kind.list_name, *kind.text_fields, kind.html_field)
        for kind in ANNOTATION_KINDS
    ),
    (Correction, "corrections", "kind", "note", "created_at"),
)


def _created_at(text):
    # SQLite hands back naive UTC text; PostgreSQL text carries its zone.
    value = parse_datetime(text)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


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
        )
    )


def attach_annotations(articles):
    """Load key facts, quick answers, FAQ entries and corrections in one query.

    The rows land in each article's prefetch cache, so `article.key_facts.all()`
    and friends need no further queries. Returns the articles as a list.
    """
    articles = list(articles)
    if not articles:
        return articles
    ids = [article.pk for article in articles]
    db = articles[0]._state.db
    parts = [
        _rows(model, ids, index, first, second, extra)
        for index, (model, _name, first, second, extra) in enumerate(LOADED)
    ]
    found = {(a.pk, kind[1]): [] for a in articles for kind in LOADED}
    for pk, article_id, position, anchor, index, first, second, extra in parts[0].union(
        *parts[1:], all=True
    ):
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
            if extra_field:
                setattr(item, extra_field, extra)
        found[(article_id, name)].append(item)
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
