"""A comment card, built in Python: the explainer page's thread in one pass.

An explainer page can carry hundreds of comments, and an {% include %} per comment
costs tens of microseconds per template node (about half a millisecond a comment).
The markup every reader sees (the list item, the meta line, the body, the replies)
is put together here; only the per-reader part, the pending note and the actions
for a signed-in reader, stays a template (templates/comments/actions.html), rendered
in the page's own context. templates/comments/comment.html is this tag, for the
JSON answer to a posted comment.
"""

from django import template
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .explainers import datetime_attribute

register = template.Library()

ACTIONS_TEMPLATE = "comments/actions.html"
_month_names = {}


def _short_date(moment):
    """The same text as the date filter's "j M Y, H:i" in the current language."""
    key = (translation.get_language(), moment.month)
    month = _month_names.get(key)
    if month is None:
        month = _month_names[key] = str(MONTHS_3[moment.month]).title()
    return f"{moment.day} {month} {moment.year}, {moment:%H:%M}"


def _card(comment, context, actions, parts):
    pk = comment.pk
    name = escape(comment.author_name)
    classes = "comment"
    if comment.is_featured:
        classes += " comment--featured"
    if comment.status == "pending":
        classes += " comment--pending"
    moment = comment.created_at
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    deleted = comment.is_deleted
    parts.append(
        f'<li class="{classes}" id="comment-{pk}" data-comment="{pk}">\n'
        f'  <article class="comment-card" aria-label="Comment by {name}">\n'
        '    <header class="comment-meta">\n'
        f'      <span class="comment-author">{name}</span>\n      '
        + (
            '<span class="badge badge--staff">Staff</span>'
            if comment.is_staff_author
            else ""
        )
        + "\n      "
        + (
            '<span class="badge badge--featured">Featured</span>'
            if comment.is_featured
            else ""
        )
        + f'\n      <a class="comment-permalink" href="#comment-{pk}">'
        f'<time datetime="{datetime_attribute(moment)}">{_short_date(moment)}</time></a>\n      '
        + (
            '<span class="comment-edited">edited</span>'
            if comment.edited_at and not deleted
            else ""
        )
        + "\n    </header>\n    "
        + (
            '\n      <p class="comment-deleted">This comment was deleted.</p>\n    '
            if deleted
            # Sanitized once on save (articles/markup.py).
            else f'\n      <div class="comment-body">{comment.body_html}</div>\n    '
        )
        + "\n    \n    "
    )
    if actions is not None:
        with context.push(comment=comment):
            parts.append(actions.render(context))
    parts.append("\n  </article>\n  ")
    replies = getattr(comment, "shown_replies", None)
    if replies:
        parts.append('\n  <ol class="comment-replies" data-comment-replies>\n    ')
        for reply in replies:
            _card(reply, context, actions, parts)
        parts.append("\n  </ol>\n  ")
    parts.append("\n</li>\n")


@register.simple_tag(takes_context=True)
def comment_card(context, comment):
    """One comment and its shown replies, as `<li class="comment">`."""
    user = context.get("user")
    actions = None
    if user is not None and user.is_authenticated:
        actions = get_template(ACTIONS_TEMPLATE).template
    parts = []
    _card(comment, context, actions, parts)
    return mark_safe("".join(parts))
