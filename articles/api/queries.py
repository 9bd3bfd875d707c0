"""Reads for the API at a fixed query cost, whatever the number of rows."""

from articles.queries import attach_annotations
from comments.selectors import visible_count


def _comment_counts(queryset):
    """Annotate `comment_count`: visible comments only, counted in the same query."""

    return queryset.annotate(comment_count=visible_count("pk"))


def articles_for_api(queryset):
    """Articles with authors, topics and comment counts; annotations via attach_annotations."""
    return _comment_counts(queryset).prefetch_related("authors", "topics")


__all__ = ["articles_for_api", "attach_annotations"]
