"""Rules every model's text follows: slugs, anchors, links and stored text."""

import unicodedata

from anyascii import anyascii
from django.core.validators import URLValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .. import markup

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
