"""Where a claim comes from: the sources cited by Key Facts, Quick Answers and FAQ.

Each annotation kind has its own table of sources (`<kind>.sources`), all built
from one abstract `Source`; `source_model(kind)` finds a kind's table, so no list of
kinds is kept here.
"""

import reversion
from django.db import models
from django.utils.translation import gettext_lazy as _

from .annotations import FAQ, KeyFact, QuickAnswer
from .text import http_url, strip_control_characters

# Plain-text limits, also used by the forms and the API.
QUOTE_LENGTH = 300
SOURCE_FIELDS = ("url", "title", "publisher", "accessed", "quote")


class Source(models.Model):
    """One cited source of a claim, in the claim's order."""

    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order under the claim, smallest first.")
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[http_url],
        help_text=_("The address of the source (http or https)."),
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("The page or document's title.")
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Who published it, e.g. an agency or newspaper."),
    )
    accessed = models.DateField(
        _("date accessed"),
        null=True,
        blank=True,
        help_text=_("When the source was last checked."),
    )
    quote = models.CharField(
        _("quote"),
        max_length=QUOTE_LENGTH,
        blank=True,
        help_text=_("Optional: the passage that backs the claim, in plain text."),
    )

    class Meta:
        abstract = True
        ordering = ["annotation", "position", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        super().save(*args, **kwargs)


def _source_constraints(name):
    return [
        models.UniqueConstraint(
            fields=["annotation", "position"], name=f"{name}_unique_position"
        )
    ]


@reversion.register()
class KeyFactSource(Source):
    annotation = models.ForeignKey(
        KeyFact,
        on_delete=models.CASCADE,
        related_name="sources",
        verbose_name=_("key fact"),
    )

    class Meta(Source.Meta):
        verbose_name = _("key fact source")
        verbose_name_plural = _("key fact sources")
        constraints = _source_constraints("keyfactsource")


@reversion.register()
class QuickAnswerSource(Source):
    annotation = models.ForeignKey(
        QuickAnswer,
        on_delete=models.CASCADE,
        related_name="sources",
        verbose_name=_("quick answer"),
    )

    class Meta(Source.Meta):
        verbose_name = _("quick answer source")
        verbose_name_plural = _("quick answer sources")
        constraints = _source_constraints("quickanswersource")


@reversion.register()
class FAQSource(Source):
    annotation = models.ForeignKey(
        FAQ,
        on_delete=models.CASCADE,
        related_name="sources",
        verbose_name=_("FAQ entry"),
    )

    class Meta(Source.Meta):
        verbose_name = _("FAQ source")
        verbose_name_plural = _("FAQ sources")
        constraints = _source_constraints("faqsource")


def source_model(kind):
    """The model holding the sources of annotation `kind`."""
    return kind._meta.get_field("sources").related_model
