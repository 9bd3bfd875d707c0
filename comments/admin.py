"""The moderation queue: pending and flagged comments first, bulk actions for
moderators, banned words and commenting bans."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import services
from .models import BannedWord, Comment, CommentBan, Flag


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = ("user", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flags")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "excerpt",
        "author_link",
        "article",
        "status",
        "held_reason",
        "flag_count",
        "is_featured",
        "created_at",
    )
    list_filter = (
        "status",
        FlaggedFilter,
        "is_featured",
        "held_reason",
        "annotation_kind",
        "article",
    )
    search_fields = (
        "body",
        "author__username",
        "author__display_name",
        "author__email",
    )
    list_select_related = ("author", "article")
    raw_id_fields = ("article", "author", "parent")
    readonly_fields = (
        "created_at",
        "edited_at",
        "deleted_at",
        "held_reason",
        # Checked against the explainer when posted (comments.services).
        "annotation_kind",
        "annotation_anchor",
        "annotation_quote",
    )
    date_hierarchy = "created_at"
    inlines = [FlagInline]
    actions = [
        "approve",
        "hide",
        "remove",
        "feature",
        "unfeature",
        "ban_authors",
    ]
    fieldsets = (
        (None, {"fields": ("article", "author", "parent", "body")}),
        (
            _("About an annotation"),
            {"fields": ("annotation_kind", "annotation_anchor", "annotation_quote")},
        ),
        (
            _("Moderation"),
            {"fields": ("status", "held_reason", "is_featured")},
        ),
        (
            _("Dates"),
            {"fields": ("created_at", "edited_at", "deleted_at")},
        ),
    )

    def get_queryset(self, request):
        # Work first: pending comments, then hidden-by-flags, then the rest.
        return (
            super()
            .get_queryset(request)
            .annotate(
                flag_count=Count("flags", distinct=True),
                queue=Case(
                    When(status=Comment.Status.PENDING, then=Value(0)),
                    When(
                        Q(status=Comment.Status.HIDDEN)
                        & Q(held_reason=Comment.HeldReason.FLAGGED),
                        then=Value(1),
                    ),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
            )
        )

    def get_ordering(self, request):
        return [F("queue").asc(), F("flag_count").desc(), "-created_at"]

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        if obj.is_deleted:
            return _("(deleted by author)")
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("author"), ordering="author__username")
    def author_link(self, obj):
        return obj.author_name

    @admin.display(description=_("flags"), ordering="flag_count")
    def flag_count(self, obj):
        return obj.flag_count

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def _moderate(self, request, queryset, action, done):
        changed = 0
        for comment in queryset:
            try:
                services.comment_moderate(
                    comment=comment, moderator=request.user, action=action
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(
                    request, f"Comment {comment.pk}: {exc}", level=messages.WARNING
                )
            else:
                changed += 1
        self.message_user(request, f"{changed} comment(s) {done}.")

    @admin.action(permissions=["moderate"], description=_("Approve and publish"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, "approve", "approved")

    @admin.action(permissions=["moderate"], description=_("Hide"))
    def hide(self, request, queryset):
        self._moderate(request, queryset, "hide", "hidden")

    @admin.action(permissions=["moderate"], description=_("Remove"))
    def remove(self, request, queryset):
        self._moderate(request, queryset, "remove", "removed")

    @admin.action(permissions=["moderate"], description=_("Feature"))
    def feature(self, request, queryset):
        self._moderate(request, queryset, "feature", "featured")

    @admin.action(permissions=["moderate"], description=_("Stop featuring"))
    def unfeature(self, request, queryset):
        self._moderate(request, queryset, "unfeature", "no longer featured")

    @admin.action(
        permissions=["moderate"], description=_("Ban the authors from commenting")
    )
    def ban_authors(self, request, queryset):
        banned = 0
        authors = {c.author for c in queryset.select_related("author") if c.author_id}
        for user in authors:
            try:
                services.commenter_ban(
                    user=user, moderator=request.user, reason="Banned from the queue."
                )
            except ValidationError as exc:
                self.message_user(
                    request, f"{user}: {exc.messages[0]}", level=messages.WARNING
                )
            else:
                banned += 1
        self.message_user(request, f"{banned} reader(s) banned from commenting.")


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "created_at")
    search_fields = ("word",)


@admin.register(CommentBan)
class CommentBanAdmin(admin.ModelAdmin):
    list_display = ("user", "reason", "banned_by", "created_at")
    search_fields = ("user__username", "user__display_name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("banned_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.banned_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("comment", "user", "reason", "created_at")
    list_filter = ("reason",)
    raw_id_fields = ("comment", "user")
