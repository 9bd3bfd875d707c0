"""Cache invalidation, and allauth's email-confirmed signal (allauth cannot call us)."""

from allauth.account.signals import email_confirmed
from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Comment, Flag
from .services import comments_changed, comments_release_unverified


@receiver([post_save, post_delete], sender=Comment)
def comment_written(sender, instance, **kwargs):
    comments_changed(instance.article_id)


@receiver([post_save, post_delete], sender=Flag)
def flag_written(sender, instance, **kwargs):
    article_id = (
        Comment.objects.filter(pk=instance.comment_id)
        .values_list("article_id", flat=True)
        .first()
    )
    if article_id is not None:
        comments_changed(article_id)


# What a comment card shows of its author: the public name and the staff badge.
AUTHOR_FIELDS_SHOWN = {"display_name", "username", "is_staff"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="comments-author")
@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="comments-gone")
def comment_author_written(sender, instance, update_fields=None, **kwargs):
    """A renamed, promoted or deleted author changes every thread they wrote in.

    Deleting sets the comments' author to null without saving them, so the threads
    are found before the rows go. A sign-in only saves last_login: nothing to do.
    """
    if update_fields is not None and not AUTHOR_FIELDS_SHOWN & set(update_fields):
        return
    threads = (
        Comment.objects.filter(author=instance.pk)
        .values_list("article_id", flat=True)
        .distinct()
    )
    for article_id in threads:
        comments_changed(article_id)


@receiver(email_confirmed)
def release_held_comments(sender, request, email_address, **kwargs):
    comments_release_unverified(user=email_address.user)
