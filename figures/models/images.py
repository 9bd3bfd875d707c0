"""The image library: originals editors upload once, and the renditions made from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _focal_validators():
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


class ImageQuerySet(models.QuerySet):
    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(alt_text__icontains=text)
            | Q(caption__icontains=text)
            | Q(credit__icontains=text)
            | Q(tags__icontains=text)
        )

    def tagged(self, tag: str):
        """Images carrying `tag` (tags are stored as ",a,b," so a match is exact)."""
        tag = tag.strip().lower()
        return self.filter(tags__contains=f",{tag},") if tag else self


class Image(models.Model):
    title = models.CharField(
        _("title"), max_length=200, help_text=_("For finding it in the library.")
    )
    file = models.ImageField(
        _("file"),
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text=_("JPEG, PNG, WebP or GIF. Location data is removed on upload."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    file_size = models.PositiveIntegerField(
        _("size in bytes"), editable=False, default=0
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the image shows, for readers who cannot see it. "
            "Required before an explainer using it is published."
        ),
    )
    caption = models.CharField(
        _("caption"),
        max_length=500,
        blank=True,
        help_text=_("Shown under the image unless a figure gives its own."),
    )
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Photographer, agency.")
    )
    focal_x = models.FloatField(
        _("focal point x"),
        default=0.5,
        validators=_focal_validators(),
        help_text=_("0 is the left edge, 1 the right; crops keep this point."),
    )
    focal_y = models.FloatField(
        _("focal point y"),
        default=0.5,
        validators=_focal_validators(),
        help_text=_("0 is the top edge, 1 the bottom."),
    )
    tags = models.CharField(
        _("tags"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. flood, map, Berlin."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1
                ),
                name="image_focal_point_inside",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.tags = tags_normalise(self.tags)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:figures_image_change", args=[self.pk])

    def clean(self):
        if not (0 <= self.focal_x <= 1 and 0 <= self.focal_y <= 1):
            raise ValidationError(
                _("The focal point must lie on the image (0 to 1)."), code="focal"
            )

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    @property
    def reference(self) -> str:
        """The Markdown an editor pastes into a body to show this image."""
        alt = self.alt_text.replace("]", "").replace("\n", " ")
        caption = self.caption.replace('"', "\u201d").replace("\n", " ")
        title = f' "{caption}"' if caption else ""
        return f"![{alt}](image:{self.pk}{title})"


def tags_normalise(tags: str) -> str:
    """Store tags lower-case, unique, as ",a,b," so one tag matches exactly."""
    seen = []
    for tag in (tags or "").split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return f",{','.join(seen)}," if seen else ""


class Rendition(models.Model):
    """One resized, re-encoded copy of an image, made once and then reused.

    Keyed by the original's storage name, so the legacy article hero (a plain file
    field) has renditions too; `image` is set for library images.
    """

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"
        AVIF = "avif", "AVIF"

    image = models.ForeignKey(
        Image,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="renditions",
    )
    source = models.CharField(_("original"), max_length=300, db_index=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    format = models.CharField(_("format"), max_length=8, choices=Format)
    ratio = models.CharField(
        _("ratio"),
        max_length=12,
        blank=True,
        help_text=_("e.g. 16:9; empty = uncropped"),
    )
    focal = models.CharField(_("focal point"), max_length=16, blank=True)
    file = models.CharField(_("stored file"), max_length=300)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["source", "ratio", "format", "width"]
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "width", "format", "ratio", "focal"],
                name="rendition_unique_spec",
            )
        ]

    def __str__(self):
        ratio = f" {self.ratio}" if self.ratio else ""
        return f"{self.source} {self.width}w {self.format}{ratio}"

    @property
    def url(self) -> str:
        from django.core.files.storage import default_storage

        return default_storage.url(self.file)
