import unicodedata

import reversion
from anyascii import anyascii
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import markup

http_url = URLValidator(
    schemes=["http", "https"], message=_("Enter an http:// or https:// address.")
)

# Longest summary made from the body (Article.summary), as long as an SEO description.
SUMMARY_LENGTH = 200


def _ascii_letter(char):
    if char.isascii() or not unicodedata.category(char).startswith("L"):
        return char
    spelled = anyascii(char)
    # anyascii capitalises each ideograph or Hangul syllable it spells ("DongJing"
    # for 東京): set each apart, so the slug has words ("dong-jing").
    if unicodedata.category(char) == "Lo" and spelled[:1].isupper():
        return f" {spelled} "
    return spelled


def slug_words(value, *, max_length):
    """`value` as a slug of at most `max_length` characters, cut between words.

    Letters of any script are transliterated to ASCII first, so a title in Chinese,
    Japanese or Cyrillic keeps its words. The one rule for slugs and anchors: the
    admin, the API and the importers all come here (through `unique_slug`).
    """
    slug = slugify("".join(_ascii_letter(char) for char in value))
    if len(slug) > max_length:
        head = slug[: max_length + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:max_length]
    return slug.strip("-")


def first_free(base, taken, *, max_length):
    """`base`, or `base-2`, `base-3`, ... (within `max_length`): the first not taken.

    The one rule for the numbered suffix of slugs and anchors.
    """
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return candidate


def unique_slug(model, value, *, max_length, fallback, exclude_pk=None):
    """Slugify `value`, adding -2, -3, ... until no other row of `model` has it."""
    base = slug_words(value, max_length=max_length) or fallback
    others = model._default_manager.exclude(pk=exclude_pk).filter(slug__startswith=base)
    taken = set(others.values_list("slug", flat=True))
    return first_free(base, taken, max_length=max_length)


def strip_control_characters(instance) -> None:
    """Clean every text field before saving: line endings to LF, no control characters.

    Every model's save() calls it, so text from a browser form (CRLF) and from the
    API (LF) is stored the same (see markup.clean_text).
    """
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if value:
                setattr(instance, field.attname, markup.clean_text(value))


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Used in the topic's address."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences shown on the topic page."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        if not self.slug:
            self.slug = unique_slug(
                Topic, self.name, max_length=80, exclude_pk=self.pk, fallback="topic"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class Author(models.Model):
    """A byline. Kept apart from login accounts; optionally linked to one."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Used in the author's address."),
    )
    bio = models.TextField(
        _("biography"),
        blank=True,
        help_text=_("A short plain-text biography for the author page."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text=_("Optional: the account this byline belongs to."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        if not self.slug:
            self.slug = unique_slug(
                Author, self.name, max_length=120, exclude_pk=self.pk, fallback="author"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its publish time has come."""
        return self.filter(
            status=Article.Status.PUBLISHED, publish_at__lte=timezone.now()
        )

    def scheduled(self):
        return self.filter(
            status=Article.Status.PUBLISHED, publish_at__gt=timezone.now()
        )

    def at_old_slug(self, slug):
        """Narrow to the explainer that had `slug` before its current one (one at most)."""
        return self.filter(slugs__slug=slug).exclude(slug=slug)

    def with_annotations(self):
        return self.prefetch_related(
            "authors", "topics", "key_facts", "quick_answers", "faqs", "corrections"
        )

    def search(self, query):
        """Narrow to matches for a reader's query, best first, with `rank` and `snippet`.

        Visibility is the caller's: start from `published()`.
        """
        from .search import search_articles

        return search_articles(self, query)


@reversion.register(
    follow=["key_facts", "quick_answers", "faqs", "corrections"],
    # Derived search data is rebuilt by article_changed, and the review state
    # belongs to the desk, not to a version of the story.
    exclude=[
        "search_document",
        "search_vector",
        "submitted_by",
        "submitted_at",
        "review_note",
    ],
)
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class CommentsMode(models.TextChoices):
        OPEN = "open", _("Open: published at once")
        PREMODERATED = "premoderated", _("Pre-moderated: held for approval")
        CLOSED = "closed", _("Closed: no new comments")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("The article's address. Made from the title when left empty."),
    )
    dek = models.TextField(
        _("dek"),
        blank=True,
        help_text=_("The standfirst: one or two sentences under the title."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("The story, in Markdown. Start sections with ## headings."),
    )
    body_html = models.TextField(editable=False, blank=True)
    background = models.TextField(
        _("background"), blank=True, help_text=_("Context a reader needs, in Markdown.")
    )
    background_html = models.TextField(editable=False, blank=True)

    source_url = models.URLField(
        _("source URL"),
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text=_("Where the story came from (http or https)."),
    )
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_publisher = models.CharField(
        _("source publisher"), max_length=200, blank=True
    )

    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), blank=True, related_name="articles"
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="articles"
    )

    hero_image = models.ImageField(
        _("hero image"),
        upload_to="heroes/%Y/%m/",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
    )
    # Read from the file once, when it is set, so pages and the API never open it.
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        _("hero alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "Describe the image for readers who cannot see it. Required with an image."
        ),
    )
    hero_credit = models.CharField(_("hero credit"), max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "When readers may see it. A future time schedules it; "
            "empty means now, on publishing."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    comments_mode = models.CharField(
        _("comments"), max_length=12, choices=CommentsMode, default=CommentsMode.OPEN
    )

    seo_title = models.CharField(
        _("SEO title"),
        max_length=70,
        blank=True,
        help_text=_("Optional title for search engines and sharing."),
    )
    seo_description = models.CharField(
        _("SEO description"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional description for search engines and sharing; "
            "the dek is used otherwise."
        ),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # The review desk (articles/publishing.py): who last asked for review of the
    # explainer or its working copy, and the note an editor sent back.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, editable=False)
    review_note = models.TextField(_("review note"), blank=True, editable=False)

    # Kept by services.article_changed (see articles/search.py): the body and every
    # annotation as plain text, and on PostgreSQL its weighted tsvector. The GIN
    # index on search_vector is made by migration 0003 on PostgreSQL only, so it is
    # not declared in Meta.indexes (SQLite cannot build it).
    search_document = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        verbose_name = _("explainer")
        verbose_name_plural = _("explainers")
        permissions = [("publish_article", _("Can publish and unpublish explainers"))]
        indexes = [
            # Lists (home, topic, author, feeds, API) filter on status and read
            # newest first with the pk as tie-break: one index scan, cut at the page.
            models.Index(
                fields=["status", "-publish_at", "-id"],
                name="article_status_publish_id_idx",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        strip_control_characters(self)
        if not self.slug:
            self.slug = unique_slug(
                Article,
                self.title,
                max_length=200,
                exclude_pk=self.pk,
                fallback="explainer",
            )
        # The one default publish time: publishing with none means now.
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        self.body_html = markup.render(self.body)
        self.background_html = markup.render(self.background)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = ValidationError(
                _("Describe the hero image for readers who cannot see it."),
                code="alt_required",
            )
        if self.status == self.Status.PUBLISHED:
            if not self.title.strip():
                errors["title"] = ValidationError(
                    _("An explainer needs a title to be published."),
                    code="title_required",
                )
            if not self.body.strip():
                errors["body"] = ValidationError(
                    _("An explainer needs a body to be published."),
                    code="body_required",
                )
        if errors:
            raise ValidationError(errors)

    def is_published(self):
        """Mirror `published()` for one row."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def comments_open(self):
        return self.comments_mode != self.CommentsMode.CLOSED

    @property
    def summary(self):
        """The dek, else the body's first paragraph: one line of plain text.

        What describes the explainer to search engines, sharing cards, JSON-LD and
        feeds; a page capture, say, arrives without a dek.
        """
        dek = " ".join(self.dek.split())
        if dek:
            return dek
        return markup.first_paragraph(self.body_html, limit=SUMMARY_LENGTH)

    def old_urls(self):
        """Return the explainer's former addresses, newest first.

        Each redirects here while the explainer is published; one that another
        explainer has taken since is no longer this one's.
        """
        if self.pk is None:
            return []
        former = (
            self.slugs.exclude(slug=self.slug)
            .order_by("-recorded_at", "-pk")
            .values_list("slug", flat=True)
        )
        return [reverse("articles:detail", kwargs={"slug": slug}) for slug in former]


class Annotation(models.Model):
    """An ordered, linkable item belonging to one article."""

    anchor_prefix = "item"

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


def _annotation_constraints(name):
    return [
        models.UniqueConstraint(
            fields=["article", "position"], name=f"{name}_unique_position"
        ),
        models.UniqueConstraint(
            fields=["article", "anchor"], name=f"{name}_unique_anchor"
        ),
    ]


@reversion.register()
class KeyFact(Annotation):
    anchor_prefix = "fact"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="key_facts"
    )
    label = models.CharField(
        _("label"), max_length=120, help_text=_("A short label, e.g. 'Budget'.")
    )
    text = models.CharField(
        _("text"), max_length=500, help_text=_("One sentence of plain text.")
    )

    class Meta(Annotation.Meta):
        verbose_name = _("key fact")
        verbose_name_plural = _("key facts")
        constraints = _annotation_constraints("keyfact")

    def __str__(self):
        return self.label

    def anchor_source(self):
        return self.label


@reversion.register()
class QuickAnswer(Annotation):
    anchor_prefix = "answer"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="quick_answers"
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


@reversion.register()
class FAQ(Annotation):
    anchor_prefix = "faq"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
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
        self.answer_html = markup.render(self.answer)
        super().save(*args, **kwargs)

    def anchor_source(self):
        return self.question


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
