"""Writes beyond 'save this form': status changes, checked for permission once, here."""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Article

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def check_status_change(*, user, old_status, new_status) -> None:
    """Refuse a status change the user may not make: only publishers publish or unpublish."""
    published = Article.Status.PUBLISHED
    if old_status == new_status:
        return
    if published in (old_status, new_status) and not can_publish(user):
        raise PermissionDenied("You do not have permission to publish or unpublish.")


@transaction.atomic
def article_set_status(
    *, article: Article, status: str, user, comment: str = ""
) -> Article:
    """Move an article to `status`, recording a revision; publishing needs permission."""
    check_status_change(user=user, old_status=article.status, new_status=status)
    article.status = status
    if status == Article.Status.PUBLISHED and article.publish_at is None:
        article.publish_at = timezone.now()
    article.full_clean()
    with reversion.create_revision():
        article.save()
        reversion.set_user(user)
        reversion.set_comment(
            comment or f"Status set to {article.get_status_display()}."
        )
    return article


def article_changed(article: Article) -> None:
    """Call after any write to an article or its annotations, inside the write's transaction.

    The one place that reacts to content changes: it stamps `updated_at` (so pages,
    feeds and the API report the change) and is where the search document and cache
    version are refreshed.
    """
    now = timezone.now()
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    article.updated_at = now
