"""What other apps read from comments: an explainer's region and its count.

`articles` imports from this module only; the rules themselves are the comment
queryset's (`visible`, `in_thread` in comments/models.py).
"""

from urllib.parse import quote

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext

from articles.models import Article
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


def comments_region(request, article, *, preview=False) -> dict:
    """Context for templates/comments/region.html: one query, two when signed in.

    On the staff `preview` there is no form to post: comments go to the public page.
    """
    user = request.user
    order = thread_order(request)
    rows = list(
        Comment.objects.for_article(article)
        .in_thread(user)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    # A thread is a top-level comment, then its replies, oldest first.
    cards_prepare(rows, user)
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
    article_url = quote(article.get_absolute_url())
    return {
        "article": article,
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
