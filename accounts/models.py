from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
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
        constraints = [
            models.UniqueConstraint(
                Lower("display_name"), name="user_display_name_unique_ci"
            )
        ]

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # Blank means "no display name": store NULL so blanks never collide.
        if self.display_name is not None and not self.display_name.strip():
            self.display_name = None
        super().save(*args, **kwargs)

    @property
    def public_name(self):
        return self.display_name or self.username
