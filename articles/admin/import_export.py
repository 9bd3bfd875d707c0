"""Import an explainer from a file in the admin, and download one as a document.

The formats are those of the `import_explainer` and `export_explainer` commands
(articles/explainer_format/): a document (front matter, then Markdown) or the
plain text of a published page, told apart the way the command does. Importing
takes two posts to one address: the first reads the upload and shows what it
found, the second ("Create the draft") hands it to `services.explainer_import`.
In between, the text rides in a signed, compressed hidden field, so nothing is
stored on the server and nothing has to be uploaded twice; the second post checks
everything again. An import is always a draft, whatever the document says, so
anyone allowed to add explainers may import one.
"""

import dataclasses
import html
import re
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import markup, services
from ..explainer_format import (
    ExplainerFormatError,
    looks_like_document,
    parse_capture,
    parse_document,
    render_document,
)
from ..models import Article, Correction, slug_words, unique_slug

MAX_DOCUMENT_BYTES = 1024 * 1024
# Compressed and base64-encoded, a document of the largest size signs to well under
# twice as many characters; anything longer was not made here.
MAX_SIGNED_CHARS = 2 * MAX_DOCUMENT_BYTES
SIGNING_SALT = "articles.admin.import_export.document"
SIGNED_MAX_AGE = 24 * 60 * 60
# The article fields a document fills in, checked before "Create the draft" is
# offered; the service checks them again, with the rest, when it saves.
CHECKED_FIELDS = (
    "title",
    "slug",
    "dek",
    "source_url",
    "source_title",
    "source_publisher",
    "comments_mode",
)
H2 = re.compile(r"<h2\b[^>]*>(.*?)</h2>", re.DOTALL)


class Source(NamedTuple):
    name: str
    text: str


class ExplainerImportForm(forms.Form):
    """An uploaded file, or the signed text of an earlier upload, checked for import."""

    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_(
            "An explainer document (.md, as “Export document” writes it) or the "
            "plain text copied from a published page (.txt); at most 1 MB of UTF-8."
        ),
        widget=forms.FileInput(
            attrs={"accept": ".md,.markdown,.txt,text/markdown,text/plain"}
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_(
            "Needed for a page capture, which has none; replaces a document's title."
        ),
    )
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        max_length=200,
        help_text=_(
            "Leave empty to use the document's slug, or one made from the title."
        ),
    )
    signed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = None  # what was read, once it parsed
        self.data_found = None
        self.kind = ""

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if not upload:
            return None
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_DOCUMENT_BYTES),
                },
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                _(
                    "“%(name)s” is not UTF-8 text (byte 0x%(byte)02x at position "
                    "%(position)d). Save it as UTF-8 and upload it again."
                ),
                code="encoding",
                params={
                    "name": upload.name,
                    "byte": raw[error.start],
                    "position": error.start,
                },
            ) from None
        if "\x00" in text:
            raise ValidationError(
                _("“%(name)s” is a binary file, not text."),
                code="binary",
                params={"name": upload.name},
            )
        return Source(upload.name, text)

    def clean_signed(self):
        value = self.cleaned_data["signed"]
        if not value or self.files.get(self.add_prefix("document")):
            return None  # a new upload replaces the kept one
        if len(value) > MAX_SIGNED_CHARS:
            raise ValidationError(self._unverified(), code="tampered")
        try:
            loaded = signing.loads(value, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
        except signing.SignatureExpired:
            raise ValidationError(
                _("The checked document has expired: upload it again."),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise ValidationError(self._unverified(), code="tampered") from None
        source = Source(*loaded)
        if len(source.text.encode()) > MAX_DOCUMENT_BYTES:
            raise ValidationError(self._unverified(), code="tampered")
        return source

    @staticmethod
    def _unverified():
        return _("The checked document could not be verified: upload it again.")

    def clean(self):
        cleaned = super().clean()
        if self.has_error("document") or self.has_error("signed"):
            return cleaned
        source = cleaned.get("document") or cleaned.get("signed")
        if source is None:
            self.add_error(
                "document", ValidationError(_("Choose a file."), code="required")
            )
            return cleaned
        where = "document" if cleaned.get("document") else None
        is_document = looks_like_document(source.text)
        try:
            if is_document:
                data = parse_document(source.text)
            else:
                data = parse_capture(source.text, title=cleaned.get("title"))
        except ExplainerFormatError as error:
            self.add_error(where, ValidationError(str(error), code="format"))
            return cleaned
        self.source = source
        self.kind = _("explainer document") if is_document else _("page capture")
        title = cleaned.get("title") or data.title.strip()
        if not title:
            if not self.has_error("title"):
                self.add_error("title", self._no_title(is_document))
            return cleaned
        slug = (
            cleaned.get("slug")
            or data.slug.strip()
            or slug_words(title, max_length=200)
            or unique_slug(Article, title, max_length=200, fallback="explainer")
        )
        self.data_found = dataclasses.replace(data, title=title, slug=slug)
        self._check_fields()
        if Article.objects.filter(slug=slug).exists() and not self.has_error("slug"):
            self.add_error(
                "slug",
                ValidationError(
                    _(
                        "An explainer with the slug “%(slug)s” already exists: "
                        "type another slug."
                    ),
                    code="slug_taken",
                    params={"slug": slug},
                ),
            )
        return cleaned

    @staticmethod
    def _no_title(is_document):
        if is_document:
            message = _(
                "The document has no title: type one here, or add 'title:' to its "
                "front matter."
            )
        else:
            message = _("A page capture has no title: type the explainer's title.")
        return ValidationError(message, code="no_title")

    def _check_fields(self):
        """Refuse, as the service would, a field value the explainer cannot take."""
        article = services.article_from_document(self.data_found)
        skip = [f.name for f in Article._meta.fields if f.name not in CHECKED_FIELDS]
        try:
            article.clean_fields(exclude=skip)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                label = Article._meta.get_field(name).verbose_name
                for item in errors:
                    if name not in self.fields:
                        text = f"{capfirst(label)}: {' '.join(item.messages)}"
                        item = ValidationError(text, code=item.code)
                    self.add_error(name if name in self.fields else None, item)

    @property
    def signed_value(self):
        if self.source is None:
            return ""
        return signing.dumps(tuple(self.source), salt=SIGNING_SALT, compress=True)

    def draft_data(self):
        """What was found, as a draft: a document's status and time are not kept."""
        return dataclasses.replace(
            self.data_found, status=Article.Status.DRAFT.value, publish_at=None
        )


def body_sections(body):
    """The texts of the level-2 headings of a Markdown body, as saving renders it."""
    return [
        html.unescape(strip_tags(heading)).strip()
        for heading in H2.findall(markup.render(body))
    ]


def summary(data):
    """What the import page shows of `ExplainerData` before the draft is made."""
    kinds = dict(Correction.Kind.choices)
    return {
        "sections": body_sections(data.body),
        "key_facts": data.key_facts,
        "quick_answers": data.quick_answers,
        "faqs": data.faqs,
        "corrections": [
            {
                "date": item.date,
                "kind": kinds.get(item.kind, item.kind),
                "note": item.note,
            }
            for item in data.corrections
        ],
        "status_ignored": (
            data.status != Article.Status.DRAFT or data.publish_at is not None
        ),
    }


class ImportExportMixin:
    """The explainer admin's "Import a document" page and "Export document" link.

    Goes first in the bases of the ModelAdmin; `import_export_urls()` goes at the
    start of its `get_urls()`, before the admin's own catch-all object addresses.
    """

    import_template = "admin/articles/article/import.html"
    # Adds the import link to reversion's list template, which it extends.
    change_list_template = "admin/articles/article/change_list.html"

    def import_export_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            form = ExplainerImportForm()
        else:
            form = ExplainerImportForm(request.POST, request.FILES)
            # Creating needs the text checked and shown by the previous step.
            confirmed = "_create" in request.POST and not request.FILES
            if form.is_valid() and confirmed:
                response = self._import_create(request, form)
                if response is not None:
                    return response
        found = form.data_found if form.is_bound and not form.errors else None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a document"),
            "opts": self.opts,
            "form": form,
            "found": found,
            "summary": summary(found) if found is not None else None,
        }
        return TemplateResponse(request, self.import_template, context)

    def _import_create(self, request, form):
        """Create the draft and go to it; None (and a form error) if refused."""
        try:
            article = services.explainer_import(
                data=form.draft_data(),
                title=form.data_found.title,
                slug=form.data_found.slug,
                user=request.user,
                origin=form.source.name,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return None
        self.log_addition(
            request,
            article,
            gettext("Imported from %(name)s.") % {"name": form.source.name},
        )
        self.message_user(
            request,
            gettext(
                "Created the draft “%(title)s” from %(name)s. Check it, then save "
                "it or send it on as usual."
            )
            % {"title": article.title, "name": form.source.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._import_export_change_url(article))

    def export_view(self, request, object_id):
        """Download the explainer as `export_explainer` writes it (its stored state)."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        try:
            text = render_document(article)
        except ExplainerFormatError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self._import_export_change_url(article))
        response = HttpResponse(
            text.encode("utf-8"), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{article.slug}.md"
        )
        return response

    def _import_export_change_url(self, article):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_change".format(*info), args=[article.pk])
