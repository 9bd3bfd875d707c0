"""Inline editors for the rows that hang off an explainer.

Key facts, quick answers and FAQ entries share one form and one formset: editors
reorder rows with up/down buttons or by typing positions, and the formset saves the
rows renumbered from zero without tripping the per-article uniqueness constraints
on position and anchor half-way through, by first moving ("parking") the existing
rows out of the way. ``park_annotations`` is also used by the explainer admin when
a revision is reverted. Corrections get a plain inline of their own, ordered by
date rather than by position.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from ..models import FAQ, Correction, KeyFact, QuickAnswer

# Parked rows carry "~<pk>" as anchor: "~" never passes slug validation, so a parked
# anchor cannot clash with a real one.
PARKED_ANCHOR_PREFIX = "~"
ORDERED_ANNOTATIONS = (KeyFact, QuickAnswer, FAQ)


def park_annotations(queryset, *, room=0, anchors_of=None):
    """Move rows to positions (and anchors) no final value can take.

    The (article, position) and (article, anchor) constraints are checked row by row,
    so a swap saved directly would collide half-way. Adding an offset above the
    current maximum keeps every parked position distinct from all others. Anchors
    are parked for the rows in `anchors_of` (all rows when None).
    """
    top = queryset.aggregate(top=Max("position"))["top"]
    if top is None:
        return
    queryset.update(position=F("position") + top + room + 1)
    rows = queryset if anchors_of is None else queryset.filter(pk__in=anchors_of)
    rows.update(anchor=Concat(Value(PARKED_ANCHOR_PREFIX), Cast("pk", CharField())))


class AnnotationInlineForm(forms.ModelForm):
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

    def has_changed(self):
        # The reorder script renumbers every row, blank extra rows included; a
        # position alone does not make a new row worth saving.
        if self.instance.pk is None:
            return any(name != "position" for name in self.changed_data)
        return super().has_changed()

    def clean_anchor(self):
        # None (not "") keeps blank anchors out of uniqueness checks; save() makes one.
        return self.cleaned_data.get("anchor") or None


class OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Save rows in the order of their submitted positions, renumbered 0..n-1."""

    def _kept_forms(self):
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk is not None or form.has_changed())
        ]

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

    @transaction.atomic
    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.initial_forms:
            if form in self.deleted_forms and form.instance.pk is not None:
                self.deleted_objects.append(form.instance)
                self.delete_existing(form.instance)

        order = {id(form): i for i, form in enumerate(self.forms)}
        kept = sorted(
            self._kept_forms(),
            key=lambda form: (
                form.cleaned_data.get("position") is None,
                form.cleaned_data.get("position") or 0,
                order[id(form)],
            ),
        )
        if self.instance.pk is not None:
            siblings = self.model._default_manager.filter(
                **{self.fk.name: self.instance}
            )
            park_annotations(
                siblings,
                room=len(kept),
                anchors_of=[f.instance.pk for f in kept if f.instance.pk],
            )

        final_position = {id(form): i for i, form in enumerate(kept)}
        # Rows with a typed anchor first, so anchors made from text avoid them.
        for form in sorted(kept, key=lambda form: not form.cleaned_data.get("anchor")):
            is_new = form.instance.pk is None
            obj = (
                self.save_new(form, commit=False)
                if is_new
                else self.save_existing(form, form.instance, commit=False)
            )
            obj.position = final_position[id(form)]
            obj.anchor = obj.anchor or ""
            obj.save()
            form.save_m2m()
            if is_new:
                self.new_objects.append(obj)
                continue
            changed = list(form.changed_data)
            if (
                form.initial.get("position") != obj.position
                and "position" not in changed
            ):
                changed.append("position")
            if changed:
                self.changed_objects.append((obj, changed))
        return self.new_objects + [obj for obj, _ in self.changed_objects]


class OrderedInline(admin.TabularInline):
    form = AnnotationInlineForm
    formset = OrderedInlineFormSet
    ordering = ("position", "pk")
    extra = 1

    class Media:
        js = ("js/admin-reorder.js",)
        css = {"all": ("css/admin-explainer.css",)}


class KeyFactInline(OrderedInline):
    model = KeyFact
    fields = ("position", "label", "text", "anchor")


class QuickAnswerInline(OrderedInline):
    model = QuickAnswer
    fields = ("position", "question", "answer", "anchor")


class FAQInline(OrderedInline):
    model = FAQ
    fields = ("position", "question", "answer", "anchor")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "answer":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 4, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ("created_at", "kind", "note")
    ordering = ("created_at", "pk")
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "note":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)
