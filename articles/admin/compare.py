"""The revision compare page, in the words editors use on the edit page.

django-reversion-compare lists every model field that differs between two
versions under its field name, with a line- or character-level diff, and counts a
foreign key as changed whenever anything else in the row changed (it looks the
value up under the field's name, while versions store it under ``<name>_id``), so
an empty "created by" turned up on every comparison. ``RevisionCompareMixin``
replaces that listing: it shows only the fields an editor can edit, labelled as on
the edit page, then the key facts, quick answers, FAQ and corrections with their
text and each claim's sources (one a line, as the public change history shows
them), and marks the changed words of each value. The package still supplies the
page, its URL and the fallback for versions that can no longer be loaded.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..citations import revision_sources, sources_text
from ..diffs import word_diff
from ..models import ANNOTATION_KINDS, source_model
from .desk import LIST_LABELS


def editable_fields(model, *, skip=()):
    """The fields of `model` an editor fills in, in model order."""
    opts = model._meta
    return [
        field
        for field in [*opts.concrete_fields, *opts.many_to_many]
        if field.editable and not field.primary_key and field.name not in skip
    ]


def stored_value(field, field_dict):
    value = field_dict.get(field.attname)
    if field.many_to_many:
        return sorted(str(pk) for pk in value or ())
    return value


def display_value(field, value):
    """A stored value as the editor would recognise it; "" when there is none."""
    if value is None or value == "" or value == []:
        return ""
    if field.many_to_many or field.many_to_one:
        model = field.related_model
        pks = value if field.many_to_many else [value]
        found = model._default_manager.in_bulk(
            [model._meta.pk.to_python(pk) for pk in pks]
        )
        names = sorted(str(row) for row in found.values())
        missing = len(pks) - len(found)
        if missing:
            names.append(_("%(count)d since deleted") % {"count": missing})
        return ", ".join(names)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _empty():
    return format_html('<span class="word-diff__empty">{}</span>', _("(empty)"))


def text_change(label, old, new):
    """{label, before, after} for a text that differs, changed words marked."""
    before, after = word_diff(old, new)
    return {"label": label, "before": before or _empty(), "after": after or _empty()}


def field_change(field, old, new):
    """{label, before, after} for one field whose stored value differs."""
    old, new = display_value(field, old), display_value(field, new)
    return text_change(capfirst(field.verbose_name), old, new)


def whole_text(label, text, mark):
    """{label, value} for a text of an annotation added ("ins") or removed ("del")."""
    return {"label": label, "value": format_html("<{}>{}</{}>", mark, text, mark)}


def whole_value(field, value, mark):
    return whole_text(capfirst(field.verbose_name), display_value(field, value), mark)


def saved_sources(version):
    """{(kind, claim id): [source dicts]} saved with `version`, in one query.

    Claims' sources are rows of their own in the revision, as on the public change
    history (articles/history.py).
    """
    types = ContentType.objects.get_for_models(
        *(source_model(kind) for kind in ANNOTATION_KINDS)
    )
    models = {content_type.pk: model for model, content_type in types.items()}
    saved = {}
    for row in version.revision.version_set.filter(content_type__in=types.values()):
        saved.setdefault(models[row.content_type_id], []).append(row.field_dict)
    return revision_sources(saved)


class RevisionCompareMixin:
    """Compare two versions of an explainer the way its editors think of it.

    Goes before ``CompareVersionAdmin`` in the bases; ``compare`` replaces the
    package's field walk (see the module docstring).
    """

    # Followed relations shown on the compare page, in page order, with the names
    # editors know them by.
    compare_annotations = tuple(LIST_LABELS.items())

    def compare_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    def compare(self, obj, version1, version2):
        """[{label, diff}] for each changed field, then each changed annotation list.

        The package's compare view calls this with the older version first. The
        second value says whether any field is outside version control; none shown
        here is.
        """
        old, new = version1.field_dict, version2.field_dict
        entries = []
        for field in editable_fields(type(obj)):
            before, after = stored_value(field, old), stored_value(field, new)
            if before != after:
                change = field_change(field, before, after)
                entries.append(
                    {
                        "label": change["label"],
                        "diff": render_to_string(
                            "admin/articles/article/compare_change.html", change
                        ),
                    }
                )
        sources = (saved_sources(version1), saved_sources(version2))
        for name, label in self.compare_annotations:
            items = self.compare_annotation_list(
                obj, name, version1, version2, sources=sources
            )
            if items:
                entries.append(
                    {
                        "label": label,
                        "diff": render_to_string(
                            "admin/articles/article/compare_annotations.html",
                            {"items": items},
                        ),
                    }
                )
        return entries, False

    def compare_annotation_list(self, obj, name, version1, version2, *, sources):
        """The added, changed, removed and reordered rows of one annotation list.

        `sources` holds the claims' sources of each version (`saved_sources`).
        """
        relation = type(obj)._meta.get_field(name)
        kind = relation.related_model
        sources_before, sources_after = sources

        def sources_of(version, saved):
            if kind not in ANNOTATION_KINDS:
                return ""  # corrections cite nothing
            pk = version.field_dict[kind._meta.pk.attname]
            return sources_text(saved.get((kind, pk)))

        # The anchor goes last, and shows only where it changed: it is made from
        # the text unless an editor typed one.
        fields = sorted(
            editable_fields(
                relation.related_model, skip={relation.field.name, "position"}
            ),
            key=lambda field: field.name == "anchor",
        )
        old = self._annotation_versions(obj, relation, version1)
        new = self._annotation_versions(obj, relation, version2)
        items = []
        for pk, version in new.items():
            if pk not in old:
                cited = sources_of(version, sources_after)
                items.append(self._whole_row(_("Added"), version, fields, "ins", cited))
                continue
            before, after = old[pk].field_dict, version.field_dict
            changes = [
                field_change(
                    field, stored_value(field, before), stored_value(field, after)
                )
                for field in fields
                if stored_value(field, before) != stored_value(field, after)
            ]
            cited_before = sources_of(old[pk], sources_before)
            cited_after = sources_of(version, sources_after)
            if cited_before != cited_after:
                changes.append(text_change(_("Sources"), cited_before, cited_after))
            if changes:
                items.append(
                    {
                        "state": _("Changed"),
                        "title": version.object_repr,
                        "fields": changes,
                    }
                )
        items += [
            self._whole_row(
                _("Removed"),
                version,
                fields,
                "del",
                sources_of(version, sources_before),
            )
            for pk, version in old.items()
            if pk not in new
        ]
        # Positions are renumbered whenever a row goes, so only a change in the
        # order of the rows both versions have is worth showing.
        kept_old = [version.object_repr for pk, version in old.items() if pk in new]
        kept_new = [version.object_repr for pk, version in new.items() if pk in old]
        if kept_old != kept_new:
            before, after = word_diff("\n".join(kept_old), "\n".join(kept_new))
            order = {"label": _("Order"), "before": before, "after": after}
            items.append({"state": _("Reordered"), "title": "", "fields": [order]})
        return items

    def _whole_row(self, state, version, fields, mark, cited):
        """An added or removed row: its values, then its sources (`cited`)."""
        values = [(field, stored_value(field, version.field_dict)) for field in fields]
        shown = [
            whole_value(field, value, mark)
            for field, value in values
            if field.name != "anchor" and value not in (None, "")
        ]
        if cited:
            shown.append(whole_text(_("Sources"), cited, mark))
        return {"state": state, "title": version.object_repr, "fields": shown}

    def _annotation_versions(self, obj, relation, version):
        """{pk: version} of the rows of `relation` saved with `version`, in order."""
        model = relation.related_model
        fk = relation.field.attname
        rows = [
            row
            for row in version.revision.version_set.get_for_model(model)
            if str(row.field_dict.get(fk)) == str(obj.pk)
        ]
        order = [
            f for f in model._meta.ordering if f not in {relation.field.name, "pk"}
        ]
        rows.sort(key=lambda row: [*(row.field_dict[f] for f in order), row.object_id])
        return {row.object_id: row for row in rows}
