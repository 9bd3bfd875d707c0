"""Cache invalidation, and allauth's email-confirmed signal (allauth cannot call us)."""

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_delete, post_save
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


@receiver(email_confirmed)
def release_held_comments(sender, request, email_address, **kwargs):
    comments_release_unverified(user=email_address.user)
