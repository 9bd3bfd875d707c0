"""The image library in the admin: upload, search and filter, where used, the focal
point picked on the image (no JavaScript needed), and the picker for article bodies."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import FocalPointForm, ImageForm
from .models import Image
from .renditions import Source, renditions_ensure

PREVIEW_WIDTH = 600  # the focal-point picture is shown at exactly this width


def thumbnail(image: Image, width: int = 480, ratio: str = ""):
    """One rendition of `image` (made once), for admin previews."""
    source = Source.of_image(image)
    spec = (width, source.fallback_format, ratio)
    existing = getattr(image, "_prefetched_objects_cache", {}).get("renditions")
    return renditions_ensure(source, [spec], existing=existing)[spec]


def thumbnail_or_none(image: Image, width: int = 480):
    """A preview rendition, or None when the original cannot be read."""
    try:
        return thumbnail(image, width)
    except (OSError, ValueError):
        return None


MISSING = _("The file cannot be read (missing from storage?).")


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("yes", _("Has alt text")), ("no", _("Missing alt text"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(alt_text="")
        if self.value() == "no":
            return queryset.filter(alt_text="")
        return queryset


class TagFilter(admin.SimpleListFilter):
    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = set()
        for value in Image.objects.exclude(tags="").values_list("tags", flat=True):
            tags.update(tag for tag in value.split(",") if tag)
        return [(tag, tag) for tag in sorted(tags)]

    def queryset(self, request, queryset):
        return queryset.tagged(self.value()) if self.value() else queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = (
        "preview_small",
        "title",
        "has_alt_text",
        "credit",
        "tag_text",
        "dimensions",
        "uploaded_at",
    )
    list_display_links = ("preview_small", "title")
    list_filter = (AltTextFilter, TagFilter, "uploaded_at")
    search_fields = ("title", "alt_text", "caption", "credit", "tags")
    list_per_page = 40
    readonly_fields = (
        "preview",
        "snippet",
        "where_used",
        "dimensions",
        "file_size",
        "uploaded_by",
        "uploaded_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def get_fieldsets(self, request, obj=None):
        about = (None, {"fields": ("title", "alt_text", "caption", "credit", "tags")})
        if obj is None:
            return ((None, {"fields": ("file",)}), about, self._focal_fieldset())
        return (
            (None, {"fields": ("preview", "snippet")}),
            about,
            self._focal_fieldset(),
            (_("Use"), {"fields": ("where_used",)}),
            (
                _("File"),
                {"fields": ("dimensions", "file_size", "uploaded_by", "uploaded_at")},
            ),
        )

    def _focal_fieldset(self):
        return (
            _("Focal point"),
            {
                "fields": ("focal_x", "focal_y"),
                "description": _(
                    "The point crops keep in view. Pick it by clicking on the image "
                    "(the “Pick the focal point” button above), or type it here."
                ),
            },
        )

    # Columns and read-only fields

    @admin.display(description=_("preview"))
    def preview_small(self, image):
        rendition = thumbnail_or_none(image)
        if rendition is None:
            return "\u2014"
        height = round(96 * rendition.height / rendition.width)
        return format_html(
            '<img src="{}" width="96" height="{}" alt="" loading="lazy">',
            rendition.url,
            height,
        )

    @admin.display(description=_("preview"))
    def preview(self, image):
        rendition = thumbnail_or_none(image)
        if rendition is None:
            return MISSING
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            rendition.url,
            min(rendition.width, 480),
            round(min(rendition.width, 480) * rendition.height / rendition.width),
            image.alt_text,
        )

    @admin.display(description=_("alt text"), boolean=True)
    def has_alt_text(self, image):
        return bool(image.alt_text.strip())

    @admin.display(description=_("tags"))
    def tag_text(self, image):
        return ", ".join(image.tag_list)

    @admin.display(description=_("size"))
    def dimensions(self, image):
        return f"{image.width} x {image.height}"

    @admin.display(description=_("to show it in a body, paste"))
    def snippet(self, image):
        return format_html(
            '<input type="text" readonly value="{}" size="60" class="figure-snippet" '
            'aria-label="{}">',
            image.reference,
            _("Markdown for this image"),
        )

    @admin.display(description=_("where used"))
    def where_used(self, image):
        using = list(services.articles_using(image))
        if not using:
            return _("Not used in any explainer yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[a.pk]),
                        a.title,
                        a.get_status_display(),
                    )
                    for a in using
                ),
            ),
        )

    # Saving

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
            obj.file_size = obj.file.size
            super().save_model(request, obj, form, change)
            return
        old = {name: form.initial.get(name) for name in services.WATCHED}
        super().save_model(request, obj, form, change)
        services.image_changed(obj, old=old, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        image = self.get_object(request, object_id)
        using = list(services.articles_using(image)) if image else []
        if request.method == "POST" and using:
            messages.error(
                request,
                _("This image is still shown in %(names)s; take it out first.")
                % {"names": ", ".join(f"\u201c{a.title}\u201d" for a in using[:3])},
            )
            return redirect("admin:figures_image_change", image.pk)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.image_delete(image=obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, checked for use
        return actions

    # Addresses of its own: the focal point page and the picker

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/focal-point/",
                view(self.focal_point_view),
                name="figures_image_focal_point",
            ),
            path("picker/", view(self.picker_view), name="figures_image_picker"),
            *super().get_urls(),
        ]

    def focal_point_view(self, request, pk):
        image = get_object_or_404(Image, pk=pk)
        if not self.has_change_permission(request, image):
            raise PermissionDenied
        shown = thumbnail(image, width=PREVIEW_WIDTH)
        shown_height = round(PREVIEW_WIDTH * shown.height / shown.width)
        shown_width = PREVIEW_WIDTH
        if shown.width < PREVIEW_WIDTH:  # small originals are shown at their size
            shown_width, shown_height = shown.width, shown.height
        form = FocalPointForm(
            request.POST if request.method == "POST" else None,
            shown_width=shown_width,
            shown_height=shown_height,
        )
        if request.method == "POST" and form.is_valid():
            services.image_update(
                image=image,
                user=request.user,
                focal_x=form.cleaned_data["focal_x"],
                focal_y=form.cleaned_data["focal_y"],
            )
            messages.success(
                request,
                _("Focal point set to %(x).2f, %(y).2f.")
                % {"x": image.focal_x, "y": image.focal_y},
            )
            return redirect("admin:figures_image_focal_point", pk=image.pk)
        crops = [
            (label, thumbnail(image, width=240, ratio=ratio))
            for label, ratio in (
                (_("Share card"), "40:21"),
                (_("Square"), "1:1"),
                (_("Wide"), "16:9"),
            )
        ]
        return TemplateResponse(
            request,
            "admin/figures/image/focal_point.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": image,
                "title": _("Focal point of “%(title)s”") % {"title": image.title},
                "shown": shown,
                "shown_width": shown_width,
                "shown_height": shown_height,
                "form": form,
                "crops": crops,
            },
        )

    def picker_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "")[:100]
        images = Image.objects.search(query).prefetch_related("renditions")
        page = Paginator(images, 24).get_page(request.GET.get("page"))
        rows = [(image, thumb) for image in page if (thumb := thumbnail_or_none(image))]
        return TemplateResponse(
            request,
            "admin/figures/image/picker.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Insert an image"),
                "query": query,
                "page": page,
                "rows": rows,
                "is_popup": "_popup" in request.GET,
            },
        )
