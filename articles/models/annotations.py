"""What annotates an explainer: Key Facts, Quick Answers, FAQ and corrections."""

import uuid

import reversion
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import markup
from .article import Article
from .text import first_free, slug_words, strip_control_characters


class Annotation(models.Model):
    """An ordered, linkable item belonging to one article.

    Each kind says, once, what the rest of the code needs to know of it: the name
    of the explainer's list of them (`list_name`, also the related name, the API's
    and the explainer format's name), its two text fields as editors fill them in
    (`text_fields`), and the field holding its rendered Markdown, if any.
    """

    anchor_prefix = "item"
    list_name = ""
    section_label = ""  # the list's heading for editors
    text_fields = ("", "")
    html_field = None
    shared_field = None  # the field naming one item across explainers, if any

    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order on the page, smallest first.")
    )
    anchor = models.SlugField(
        _("anchor"),
        max_length=80,
        blank=True,
        help_text=_(
            "The stable id readers link to (#anchor). Made from the text when "
            "left empty; kept when the text changes."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    needs_source = models.BooleanField(
        _("needs source"),
        default=False,
        help_text=_("Flag for editors: this claim still needs a source. Not shown."),
    )

    class Meta:
        abstract = True
        ordering = ["article", "position", "pk"]

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        if not self.anchor:
            words = slug_words(self.anchor_source(), max_length=60)
            base = f"{self.anchor_prefix}-{words}" if words else self.anchor_prefix
            siblings = type(self)._default_manager.filter(article_id=self.article_id)
            taken = set(siblings.exclude(pk=self.pk).values_list("anchor", flat=True))
            max_length = self._meta.get_field("anchor").max_length
            self.anchor = first_free(base, taken, max_length=max_length)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def anchor_source(self):
        raise NotImplementedError

    def render_markdown(self):
        """Fill the `html_field` from the Markdown it shows (kinds that have one)."""


def _annotation_constraints(name):
    return [
        models.UniqueConstraint(
            fields=["article", "position"], name=f"{name}_unique_position"
        ),
        models.UniqueConstraint(
            fields=["article", "anchor"], name=f"{name}_unique_anchor"
        ),
    ]


@reversion.register(follow=["sources"])
class KeyFact(Annotation):
    anchor_prefix = "fact"
    list_name = "key_facts"
    shared_field = "uid"  # articles/shared_facts.py
    section_label = _("Key Facts")
    text_fields = ("label", "text")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name=list_name
    )
    label = models.CharField(
        _("label"), max_length=120, help_text=_("A short label, e.g. 'Budget'.")
    )
    text = models.CharField(
        _("text"), max_length=500, help_text=_("One sentence of plain text.")
    )
    # One fact may appear in several explainers: each keeps its own row (its place
    # and anchor there) and every row of the same fact shares this id and its
    # words and sources (articles/shared_facts.py keeps them equal).
    uid = models.UUIDField(
        _("fact id"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("The same for every explainer showing this fact."),
    )

    class Meta(Annotation.Meta):
        verbose_name = _("key fact")
        verbose_name_plural = _("key facts")
        constraints = _annotation_constraints("keyfact")

    def __str__(self):
        return self.label

    def anchor_source(self):
        return self.label


@reversion.register(follow=["sources"])
class QuickAnswer(Annotation):
    anchor_prefix = "answer"
    list_name = "quick_answers"
    section_label = _("Quick Answers")
    text_fields = ("question", "answer")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name=list_name
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.CharField(
        _("answer"), max_length=500, help_text=_("A one-line plain-text answer.")
    )

    class Meta(Annotation.Meta):
        verbose_name = _("quick answer")
        verbose_name_plural = _("quick answers")
        constraints = _annotation_constraints("quickanswer")

    def __str__(self):
        return self.question

    def anchor_source(self):
        return self.question


@reversion.register(follow=["sources"])
class FAQ(Annotation):
    anchor_prefix = "faq"
    list_name = "faqs"
    section_label = _("FAQ")
    text_fields = ("question", "answer")
    html_field = "answer_html"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name=list_name
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), help_text=_("The answer, in Markdown."))
    answer_html = models.TextField(editable=False, blank=True)

    class Meta(Annotation.Meta):
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = _annotation_constraints("faq")

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        self.render_markdown()
        super().save(*args, **kwargs)

    def render_markdown(self):
        self.answer_html = markup.render(self.answer)

    def anchor_source(self):
        return self.question


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers can see: those of published explainers."""
        return self.filter(article__in=Article.objects.published())


@reversion.register()
class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind, default=Kind.CORRECTION
    )
    note = models.TextField(
        _("note"),
        help_text=_("What changed and why, in plain text, as readers will see it."),
    )
    created_at = models.DateTimeField(
        _("date"), default=timezone.now, help_text=_("The date shown beside the note.")
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "created_at", "pk"]
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        """The correction's own place on the page: stable, as its id is."""
        return f"correction-{self.pk}"


# The annotation kinds, in the order the page shows them. Every list of kinds in
# the code (loading, saving, the desk, the admin, the API, the format) starts here.
ANNOTATION_KINDS = (KeyFact, QuickAnswer, FAQ)

# A revision of an explainer carries its lists. Derived search data is rebuilt by
# article_changed, and the review state belongs to the desk, not to a version of
# the story.
reversion.register(
    Article,
    follow=[*(kind.list_name for kind in ANNOTATION_KINDS), "corrections"],
    exclude=[
        "search_document",
        "search_vector",
        "submitted_by",
        "submitted_at",
        "review_note",
    ],
)
