"""What other apps read from comments: an explainer's region and its count.

`articles` imports from this module only; the rules themselves are the comment
queryset's (`visible`, `in_thread` in comments/models.py).
"""

from urllib.parse import quote

from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext

from articles.models import ANNOTATION_KINDS, Article
from articles.templatetags.explainers import datetime_attribute

from .forms import CommentForm
from .models import Comment, Flag
from .templatetags.comment_thread import short_datetime

NEWEST = "newest"
OLDEST = "oldest"


def thread_order(request) -> str:
    """The order the reader asked for: `?comments=newest`, otherwise the oldest first."""
    return NEWEST if request.GET.get("comments") == NEWEST else OLDEST


def cards_prepare(comments, user) -> None:
    """Give each comment the words its card shows (templates/comments/thread.html):
    computed here once, as text the template escapes, because a cold page shows
    hundreds of cards and template filters cost several times more per call."""
    comment_by = gettext("Comment by %(name)s")
    for comment in comments:
        name = str(comment.author_name)
        posted = localtime(comment.created_at)
        comment.card_name = name
        comment.card_label = comment_by % {"name": name}
        comment.card_iso = datetime_attribute(posted)
        comment.card_time = short_datetime(posted)
        comment.editable = comment.can_edit(user)


def comments_region(request, article, *, preview=False, annotation=None) -> dict:
    """Context for templates/comments/region.html: one query, two when signed in.

    On the staff `preview` there is no form to post: comments go to the public page.
    With `annotation` (on its own page) the region holds the comments on it, and its
    form posts one; otherwise it holds the whole thread, quoting the annotation a
    comment is about (one query more, when the explainer's annotations were not
    loaded already), and `annotation_counts` says how many each annotation has.
    """
    user = request.user
    order = thread_order(request)
    rows = Comment.objects.for_article(article).in_thread(user)
    if annotation is not None:
        rows = rows.about(annotation.list_name, annotation.anchor)
    rows = list(rows.select_related("author").order_by("created_at", "pk"))
    # A thread is a top-level comment, then its replies, oldest first.
    cards_prepare(rows, user)
    counts = {}
    if annotation is None:
        quoting = [row for row in rows if row.annotation_anchor]
        if quoting:
            quotes_prepare(quoting, article, current=current_annotations(article))
        for row in quoting:
            if row.is_visible:
                key = counts_key(row.annotation_kind, row.annotation_anchor)
                counts[key] = counts.get(key, 0) + 1
    by_top = {comment.pk: [comment] for comment in rows if comment.parent_id is None}
    for comment in rows:
        if comment.parent_id in by_top:
            by_top[comment.parent_id].append(comment)
    threads = list(by_top.values())
    threads.sort(key=lambda thread: thread[0].created_at, reverse=order == NEWEST)
    threads.sort(key=lambda thread: not thread[0].is_featured)
    flagged = set()
    if user.is_authenticated:
        flagged = set(
            Flag.objects.filter(user=user, comment__article=article).values_list(
                "comment_id", flat=True
            )
        )
    page = article.get_absolute_url()
    if annotation is not None:
        page = annotation_page(article, annotation.list_name, annotation.anchor)
    article_url = quote(page)
    return {
        "article": article,
        "annotation": annotation,
        "kind_name": annotation._meta.verbose_name if annotation else "",
        "annotation_counts": counts,
        "threads": threads,
        "count": sum(comment.is_visible for comment in rows),
        "order": order,
        "open": article.comments_open,
        "premoderated": article.comments_mode == Article.CommentsMode.PREMODERATED,
        "preview": preview,
        # Only signed-in readers get a form (compose.html, actions.html).
        "form": CommentForm() if user.is_authenticated and not preview else None,
        "flagged": flagged,
        "login_url": f"{reverse('account_login')}?next={article_url}%23comments",
        "signup_url": f"{reverse('account_signup')}?next={article_url}%23comments",
        "post_url": reverse("comments:post", kwargs={"slug": article.slug}),
        "user": user,
    }


def visible_count(outer_ref: str = "pk"):
    """The explainer at `outer_ref`'s visible comment count, as a subquery, so that
    a list of explainers is annotated in the same query (the API's `comment_count`)."""
    rows = (
        Comment.objects.visible()
        .filter(article_id=OuterRef(outer_ref))
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows[:1]), 0, output_field=IntegerField())


def annotation_page(article, kind, anchor) -> str:
    """The address of the `kind` annotation's own page, which lists its comments."""
    # Imported here: the annotation pages import the explainer page, which imports
    # this module.
    from articles.annotation_views import KIND_WORDS

    word = next(w for model, w in KIND_WORDS.items() if model.list_name == kind)
    kwargs = {"slug": article.slug, "kind": word, "anchor": anchor}
    return reverse("articles:annotation", kwargs=kwargs)


def counts_key(kind, anchor) -> str:
    return f"{kind}:{anchor}"


def current_annotations(article) -> set:
    """(kind, anchor) of each annotation the explainer has now: from the rows the
    page loaded already (articles/queries.py), else in one query."""
    loaded = getattr(article, "_prefetched_objects_cache", {})
    if all(kind.list_name in loaded for kind in ANNOTATION_KINDS):
        return {
            (kind.list_name, item.anchor)
            for kind in ANNOTATION_KINDS
            for item in loaded[kind.list_name]
        }
    parts = [
        kind.objects.filter(article=article)
        .order_by()
        .values_list(Value(kind.list_name, output_field=CharField()), "anchor")
        for kind in ANNOTATION_KINDS
    ]
    return set(parts[0].union(*parts[1:], all=True))


def quotes_prepare(comments, article, *, current) -> None:
    """Give each comment on an annotation the address its quote links to, or none
    once the annotation is gone (`current`: what current_annotations returned, or
    None when every one is known to exist)."""
    for comment in comments:
        about = (comment.annotation_kind, comment.annotation_anchor)
        comment.quote_url = ""
        if comment.annotation_anchor and (current is None or about in current):
            comment.quote_url = annotation_page(article, *about)


def annotation_comment_counts(article) -> dict:
    """{counts_key(kind, anchor): visible comments on it} for the explainer: one
    query, for when the thread itself was not read (its part came from the cache)."""
    rows = (
        Comment.objects.visible()
        .for_article(article)
        .exclude(annotation_anchor="")
        .order_by()
        .values_list("annotation_kind", "annotation_anchor")
        .annotate(n=Count("pk"))
    )
    return {counts_key(kind, anchor): n for kind, anchor, n in rows}
