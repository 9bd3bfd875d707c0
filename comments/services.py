"""Every comment write: posting, editing, deleting, flagging and moderating.

Pages, the API and the admin all come through here, so the rules live in one place.
"""

import hashlib
import hmac
import re

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles import versions as article_versions
from articles.markup import clean_text
from articles.models import ANNOTATION_KINDS, Article
from integrations.webhooks import webhooks_record_comment

from .models import ANNOTATION_QUOTE_LENGTH, BannedWord, Comment, CommentBan, Flag

MODERATE_PERMISSION = "comments.moderate_comment"


class CommentRateLimited(ValidationError):
    """Too many comments in a minute; the API answers 429 for this one."""


def can_moderate(user) -> bool:
    return bool(user and user.is_active and user.has_perm(MODERATE_PERMISSION))


def is_banned(user) -> bool:
    return CommentBan.objects.filter(user=user).exists()


def has_verified_email(user) -> bool:
    """Staff accounts are made by an administrator and count as verified."""
    if user.is_staff:
        return True
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def contains_banned_words(text: str) -> bool:
    words = list(BannedWord.objects.values_list("word", flat=True))
    if not words:
        return False
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"
    return re.search(pattern, " ".join(text.lower().split())) is not None


def hash_ip(ip: str | None) -> str:
    if not ip:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def comments_changed(article_id) -> None:
    """Mark an article's thread as changed, now and once the write commits.

    Cached pages and parts compare this version (articles/versions.py) on every hit.
    """
    article_versions.comments_bump(article_id)


def comment_body_check(body: str) -> str:
    """The one length rule for comments (form and API alike): the body as stored.

    Stored as every text is (LF line endings), so an unchanged edit compares equal.
    """
    body = clean_text(body or "").strip()
    low, high = settings.COMMENTS_MIN_LENGTH, settings.COMMENTS_MAX_LENGTH
    if len(body) < low:
        raise ValidationError(
            {"body": _("Write at least %(n)s characters.") % {"n": low}},
            code="too_short",
        )
    if len(body) > high:
        raise ValidationError(
            {
                "body": _(
                    "Keep comments to %(n)s characters or fewer (this one has "
                    "%(length)s)."
                )
                % {"n": high, "length": len(body)}
            },
            code="too_long",
        )
    return body


def _check_commenter(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to comment.")
    if not user.is_active:
        raise PermissionDenied("This account is disabled.")
    if is_banned(user):
        raise PermissionDenied("This account may no longer post comments.")


def _consume_rate(user) -> None:
    """Count one post in the reader's current minute (which starts with their first
    post); refuse past the setting. The cache is shared by all processes (Redis)."""
    limit = settings.COMMENTS_RATE_PER_MINUTE
    key = f"comments:rate:{user.pk}"
    cache.add(key, 0, timeout=60)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        used = 1
    if used > limit:
        raise CommentRateLimited(
            f"You can post {limit} comments a minute. Please wait a moment and "
            "try again.",
            code="rate_limited",
        )


def _held_reason(*, article, author, body) -> str:
    if not has_verified_email(author):
        return Comment.HeldReason.UNVERIFIED
    if contains_banned_words(body):
        return Comment.HeldReason.BANNED_WORDS
    if article.comments_mode == Article.CommentsMode.PREMODERATED:
        return Comment.HeldReason.PREMODERATED
    return Comment.HeldReason.NONE


def annotation_quote(annotation) -> str:
    """The words a comment on `annotation` quotes: a fact's label and text, a quick
    answer's question and answer, an FAQ entry's question."""
    first, second = (getattr(annotation, name) for name in annotation.text_fields)
    if annotation.html_field is None:
        joiner = " " if first.rstrip()[-1:] in {"?", "!", "."} else ": "
        first = f"{first.rstrip()}{joiner}{second}"
    return Truncator(" ".join(first.split())).chars(ANNOTATION_QUOTE_LENGTH)


def annotation_find(*, article: Article, anchor: str):
    """The annotation of any kind at `anchor` of `article`, or a ValidationError.

    Rows are replaced when an explainer is saved; anchors stay, so this is what a
    comment records (with a quote of its words now).
    """
    for kind in ANNOTATION_KINDS:
        found = kind.objects.filter(article=article, anchor=anchor).first()
        if found is not None:
            return found
    raise ValidationError(
        {"annotation": "This explainer has no Key Fact, answer or FAQ entry there."},
        code="unknown_annotation",
    )


@transaction.atomic
def comment_post(
    *,
    article: Article,
    author,
    body: str,
    parent: Comment | None = None,
    annotation: str = "",
    ip=None,
) -> Comment:
    """Post a comment or reply; it is published at once or held as pending.

    `annotation`: the anchor of the Key Fact, Quick Answer or FAQ entry the comment
    is about. A reply is about what its comment is about. Posting the same text on
    the same explainer (and annotation) again within a minute returns the first
    comment instead of a copy (double submits).
    """
    _check_commenter(author)
    # One author's posts go one at a time, so a double submit finds its twin.
    get_user_model().objects.select_for_update().filter(pk=author.pk).first()
    if not Article.objects.published().filter(pk=article.pk).exists():
        raise ValidationError("This explainer is not open for comments.", code="closed")
    if article.comments_mode == Article.CommentsMode.CLOSED:
        raise ValidationError("Comments are closed on this explainer.", code="closed")
    body = comment_body_check(body)
    if parent is not None:
        if parent.article_id != article.pk:
            raise ValidationError(
                {"parent": "That comment belongs to another explainer."},
                code="wrong_article",
            )
        if parent.parent_id:
            parent = parent.parent
        if parent.status != Comment.Status.PUBLISHED or parent.is_deleted:
            raise ValidationError(
                {"parent": "That comment can no longer be replied to."},
                code="parent_gone",
            )
        if annotation and annotation != parent.annotation_anchor:
            raise ValidationError(
                {"annotation": "A reply is about what its comment is about."},
                code="reply_annotation",
            )
        about = (
            parent.annotation_kind,
            parent.annotation_anchor,
            parent.annotation_quote,
        )
    elif annotation:
        found = annotation_find(article=article, anchor=annotation)
        about = (found.list_name, found.anchor, annotation_quote(found))
    else:
        about = ("", "", "")

    since = timezone.now() - timezone.timedelta(
        seconds=settings.COMMENTS_DUPLICATE_SECONDS
    )
    duplicate = (
        Comment.objects.filter(
            article=article,
            author=author,
            parent=parent,
            annotation_anchor=about[1],
            body=body,
            created_at__gte=since,
            deleted_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if duplicate is not None:
        return duplicate

    _consume_rate(author)
    reason = _held_reason(article=article, author=author, body=body)
    comment = Comment(
        article=article,
        author=author,
        parent=parent,
        annotation_kind=about[0],
        annotation_anchor=about[1],
        annotation_quote=about[2],
        body=body,
        status=Comment.Status.PENDING if reason else Comment.Status.PUBLISHED,
        held_reason=reason,
        ip_hash=hash_ip(ip),
    )
    comment.full_clean()
    comment.save()
    if comment.status == Comment.Status.PUBLISHED:
        webhooks_record_comment(comment)
    return comment


@transaction.atomic
def comments_release_unverified(*, user) -> int:
    """Once the author's address is verified, re-check the comments held for it.

    Each is published unless another rule (banned words, pre-moderation) holds it.
    """
    if not has_verified_email(user):
        return 0
    released = 0
    held = Comment.objects.filter(
        author=user,
        status=Comment.Status.PENDING,
        held_reason=Comment.HeldReason.UNVERIFIED,
    ).select_related("article")
    for comment in held:
        reason = _held_reason(article=comment.article, author=user, body=comment.body)
        comment.held_reason = reason
        if not reason:
            comment.status = Comment.Status.PUBLISHED
            released += 1
        comment.save(update_fields=["status", "held_reason"])
        if not reason:
            webhooks_record_comment(comment)
    return released


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    """Let the author change the text within the edit window; banned words hold it."""
    if comment.author_id is None or comment.author_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the author can edit this comment.")
    _check_commenter(user)
    if not comment.can_edit(user):
        raise ValidationError(
            f"Comments can be edited for {settings.COMMENTS_EDIT_MINUTES} minutes "
            "after posting.",
            code="edit_window",
        )
    body = comment_body_check(body)
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited_at = timezone.now()
    if contains_banned_words(body):
        comment.status = Comment.Status.PENDING
        comment.held_reason = Comment.HeldReason.BANNED_WORDS
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment:
    """The author's delete: the text goes, a placeholder keeps any replies in place."""
    if comment.author_id is None or comment.author_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the author can delete this comment.")
    if comment.is_deleted:
        return comment
    comment.body = ""
    comment.body_html = ""
    comment.deleted_at = timezone.now()
    comment.is_featured = False
    comment.save(update_fields=["body", "body_html", "deleted_at", "is_featured"])
    return comment


@transaction.atomic
def comment_flag(*, comment: Comment, user, reason: str = Flag.Reason.OTHER) -> Flag:
    """Record one reader's flag; enough flags hide the comment until reviewed."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to flag a comment.")
    if comment.author_id == user.pk:
        raise ValidationError("You cannot flag your own comment.", code="own_comment")
    if comment.status != Comment.Status.PUBLISHED or comment.is_deleted:
        raise ValidationError("This comment is not shown any more.", code="not_shown")
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": "Choose a reason from the list."})
    # Lock the comment so concurrent flags count correctly against the threshold.
    Comment.objects.select_for_update().filter(pk=comment.pk).first()
    flag = Flag.objects.filter(comment=comment, user=user).first()
    if flag is not None:
        return flag
    flag = Flag(comment=comment, user=user, reason=reason)
    flag.full_clean()
    flag.save()
    if comment.flags.count() >= settings.COMMENTS_FLAG_THRESHOLD:
        comment.status = Comment.Status.HIDDEN
        comment.held_reason = Comment.HeldReason.FLAGGED
        comment.save(update_fields=["status", "held_reason"])
    return flag


MODERATION_ACTIONS = ("approve", "hide", "remove", "feature", "unfeature")


@transaction.atomic
def comment_moderate(*, comment: Comment, moderator, action: str) -> Comment:
    """Approve, hide, remove, feature or unfeature one comment."""
    if not can_moderate(moderator):
        raise PermissionDenied("You do not have permission to moderate comments.")
    was_shown = comment.status == Comment.Status.PUBLISHED
    if action == "approve":
        comment.status = Comment.Status.PUBLISHED
        comment.held_reason = Comment.HeldReason.NONE
    elif action == "hide":
        comment.status = Comment.Status.HIDDEN
    elif action == "remove":
        comment.status = Comment.Status.REMOVED
        comment.is_featured = False
    elif action == "feature":
        if comment.is_deleted:
            raise ValidationError("A deleted comment cannot be featured.")
        comment.is_featured = True
        comment.status = Comment.Status.PUBLISHED
        comment.held_reason = Comment.HeldReason.NONE
    elif action == "unfeature":
        comment.is_featured = False
    else:
        raise ValidationError(f"Unknown moderation action {action!r}.")
    comment.save(update_fields=["status", "held_reason", "is_featured"])
    if not was_shown and comment.status == Comment.Status.PUBLISHED:
        webhooks_record_comment(comment)
    return comment


@transaction.atomic
def commenter_ban(*, user, moderator, reason: str = "") -> CommentBan:
    if not can_moderate(moderator):
        raise PermissionDenied("You do not have permission to moderate comments.")
    if user.is_staff:
        raise ValidationError("Staff accounts cannot be banned from commenting.")
    ban, _ = CommentBan.objects.get_or_create(
        user=user, defaults={"reason": reason, "banned_by": moderator}
    )
    return ban
