"""Library images in Markdown: `![alt](image:42 "caption")` becomes a `<figure>`.

Registered with figures.markup when imported (figures.markup loads it lazily).
"""

from django.utils.html import escape, format_html

from .markup import Reference, register_reference
from .models import Image, Rendition
from .renditions import BODY_SIZES, Source, picture


def images_load(pks: set[int]) -> dict[int, Image]:
    return {image.pk: image for image in Image.objects.filter(pk__in=pks)}


def picture_html(pic, *, alt: str, sizes: str, lazy: bool) -> str:
    """A `<picture>`: modern formats as sources, the fallback `<img>` sized."""
    sources = "".join(
        format_html('<source type="{}" srcset="{}" sizes="{}">', mime, srcset, sizes)
        for mime, srcset in pic.sources
    )
    loading = ' loading="lazy" decoding="async"' if lazy else ""
    return (
        f"<picture>{sources}"
        + format_html(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"',
            pic.src,
            pic.srcset,
            sizes,
            pic.width,
            pic.height,
            alt,
        )
        + f"{loading}></picture>"
    )


def image_render(image: Image, ref: Reference) -> str:
    renditions = list(Rendition.objects.filter(source=image.file.name))
    pic = picture(Source.of_image(image), existing=renditions)
    alt = ref.alt or image.alt_text
    html = picture_html(pic, alt=alt, sizes=BODY_SIZES, lazy=True)
    if not ref.block:
        return html
    caption = ref.title or image.caption
    parts = []
    if caption:
        parts.append(escape(caption))
    if image.credit:
        parts.append(
            format_html('<small class="figure__credit">{}</small>', image.credit)
        )
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    return f'<figure class="figure">{html}{figcaption}</figure>'


def image_check(image: Image, ref: Reference) -> str | None:
    if not (ref.alt or image.alt_text.strip()):
        return (
            f"Image {image.pk} (\u201c{image.title}\u201d) has no alt text. Add it in "
            "the image library, or write it between the brackets: ![alt](image:"
            f"{image.pk}), before publishing."
        )
    return None


register_reference(
    "image", load=images_load, render=image_render, check=image_check, label="image"
)
