from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login account: editors, writers and readers alike."""

    display_name = models.CharField(
        _("display name"),
        max_length=50,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The public name shown beside comments. Email is never shown."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.username

    @property
    def public_name(self):
        return self.display_name or self.username
