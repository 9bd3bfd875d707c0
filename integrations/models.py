"""Webhook endpoints partners register, the outbox of deliveries to them, and the
partners' API keys."""

import base64
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .urls_guard import validate_public_url


def secret_generate() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class Event(models.TextChoices):
    EXPLAINER_PUBLISHED = "explainer.published", _("Explainer published")
    EXPLAINER_UPDATED = "explainer.updated", _("Explainer updated")
    EXPLAINER_UNPUBLISHED = "explainer.unpublished", _("Explainer unpublished")
    EXPLAINER_DELETED = "explainer.deleted", _("Explainer deleted")
    COMMENT_PUBLISHED = "comment.published", _("Comment published")


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class WebhookEndpoint(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who receives it, e.g. the partner.")
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_public_url],
        help_text=_(
            "Where events are POSTed. Must be http(s) on a public address; private, "
            "loopback and link-local addresses are refused."
        ),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_("The kinds of event sent to this endpoint."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=secret_generate,
        editable=False,
        help_text=_("The receiver verifies each delivery's signature with it."),
    )
    previous_secret = models.CharField(
        _("previous signing secret"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_(
            "The secret the last rotation replaced; deliveries are signed with it "
            "too until its grace period ends."
        ),
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret accepted until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When deliveries stop carrying a signature made with it."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Inactive endpoints get nothing. Set again after fixing a disabled one."
        ),
    )
    disabled_reason = models.CharField(
        _("disabled because"),
        max_length=300,
        blank=True,
        help_text=_("Filled in when deliveries kept failing and we switched it off."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.name} ({self.url})"

    def clean(self):
        unknown = sorted(set(self.events) - set(Event.values))
        if unknown:
            raise ValidationError(
                {"events": _("Unknown events: %s") % ", ".join(unknown)},
                code="unknown_event",
            )

    def previous_secret_accepted(self, *, at=None) -> bool:
        """Whether the replaced secret still signs deliveries (its grace period)."""
        at = at or timezone.now()
        return bool(
            self.previous_secret
            and self.previous_secret_until
            and self.previous_secret_until > at
        )

    def signing_secrets(self, *, at=None) -> list[str]:
        """The secrets a delivery is signed with: the current one first."""
        if self.previous_secret_accepted(at=at):
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.CharField(
        _("event id"),
        max_length=64,
        help_text=_("Sent as webhook-id; the same on every attempt and redelivery."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Event)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        default=timezone.now,
        help_text=_("When a pending delivery is (re)tried."),
    )
    last_status_code = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True
    )
    last_duration_ms = models.PositiveIntegerField(
        _("time taken (ms)"), null=True, blank=True
    )
    last_response_excerpt = models.TextField(
        _("response excerpt"),
        blank=True,
        help_text=_("The first 500 characters of the last answer, or the error."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="webhookdelivery_due_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhookdelivery_once"
            )
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint.name} ({self.get_status_display()})"


KEY_PREFIX_LENGTH = 8


class IntegrationKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class IntegrationKey(models.Model):
    """A partner's API key: `nrk_<prefix>_<secret>`, of which only a hash is kept."""

    class Scope(models.TextChoices):
        READ = "read", _("Read published content")
        READ_DRAFTS = "read_drafts", _("Read published and unpublished content")
        WRITE = "write", _("Write, with the rights of the acting user")

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses it, e.g. the partner.")
    )
    scope = models.CharField(
        _("scope"),
        max_length=11,
        choices=Scope,
        default=Scope.READ,
        help_text=_(
            "Read: published explainers, at a higher rate limit than anonymous "
            "callers. Read drafts: unpublished explainers too, for previews; never "
            "writes. Write: does what the acting user may do."
        ),
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Write keys only: the writer or editor whose rights the key has. "
            "Deleting that user deletes the key."
        ),
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=KEY_PREFIX_LENGTH,
        unique=True,
        editable=False,
        help_text=_("The start of the key, shown to tell keys apart."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(
        _("last used"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Precise to about a minute."),
    )
    revoked_at = models.DateTimeField(
        _("revoked"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A revoked key is refused from then on; it cannot be restored."),
    )

    objects = IntegrationKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("integration key")
        verbose_name_plural = _("integration keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="write", acting_user__isnull=False)
                | (~models.Q(scope="write") & models.Q(acting_user__isnull=True)),
                name="integrationkey_acting_user_iff_write",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.get_scope_display()})"

    def clean(self):
        if self.scope != self.Scope.WRITE:
            if self.acting_user_id is not None:
                raise ValidationError(
                    {"acting_user": _("Only write keys act as a user.")},
                    code="acting_user_not_allowed",
                )
            return
        user = self.acting_user if self.acting_user_id else None
        if user is None:
            raise ValidationError(
                {"acting_user": _("A write key needs an acting user.")},
                code="acting_user_required",
            )
        if not (
            user.is_active
            and user.is_staff
            and user.has_perms(["articles.add_article", "articles.change_article"])
        ):
            raise ValidationError(
                {
                    "acting_user": _(
                        "The acting user must be active staff who may add and "
                        "change explainers (a writer or an editor)."
                    )
                },
                code="acting_user_not_staff",
            )

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def reads_drafts(self):
        return self.scope == self.Scope.READ_DRAFTS
