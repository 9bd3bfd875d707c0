"""Inline editors for the rows that hang off an explainer.

Key facts, quick answers and FAQ entries share one form and one formset: editors
reorder rows with up/down buttons or by typing positions. The formsets only read
and check what was posted: `rows()` hands the rows, in page order, to the
explainer admin, which saves them through articles/publishing.py like every other
write. Each formset can also show a working copy's rows instead of the table's.
Corrections get a plain inline of their own, ordered by date.
"""

import uuid

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import services, shared_facts
from ..citations import sources_in_memory, sources_state
from ..models import FAQ, Article, Correction, KeyFact, QuickAnswer
from .desk import label_parts
from .sources import SourcesField, check_sources


class StagedRowForm(forms.ModelForm):
    """A row form that knows when it shows a row kept only in a working copy."""

    # Set on rows a working copy added: they have no database row yet, yet must be
    # kept when posted back unchanged.
    staged = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def has_changed(self):
        if self.instance.pk is None and self["staged"].value():
            return True
        return super().has_changed()


class StagedRowsFormSet(forms.BaseInlineFormSet):
    """An inline formset that can show a working copy's rows instead of the table's.

    `rows`: the list a working copy keeps (articles/publishing.py); rows with an id
    are shown over their database row, the others as new forms marked `staged`.
    """

    def __init__(self, *args, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._staged = None
        if rows is None or self.is_bound:
            return
        stored = {obj.pk: obj for obj in super().get_queryset()}
        self._staged, added = [], []
        for position, row in enumerate(rows):
            values = {k: v for k, v in row.items() if k not in {"id", "created_at"}}
            if "created_at" in row:
                values["created_at"] = parse_datetime(row["created_at"])
            if "anchor" in values or self.model is not Correction:
                values["position"] = position
            obj = stored.get(row.get("id"))
            if obj is None:
                added.append({**values, "staged": True})
                continue
            for name, value in values.items():
                if name == "sources":  # a related list, shown without a query
                    sources_in_memory(obj, value)
                else:
                    setattr(obj, name, value)
            self._staged.append(obj)
        self.initial_extra = added
        self.extra = len(added) + self.extra

    def get_queryset(self):
        if self._staged is not None:
            return self._staged
        return super().get_queryset()

    def rows(self):
        """The rows as posted, in page order, as a working copy keeps them."""
        return [self.row_state(form) for form in self.kept_forms()]

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk is not None or form.has_changed())
            and form.is_valid()
        ]

    def row_state(self, form):
        raise NotImplementedError


class AnnotationInlineForm(StagedRowForm):
    sources = SourcesField()
    position = forms.IntegerField(
        label=_("position"),
        required=False,
        min_value=0,
        help_text=_("Order on the page; rows are renumbered from 0 on save."),
        widget=forms.NumberInput(attrs={"class": "admin-position-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new row goes last unless the editor gives it a place.
            self.initial["position"] = None
            if "uid" in self.fields and not self.initial.get("staged"):
                # A new fact gets its id on save; only a fact picked from the
                # library (kept in a working copy, `staged`) carries one.
                self.initial["uid"] = ""
        if "sources" not in self.initial:
            self.initial["sources"] = sources_state(self.instance)

    def has_changed(self):
        # The reorder script renumbers every row, blank extra rows included; a
        # position alone does not make a new row worth saving.
        if self.instance.pk is None:
            # Nor does the fact id a blank Key Fact row is born with.
            return any(name not in {"position", "uid"} for name in self.changed_data)
        return super().has_changed()

    def clean_sources(self):
        return check_sources(self._meta.model, self.cleaned_data.get("sources") or [])

    def clean_anchor(self):
        # None (not "") keeps blank anchors out of uniqueness checks; save() makes one.
        return self.cleaned_data.get("anchor") or None


class OrderedInlineFormSet(StagedRowsFormSet):
    """Save rows in the order of their submitted positions, renumbered 0..n-1."""

    def _kept_forms(self):
        order = {id(form): i for i, form in enumerate(self.forms)}
        return sorted(
            self.kept_forms(),
            key=lambda form: (
                form.cleaned_data.get("position") is None,
                form.cleaned_data.get("position") or 0,
                order[id(form)],
            ),
        )

    def rows(self):
        return [self.row_state(form) for form in self._kept_forms()]

    def row_state(self, form):
        names = [name for name in form.fields if name not in self.SKIPPED]
        row = {name: form.cleaned_data.get(name) for name in names}
        if isinstance(row.get("uid"), uuid.UUID):
            row["uid"] = str(row["uid"])
        elif "uid" in row and not row["uid"]:
            del row["uid"]
        row["id"] = form.instance.pk
        row["anchor"] = row.get("anchor") or form.instance.anchor or ""
        return row

    SKIPPED = {"id", "position", "staged", "DELETE", "article"}

    def validate_unique(self):
        # Positions are renumbered on save, so duplicates there are fine; anchors
        # must be distinct across the rows as submitted plus any row not listed.
        kept = [form for form in self._kept_forms() if form.is_valid()]
        seen = set()
        if self.instance.pk is not None:
            listed = [f.instance.pk for f in self.initial_forms if f.instance.pk]
            others = self.get_queryset().model._default_manager.filter(
                **{self.fk.name: self.instance}
            )
            seen = set(others.exclude(pk__in=listed).values_list("anchor", flat=True))
        duplicates = False
        for form in kept:
            anchor = form.cleaned_data.get("anchor")
            if not anchor:
                continue
            if anchor in seen:
                duplicates = True
                form.add_error(
                    "anchor",
                    ValidationError(
                        _("Another item in this explainer already uses this anchor."),
                        code="duplicate_anchor",
                    ),
                )
            seen.add(anchor)
        if duplicates:
            raise ValidationError(
                _("Each anchor must be unique within the explainer."),
                code="duplicate_anchor",
            )


class PreviewLinkMixin:
    """Send each row's "View on site" link where staff can see the row.

    The public address of an explainer readers cannot see yet is a 404, so until
    then the link goes to the staff preview, at the row's anchor.
    """

    def view_on_site(self, obj):
        # Rows come without their explainer: load it once per inline, not per row.
        article = getattr(self, "_linked_article", None)
        if article is not None and article.pk == obj.article_id:
            obj.article = article
        else:
            article = self._linked_article = obj.article
        public = obj.get_absolute_url()
        if article.is_published():
            return public
        anchor = public.partition("#")[2]
        return f"{reverse('articles:preview', kwargs={'pk': article.pk})}#{anchor}"


def _card_fieldsets(*main):
    """An annotation card: its fields, then the anchor under an "Advanced" fold."""
    return (
        (None, {"fields": ("position", *main, "sources", "needs_source", "staged")}),
        (_("Advanced"), {"fields": ("anchor",), "classes": ("collapse",)}),
    )


class OrderedInline(PreviewLinkMixin, admin.StackedInline):
    """Annotations as stacked cards: labelled fields, reordered by drag or buttons."""

    form = AnnotationInlineForm
    formset = OrderedInlineFormSet
    ordering = ("position", "pk")
    extra = 1
    classes = ("ordered-cards",)

    def get_queryset(self, request):
        # Each card shows its claim's sources: one query for the list, not per card.
        return super().get_queryset(request).prefetch_related("sources")

    class Media:
        js = ("js/admin-reorder.js",)
        css = {"all": ("css/admin-explainer.css",)}


class KeyFactFormSet(OrderedInlineFormSet):
    """Key Facts: a fact shared with a published explainer changes only by an
    editor who can publish, since the change goes live there at once."""

    acting_user = None  # set per request by KeyFactInline.get_formset

    def clean(self):
        super().clean()
        if services.can_publish(self.acting_user):
            return
        forms_by_uid = {}
        for form in self.kept_forms():
            uid = (
                form.instance.uid if form.instance.pk else form.cleaned_data.get("uid")
            )
            if uid:
                forms_by_uid[str(uid)] = form
        elsewhere = (
            KeyFact.objects.filter(uid__in=list(forms_by_uid))
            .filter(article__in=Article.objects.published())
            .select_related("article")
        )
        if self.instance.pk is not None:
            elsewhere = elsewhere.exclude(article=self.instance)
        for row in elsewhere:
            form = forms_by_uid[str(row.uid)]
            if all(
                form.cleaned_data.get(name) == getattr(row, name)
                for name in KeyFact.text_fields
            ):
                continue
            form.add_error(
                None,
                ValidationError(
                    _(
                        "This fact is shared with the published explainer “%(title)s”: "
                        "only an editor who can publish may change its words."
                    )
                    % {"title": row.article.title},
                    code="shared_fact",
                ),
            )


class KeyFactInline(OrderedInline):
    model = KeyFact
    formset = KeyFactFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"acting_user": request.user})

    fieldsets = _card_fieldsets(*KeyFact.text_fields, "shared_with", "uid")
    readonly_fields = ("shared_with",)
    template = "admin/articles/keyfact/inline.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "uid":
            # Carries a fact picked from the library through a working copy.
            kwargs["widget"] = forms.HiddenInput
            kwargs["required"] = False
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("shared"))
    def shared_with(self, obj):
        """Where else the fact is used: one query for the whole list."""
        if obj is None or obj.pk is None:
            return _("Only in this explainer.")
        if getattr(self, "_uses", None) is None:
            uids = KeyFact.objects.filter(article_id=obj.article_id).values_list(
                "uid", flat=True
            )
            self._uses = shared_facts.uses_by_uid(uids)
        others = [a for a in self._uses.get(obj.uid, []) if a.pk != obj.article_id]
        if not others:
            return _("Only in this explainer.")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                for a in others
            ),
        )
        return format_html(
            "{} {}. {}",
            _("Also in"),
            links,
            _("Correcting it here corrects it there too."),
        )


class QuickAnswerInline(OrderedInline):
    model = QuickAnswer
    fieldsets = _card_fieldsets(*QuickAnswer.text_fields)


class FAQInline(OrderedInline):
    model = FAQ
    fieldsets = _card_fieldsets(*FAQ.text_fields)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "answer":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 5, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CorrectionFormSet(StagedRowsFormSet):
    def rows(self):
        return sorted(super().rows(), key=lambda row: row["created_at"])

    def row_state(self, form):
        data = form.cleaned_data
        return {
            "id": form.instance.pk,
            "kind": data["kind"],
            "note": data["note"],
            "created_at": data["created_at"].isoformat(),
        }


class CorrectionInline(PreviewLinkMixin, admin.StackedInline):
    model = Correction
    form = StagedRowForm
    formset = CorrectionFormSet
    fields = ("created_at", "kind", "note", "staged")
    ordering = ("created_at", "pk")
    extra = 0

    def has_delete_permission(self, request, obj=None):
        # Corrections readers have seen are a public record (articles/publishing.py).
        if obj is not None and obj.status == obj.Status.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "note":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 60})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return label_parts(field) if db_field.name == "created_at" else field
