"""The editor's desk and what public changes leave behind: working copies,
autosaves, former addresses and change events."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .article import Article


class WorkingCopy(models.Model):
    """The next version of a published explainer, edited beside the live one.

    `state` holds the whole explainer as `publishing.explainer_state` writes it;
    readers keep seeing the article's own rows until it is published.
    """

    class Status(models.TextChoices):
        EDITING = "editing", _("Unpublished changes")
        REVIEW = "review", _("In review")

    article = models.OneToOneField(
        Article,
        verbose_name=_("explainer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="working_copy",
    )
    state = models.JSONField(_("content"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.EDITING
    )
    publish_at = models.DateTimeField(
        _("publish changes at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When set, the changes go live at this time."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("working copy")
        verbose_name_plural = _("working copies")

    def __str__(self):
        return f"{self.article} ({self.get_status_display()})"


class ArticleSlug(models.Model):
    """An address an explainer has had; a former one redirects while it is public."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("explainer"),
        on_delete=models.CASCADE,
        related_name="slugs",
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_(
            "An address the explainer has had. If another explainer takes it later, "
            "it belongs to that one."
        ),
    )
    recorded_at = models.DateTimeField(
        _("last recorded"),
        default=timezone.now,
        help_text=_("When the explainer was last saved with this address."),
    )

    class Meta:
        ordering = ["article", "-recorded_at", "-pk"]
        verbose_name = _("explainer address")
        verbose_name_plural = _("explainer addresses")

    def __str__(self):
        return self.slug


class Autosave(models.Model):
    """An editor's unsaved explainer form, kept while they type (articles/admin/).

    One per editor and explainer (and one per editor for a new explainer): it
    survives a closed tab or a crashed browser, and is offered back on reopening.
    Holds the form exactly as posted, so restoring it loses nothing typed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("explainer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for an explainer not saved yet."),
    )
    data = models.JSONField(_("form"), default=dict)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        ordering = ["-saved_at"]
        verbose_name = _("autosaved form")
        verbose_name_plural = _("autosaved forms")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                name="autosave_one_per_editor_and_explainer",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.article or _('new explainer')}"


class ChangeEvent(models.Model):
    """One change readers could see: an explainer published, updated, unpublished or
    deleted. Recorded in the transaction that made it (articles/changes.py), in
    commit order, so the change feed and its followers never miss one.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UPDATED = "updated", _("Updated")
        UNPUBLISHED = "unpublished", _("Unpublished")
        DELETED = "deleted", _("Deleted")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    # Not a foreign key: the event outlives a deleted explainer.
    article_id = models.PositiveBigIntegerField(_("explainer id"), db_index=True)
    slug = models.SlugField(_("slug"), max_length=200)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        indexes = [models.Index(fields=["slug", "-id"], name="changeevent_slug_idx")]

    def __str__(self):
        return (
            f"{self.get_kind_display()} {self.slug} ({self.created_at:%Y-%m-%d %H:%M})"
        )

    @property
    def public_after(self) -> bool:
        return self.kind in {self.Kind.PUBLISHED, self.Kind.UPDATED}
