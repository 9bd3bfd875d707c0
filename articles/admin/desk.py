"""The editor's desk in the explainer form: where it stands, stale saves, the state.

`ArticleAdminForm` shows a live explainer's working copy instead of its rows, and
refuses a save made from a form someone else saved since it was opened (keeping
every field as typed, and listing what the other person changed). `form_state`
turns a valid form and its inline formsets into the dict articles/publishing.py
saves. `desk_status` says where an explainer stands, for the form and the list.
"""

from django import forms
from django.contrib import admin
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from figures.markup import references_problems

from .. import publishing, services
from ..models import ANNOTATION_KINDS, Article, WorkingCopy

# An explainer's lists, in page order, with the names editors know them by.
LIST_LABELS = {
    **{kind.list_name: kind.section_label for kind in ANNOTATION_KINDS},
    "corrections": _("Corrections and updates"),
}
STATE_SALT = "articles.desk.opened-state"
IMAGE_SALT = "articles.desk.chosen-image"


def edit_token(article) -> str:
    """Changes whenever the explainer or its working copy is saved."""
    if article is None or article.pk is None:
        return ""
    copy = publishing.working_copy(article)
    stamps = [article.updated_at, copy.updated_at if copy else None]
    return "-".join(str(s.timestamp()) if s else "0" for s in stamps)


def last_saved_at(article):
    """When the explainer or its working copy was last saved, or None if new."""
    if article is None or article.pk is None:
        return None
    copy = publishing.working_copy(article)
    return max(article.updated_at, copy.updated_at) if copy else article.updated_at


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def desk_status(article) -> str:
    """Draft · In review · Scheduled for … · Live · Live, with unpublished changes."""
    copy = publishing.working_copy(article) if article.pk else None
    if article.status == Article.Status.PUBLISHED:
        if article.publish_at and article.publish_at > timezone.now():
            status = gettext("Scheduled for %(time)s") % {
                "time": _when(article.publish_at)
            }
        else:
            status = gettext("Live")
        if copy is None:
            return status
        who = copy.updated_by.get_username() if copy.updated_by else gettext("someone")
        status = gettext(
            "%(status)s, with unpublished changes by %(who)s, %(when)s"
        ) % {
            "status": status,
            "who": who,
            "when": _when(copy.updated_at),
        }
        if copy.status == WorkingCopy.Status.REVIEW:
            status += " · " + gettext("in review")
        if copy.publish_at:
            status += " · " + gettext("changes go live at %(time)s") % {
                "time": _when(copy.publish_at)
            }
        return status
    if article.status == Article.Status.REVIEW:
        return gettext("In review")
    if article.status == Article.Status.ARCHIVED:
        return gettext("Archived")
    return gettext("Draft")


class DeskStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("live", _("Live")),
            ("changes", _("Live + changes")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        rules = {
            "draft": Q(status=Article.Status.DRAFT),
            "review": Q(status=Article.Status.REVIEW)
            | Q(working_copy__status=WorkingCopy.Status.REVIEW),
            "scheduled": published & Q(publish_at__gt=now),
            "live": published & Q(publish_at__lte=now),
            "changes": published & Q(working_copy__isnull=False),
        }
        rule = rules.get(self.value())
        return queryset if rule is None else queryset.filter(rule)


def label_parts(field):
    """Give a split date/time widget's two inputs names a screen reader can say."""
    widgets = getattr(field.widget, "widgets", None)
    if widgets and len(widgets) == 2:
        label = str(field.label or "").strip().rstrip(":")
        widgets[0].attrs["aria-label"] = gettext("%(field)s, date") % {"field": label}
        widgets[1].attrs["aria-label"] = gettext("%(field)s, time") % {"field": label}
    return field


def opened_state(state) -> str:
    return signing.dumps(state, salt=STATE_SALT, compress=True)


def _read_opened_state(value):
    try:
        return signing.loads(value, salt=STATE_SALT)
    except signing.BadSignature:
        return None


def _short(value, limit=120):
    text = " ".join(str(value).split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def describe_changes(before, after) -> list[str]:
    """Plain lines saying what changed from state `before` to state `after`."""
    if before is None:
        return []
    lines = []
    for name, value in after["fields"].items():
        old = before["fields"].get(name)
        if old != value:
            label = Article._meta.get_field(name).verbose_name
            lines.append(
                gettext("%(field)s: %(old)s → %(new)s")
                % {
                    "field": str(label).capitalize(),
                    "old": _short(old),
                    "new": _short(value),
                }
            )
    for name in ("authors", "topics"):
        if sorted(before[name]) != sorted(after[name]):
            label = Article._meta.get_field(name).verbose_name
            lines.append(
                gettext("%(field)s changed") % {"field": str(label).capitalize()}
            )
    for name, label in LIST_LABELS.items():
        old_rows = {row["id"]: row for row in before[name] if row.get("id")}
        new_rows = {row["id"]: row for row in after[name] if row.get("id")}
        added = [
            row for row in after[name] if not row.get("id") or row["id"] not in old_rows
        ]
        removed = [row for pk, row in old_rows.items() if pk not in new_rows]
        edited = [
            row
            for pk, row in new_rows.items()
            if pk in old_rows and old_rows[pk] != row
        ]
        for verb, rows in (
            (gettext("added"), added),
            (gettext("removed"), removed),
            (gettext("edited"), edited),
        ):
            for row in rows:
                first = next(v for k, v in row.items() if k not in {"id", "kind"})
                lines.append(f"{label}, {verb}: {_short(first, 80)}")
    return lines


def last_saved_by(article):
    copy = publishing.working_copy(article)
    if copy is not None and copy.updated_by is not None:
        return copy.updated_by.get_username()
    version = Version.objects.get_for_object(article).select_related("revision__user")
    version = version.first()
    user = version.revision.user if version is not None else None
    return user.get_username() if user is not None else gettext("Someone")


class ArticleAdminForm(forms.ModelForm):
    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)
    opened_state = forms.CharField(required=False, widget=forms.HiddenInput)
    # An image chosen in a form that came back with errors, already stored.
    chosen_image = forms.CharField(required=False, widget=forms.HiddenInput)

    # Filled per request by ArticleAdmin.get_form.
    acting_user = None
    state = None  # what the form shows: the working copy's or the rows' state
    staged = False  # a live explainer: saving goes to its working copy

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        copy = publishing.working_copy(self.instance) if self.staged else None
        if copy is not None:
            self._show_state(copy.state)
        if not self.is_bound:
            self.initial["edit_token"] = edit_token(self.instance)
            if self.state is not None:
                self.initial["opened_state"] = opened_state(self.state)
        field = self.fields.get("publish_at")
        if field is not None and self.staged:
            # A live explainer's publication time stays; this schedules the change.
            field.label = _("Publish changes at")
            field.help_text = _(
                "Empty publishes the changes at once; a future time schedules them."
            )
            field.required = False
            self.initial["publish_at"] = copy.publish_at if copy else None
            if not services.can_publish(self.acting_user):
                field.disabled = True

    def _show_state(self, state):
        for name, value in state["fields"].items():
            if name == "hero_image":
                field = Article._meta.get_field(name)
                value = field.attr_class(self.instance, field, value or None)
            self.initial[name] = value
        self.initial["authors"] = state["authors"]
        self.initial["topics"] = state["topics"]

    @property
    def action(self):
        return self.data.get("_action", "save") if self.is_bound else "save"

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors:
            self._keep_chosen_image()

    def _keep_chosen_image(self):
        """Store a just-uploaded image, so the form coming back keeps it."""
        upload = getattr(self, "cleaned_data", {}).get("hero_image")
        if not upload or isinstance(upload, FieldFile):
            return
        name = _stored_image(self.instance, upload)
        self.data = self.data.copy()
        self.data[self.add_prefix("chosen_image")] = signing.dumps(
            name, salt=IMAGE_SALT
        )
        kept = _(
            "Your chosen image “%(name)s” is kept: no need to choose it again."
        ) % {"name": name.rsplit("/", 1)[-1]}
        self.fields["hero_image"].help_text = self["hero_image"].help_text = kept

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image is False or (image and not isinstance(image, FieldFile)):
            return image  # cleared, or a new upload
        chosen = self.data.get(self.add_prefix("chosen_image"))
        if not chosen:
            return image
        try:
            name = signing.loads(chosen, salt=IMAGE_SALT)
        except signing.BadSignature:
            return image
        field = Article._meta.get_field("hero_image")
        return field.attr_class(self.instance, field, name)

    def clean(self):
        cleaned_data = super().clean()
        if self.action == "restore":
            # Not an error: the autosaved form is shown, and nothing is saved.
            raise ValidationError(
                _(
                    "These are your autosaved changes. Nothing is saved until you "
                    "press a button below."
                ),
                code="restored",
            )
        publishing_now = self.action in {"publish", "unpublish"}
        if publishing_now and not services.can_publish(self.acting_user):
            raise ValidationError(
                _(
                    "Only editors may publish, schedule or unpublish. Submit it for "
                    "review and an editor will take it from there."
                ),
                code="publish_permission",
            )
        if self.action == "publish" and not self.staged:
            for name, message in (
                ("title", _("An explainer needs a title to be published.")),
                ("body", _("An explainer needs a body to be published.")),
            ):
                if name in cleaned_data and not (cleaned_data[name] or "").strip():
                    self.add_error(
                        name, ValidationError(message, code=f"{name}_required")
                    )
        if self.action == "publish":
            # Library images need alt text before readers see them (figures/).
            for name in ("body", "background"):
                for problem in references_problems(
                    cleaned_data.get(name) or "", publishing=True, missing=False
                ):
                    self.add_error(name, ValidationError(problem, code="asset_alt"))
        self._check_fresh(cleaned_data)
        return cleaned_data

    def _check_fresh(self, cleaned_data):
        token = edit_token(self.instance)
        posted = cleaned_data.get("edit_token")
        if not token or not posted or posted == token:
            return
        current = publishing.current_state(self.instance)
        changes = describe_changes(
            _read_opened_state(cleaned_data.get("opened_state") or ""), current
        )
        # The form comes back as typed, now based on the latest save: saving it
        # again keeps this editor's version, knowingly.
        self.data = self.data.copy()
        self.data[self.add_prefix("edit_token")] = token
        self.data[self.add_prefix("opened_state")] = opened_state(current)
        messages = [
            ValidationError(
                _(
                    "%(who)s saved this explainer after you opened it, so your save "
                    "was not made. Everything you typed is still in the form. Their "
                    "changes are listed below; save again to replace them with yours."
                ),
                code="stale",
                params={"who": last_saved_by(self.instance)},
            ),
            *(ValidationError(line, code="stale_change") for line in changes),
        ]
        raise ValidationError(messages)


def form_state(form, formsets, *, store_files=True) -> dict:
    """The explainer as a valid form and its inline formsets describe it.

    Also the best reading of an invalid one (for the preview): fields and rows
    that did not validate keep their saved values. `store_files`: store a new
    upload; else (the preview) the saved image is kept.
    """
    data = form.cleaned_data
    base = form.state or publishing.explainer_state(form.instance)
    fields = dict(base["fields"])
    for name in publishing.STATE_FIELDS:
        if name in data and name != "hero_image":
            fields[name] = data[name] if data[name] is not None else ""
    if "hero_image" in data and store_files:
        fields["hero_image"] = _stored_image(form.instance, data["hero_image"])
    state = {
        "fields": fields,
        "authors": sorted(a.pk for a in data.get("authors", [])),
        "topics": sorted(t.pk for t in data.get("topics", [])),
    }
    if "authors" not in data:
        state["authors"] = base["authors"]
    if "topics" not in data:
        state["topics"] = base["topics"]
    for name in publishing.LISTS:
        state[name] = base[name]
    for formset in formsets:
        state[formset.prefix] = formset.rows()
    return state


def _stored_image(article, value) -> str:
    """The storage name of the chosen hero image, stored now if just uploaded."""
    if not value:
        return ""
    if isinstance(value, FieldFile):  # kept as it was
        return value.name
    field = Article._meta.get_field("hero_image")
    name = field.generate_filename(article, value.name)
    return field.storage.save(name, value, max_length=field.max_length)
