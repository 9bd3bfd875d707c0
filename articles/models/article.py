"""The explainer, with its topics and authors."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from figures.markup import references_problems

from .. import markup
from .text import SUMMARY_LENGTH, http_url, strip_control_characters, unique_slug


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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        from .annotations import ANNOTATION_KINDS

        lists = [kind.list_name for kind in ANNOTATION_KINDS]
        return self.prefetch_related("authors", "topics", *lists, "corrections")

    def search(self, query):
        """Narrow to matches for a reader's query, best first, with `rank` and `snippet`.

        Visibility is the caller's: start from `published()`.
        """
        from ..search import search_articles

        return search_articles(self, query)


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
        # Library images and charts the Markdown names (figures/markup.py).
        publishing = self.status == self.Status.PUBLISHED
        for name in ("body", "background"):
            problems = references_problems(getattr(self, name), publishing=publishing)
            if problems and name not in errors:
                errors[name] = [
                    ValidationError(problem, code="asset_reference")
                    for problem in problems
                ]
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
