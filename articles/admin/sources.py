"""Claims' sources in the explainer admin: a box on each claim's card, and a list
filter for explainers with a claim an editor marked "needs source".

Django's admin nests no inline in another, so a claim's sources are one text box
on its card, one source a line: `address | title | publisher | date | quote`,
only the first two required. The box is read into the dicts the desk keeps
(articles/citations.py) and checked with the model's rules.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..citations import normal_item, sources_prepare
from ..models import ANNOTATION_KINDS, SOURCE_FIELDS

SEPARATOR = " | "


class SourcesField(forms.CharField):
    """A claim's sources, one a line, as a list of source dicts."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 80, "class": "claim-sources"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("sources"))
        kwargs.setdefault(
            "help_text",
            _(
                "One source a line: address | title | publisher | date accessed "
                "(2026-11-20) | short quote. Address and title are required; "
                "leave a part empty to skip it."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            lines = []
            for item in value:
                parts = [str(normal_item(item)[name]) for name in SOURCE_FIELDS]
                while parts and not parts[-1]:
                    parts.pop()
                lines.append(SEPARATOR.join(parts))
            return "\n".join(lines)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return [normal_item(item) for item in value]
        items = []
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|", len(SOURCE_FIELDS) - 1)]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValidationError(
                    _("Line %(number)d: give an address and a title, split by |."),
                    code="source_line",
                    params={"number": number},
                )
            parts += [""] * (len(SOURCE_FIELDS) - len(parts))
            items.append(normal_item(dict(zip(SOURCE_FIELDS, parts, strict=True))))
        return items

    def validate(self, value):
        """Nothing to check here; the claim's form checks each source (`check`)."""


def check_sources(kind, items) -> list:
    """`items` for a `kind` claim, or ValidationError naming each bad line."""
    try:
        sources_prepare(kind, items, where="line")
    except ValidationError as error:
        messages = []
        for key, texts in error.message_dict.items():
            _where, number, field = key.split(".", 2)
            for text in texts:
                messages.append(
                    _("Line %(number)s, %(field)s: %(text)s")
                    % {"number": int(number) + 1, "field": field, "text": text}
                )
        raise ValidationError(messages, code="invalid_source") from None
    return items


class NeedsSourceFilter(admin.SimpleListFilter):
    """Explainers with a claim an editor marked as still needing a source."""

    title = _("needs source")
    parameter_name = "needs_source"

    def lookups(self, request, model_admin):
        return [("yes", _("A claim needs a source")), ("no", _("None flagged"))]

    def queryset(self, request, queryset):
        flagged = Q()
        for kind in ANNOTATION_KINDS:
            rows = kind.objects.filter(article=OuterRef("pk"), needs_source=True)
            flagged |= Exists(rows)
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset
