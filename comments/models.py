from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import markup
from articles.models import ANNOTATION_KINDS, Article, strip_control_characters

# Which list of the explainer a comment's annotation is in: the registry's names
# (articles/models/annotations.py), so a new kind of annotation joins by itself.
AnnotationKind = models.TextChoices(
    "AnnotationKind",
    [
        (kind.list_name.upper(), (kind.list_name, kind.section_label))
        for kind in ANNOTATION_KINDS
    ],
)
ANNOTATION_QUOTE_LENGTH = 300


def _with_text(reader, path=""):
    """Comments at `path` that `reader` may read: published ones and a signed-in
    reader's own pending ones, in both cases not deleted by their author."""
    readable = Q(**{f"{path}status": Comment.Status.PUBLISHED})
    if reader is not None and reader.is_authenticated:
        readable |= Q(
            **{f"{path}status": Comment.Status.PENDING, f"{path}author": reader}
        )
    return readable & Q(**{f"{path}deleted_at__isnull": True})


def _shown(reader):
    # A reply shows under a shown parent: a published one, which keeps its place
    # as a placeholder once deleted (see in_thread), or the reader's own pending one.
    parent = Q(parent__isnull=True) | Q(parent__status=Comment.Status.PUBLISHED)
    if reader is not None and reader.is_authenticated:
        parent |= _with_text(reader, "parent__")
    return _with_text(reader) & parent


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What every reader sees with its text, and every count counts: published,
        not deleted, under a published parent."""
        return self.filter(_shown(None))

    def for_article(self, article):
        return self.filter(article=article)

    def about(self, kind, anchor):
        """Comments on one annotation (replies share their comment's annotation)."""
        return self.filter(annotation_kind=kind, annotation_anchor=anchor)

    def in_thread(self, reader=None):
        """What a thread shows `reader` (any reader by default).

        The comments they may read, and each deleted top-level comment that still
        has one of those as a reply: it stays as a placeholder, so its replies keep
        their place. `is_visible` marks the rows `visible()` holds, the counted ones.
        """
        replies = self.model.objects.filter(_with_text(reader), parent=OuterRef("pk"))
        placeholder = Q(
            parent__isnull=True,
            status=Comment.Status.PUBLISHED,
            deleted_at__isnull=False,
        ) & Exists(replies)
        return self.filter(_shown(reader) | placeholder).annotate(
            is_visible=ExpressionWrapper(_shown(None), output_field=BooleanField())
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Removed")

    class HeldReason(models.TextChoices):
        NONE = "", _("—")
        UNVERIFIED = "unverified", _("Email address not verified")
        PREMODERATED = "premoderated", _("Explainer is pre-moderated")
        BANNED_WORDS = "banned_words", _("Contains a banned word")
        FLAGGED = "flagged", _("Flagged by readers")

    article = models.ForeignKey(
        Article,
        verbose_name=_("explainer"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        help_text=_("Empty once the account is deleted; the comment stays."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text=_(
            "The top-level comment this replies to. Replies are one level deep."
        ),
    )
    # Annotation rows are replaced when an explainer is saved; their kind and anchor
    # stay, so a comment names its annotation by those (issue #14).
    annotation_kind = models.CharField(
        _("about the annotation of kind"),
        max_length=20,
        choices=AnnotationKind,
        blank=True,
        help_text=_("Set when the reader commented on one Key Fact, answer or FAQ."),
    )
    annotation_anchor = models.SlugField(
        _("about the annotation at"),
        max_length=80,
        blank=True,
        help_text=_("The anchor of the annotation the comment is about."),
    )
    annotation_quote = models.CharField(
        _("annotation as quoted"),
        max_length=ANNOTATION_QUOTE_LENGTH,
        blank=True,
        help_text=_(
            "The annotation's words when the comment was posted, shown above it."
        ),
    )
    body = models.TextField(
        _("text"), help_text=_("What the reader wrote, as plain text.")
    )
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status,
        default=Status.PUBLISHED,
        help_text=_(
            "Only published comments are shown to readers; pending ones wait for a "
            "moderator; hidden ones can be restored; removed ones stay removed."
        ),
    )
    held_reason = models.CharField(
        _("held because"),
        max_length=16,
        choices=HeldReason,
        default=HeldReason.NONE,
        blank=True,
        help_text=_("Why the comment is waiting for a moderator."),
    )
    is_featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Featured comments are shown first, with a label."),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(
        _("deleted by author"),
        null=True,
        blank=True,
        help_text=_("Set when the author deletes it; the text is gone, replies stay."),
    )
    ip_hash = models.CharField(
        _("IP hash"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the poster's address, to spot repeat abuse."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(
                fields=["article", "status", "created_at"],
                name="comment_article_status_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotation_kind="", annotation_anchor="")
                | (~Q(annotation_kind="") & ~Q(annotation_anchor="")),
                name="comment_annotation_kind_and_anchor",
            )
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_name} on {self.article_id}"

    def save(self, *args, **kwargs):
        strip_control_characters(self)  # LF line endings, as for every text we store
        self.body_html = markup.render_comment(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def author_name(self):
        return self.author.public_name if self.author_id else _("[deleted user]")

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_staff_author(self):
        return bool(self.author_id and self.author.is_staff)

    def editable_until(self):
        return self.created_at + timezone.timedelta(
            minutes=settings.COMMENTS_EDIT_MINUTES
        )

    def can_edit(self, user):
        return (
            user is not None
            and user.is_authenticated
            and self.author_id == user.pk
            and not self.is_deleted
            and self.status in {self.Status.PUBLISHED, self.Status.PENDING}
            and timezone.now() <= self.editable_until()
        )

    def can_delete(self, user):
        return (
            user is not None
            and user.is_authenticated
            and self.author_id == user.pk
            and not self.is_deleted
        )


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        MISINFORMATION = "misinformation", _("Misleading or false")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="flags",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        on_delete=models.CASCADE,
        related_name="comment_flags",
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason, default=Reason.OTHER
    )
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"], name="flag_once_per_user"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class BannedWord(models.Model):
    word = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_(
            "A comment containing this (whole words, any case) is held for review."
        ),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")

    def __str__(self):
        return self.word

    def save(self, *args, **kwargs):
        self.word = " ".join(self.word.lower().split())
        super().save(*args, **kwargs)


class CommentBan(models.Model):
    """A reader who may no longer comment; they can still read and sign in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="comment_ban",
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("For other moderators; never shown to the reader."),
    )
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("banned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment ban")
        verbose_name_plural = _("comment bans")

    def __str__(self):
        return f"{self.user} may not comment"
