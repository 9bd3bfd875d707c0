"""Reads for the API at a fixed query cost, whatever the number of rows."""

from django.db.models import F, IntegerField, TextField, Value
from django.db.models.functions import Cast

from articles.models import FAQ, KeyFact, QuickAnswer
from comments.services import visible_count_subquery

# (model, related name, column read as "first", as "second", column or None for "html")
ANNOTATION_KINDS = (
    (KeyFact, "key_facts", "label", "text", None),
    (QuickAnswer, "quick_answers", "question", "answer", None),
    (FAQ, "faqs", "question", "answer", "answer_html"),
)
FIELD_NAMES = {
    KeyFact: ("label", "text"),
    QuickAnswer: ("question", "answer"),
    FAQ: ("question", "answer"),
}


def _comment_counts(queryset):
    """Annotate `comment_count`: visible comments only, counted in the same query."""

    return queryset.annotate(comment_count=visible_count_subquery("pk"))


def articles_for_api(queryset):
    """Articles with authors, topics, corrections and comment counts, ready to list."""
    return _comment_counts(queryset).prefetch_related(
        "authors", "topics", "corrections"
    )


def attach_annotations(articles):
    """Load key facts, quick answers and FAQ entries of `articles` in one query.

    The rows land in each article's prefetch cache, so `article.key_facts.all()`
    and friends need no further queries.
    """
    articles = list(articles)
    if not articles:
        return articles
    ids = [article.pk for article in articles]
    parts = []
    for index, (model, _name, first, second, html) in enumerate(ANNOTATION_KINDS):
        parts.append(
            model.objects.filter(article_id__in=ids)
            .order_by()
            .values_list(
                "pk",
                "article_id",
                "position",
                "anchor",
                Value(index, output_field=IntegerField()),
                Cast(first, TextField()),
                Cast(second, TextField()),
                Cast(F(html), TextField()) if html else Value("", TextField()),
            )
        )
    rows = parts[0].union(*parts[1:], all=True)
    found = {
        (article.pk, name): []
        for article in articles
        for _m, name, *_ in ANNOTATION_KINDS
    }
    for pk, article_id, position, anchor, kind, first, second, html in rows:
        model, name, *_ = ANNOTATION_KINDS[kind]
        a, b = FIELD_NAMES[model]
        obj = model(pk=pk, article_id=article_id, position=position, anchor=anchor)
        setattr(obj, a, first)
        setattr(obj, b, second)
        if model is FAQ:
            obj.answer_html = html
        found[(article_id, name)].append(obj)
    for article in articles:
        cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
        for _model, name, *_ in ANNOTATION_KINDS:
            items = sorted(found[(article.pk, name)], key=lambda o: (o.position, o.pk))
            for item in items:
                item.article = article
            queryset = getattr(article, name).all()
            queryset._result_cache = items
            queryset._prefetch_done = True
            cache[name] = queryset
    return articles
