"""Every write to the image library (HSX-style services: keyword-only, checked, atomic)."""

import reversion
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from .models import Image
from .renditions import renditions_delete
from .uploads import upload_clean

# What a figure in a body shows of its image; a change redraws those bodies.
SHOWN_IN_FIGURES = ("alt_text", "caption", "credit")
WATCHED = (*SHOWN_IN_FIGURES, "focal_x", "focal_y")

EDITABLE = ("title", "alt_text", "caption", "credit", "tags", "focal_x", "focal_y")


@transaction.atomic
def image_create(*, file, user=None, **fields) -> Image:
    """Check `file` (figures/uploads.py), store a clean copy, record it."""
    cleaned = upload_clean(file)
    if not fields.get("title"):
        fields["title"] = (
            cleaned.name.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")
        )
    image = Image(file=cleaned, uploaded_by=user, file_size=cleaned.size, **fields)
    image.full_clean()
    image.save()
    return image


def articles_using(image: Image):
    """Explainers whose body or background shows the image, or whose hero it is."""
    from articles.models import Article

    pattern = rf"\(\s*image:{image.pk}[\s)]"
    return Article.objects.filter(
        Q(body__regex=pattern)
        | Q(background__regex=pattern)
        | Q(hero_image=image.file.name)
    ).order_by("title")


@transaction.atomic
def image_update(*, image: Image, user=None, **fields) -> Image:
    """Change an image's details; a new focal point drops the old crops."""
    old = {
        name: getattr(image, name) for name in (*SHOWN_IN_FIGURES, "focal_x", "focal_y")
    }
    for name, value in fields.items():
        if name not in EDITABLE:
            raise TypeError(f"{name} cannot be changed")
        setattr(image, name, value)
    image.full_clean()
    image.save()
    image_changed(image, old=old, user=user)
    return image


def image_changed(image: Image, *, old: dict, user=None) -> None:
    """After a change to `image` (its values before in `old`): drop crops around an
    old focal point, redraw the bodies showing it, refresh pages using it."""
    from articles import versions
    from articles.services import article_changed

    if (image.focal_x, image.focal_y) != (old["focal_x"], old["focal_y"]):
        focal_changed(image)
    redraw = any(getattr(image, name) != old[name] for name in SHOWN_IN_FIGURES)
    using = list(articles_using(image))
    if not using:
        return
    with reversion.create_revision():
        for article in using:
            if redraw:
                article.save()  # Article.save renders the body again
                article_changed(article)
                reversion.add_to_revision(article)
            else:  # the hero's crops are read per page: a new cache version will do
                versions.article_bump(article.pk)
        reversion.set_user(user)
        reversion.set_comment(f"Image \u201c{image.title}\u201d changed.")


def focal_changed(image: Image) -> None:
    """Crops made around the old focal point are no longer right: remove them."""
    for rendition in image.renditions.exclude(ratio=""):
        default_storage.delete(rendition.file)
        rendition.delete()


@transaction.atomic
def image_delete(*, image: Image) -> None:
    """Delete an image no explainer shows any more (files and renditions too)."""
    using = list(articles_using(image))
    if using:
        names = ", ".join(f"\u201c{article.title}\u201d" for article in using[:3])
        raise ValidationError(
            f"This image is still shown in {names}; take it out of the text first.",
            code="in_use",
        )
    name = image.file.name
    renditions_delete(name)
    image.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
