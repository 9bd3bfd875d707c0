"""The explainer's hero image through the library.

`Article.hero_image` stays a file field (the API, import/export and the desk read
it), but every hero is also a library image: `heroes_adopt` (called by
articles.services.articles_changed after each write) checks the file as an upload
is checked, rewrites it without EXIF and records an Image for it, so the hero has a
focal point, renditions, and shows in the library's "where used". Pages print only
renditions: a sized, non-lazy `<picture>`, the 1200x630 share card around the
focal point, and the 1:1, 4:3 and 16:9 images JSON-LD offers to search engines.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from .models import Image, Rendition
from .renditions import HERO_SIZES, Source, picture, renditions_ensure
from .uploads import upload_clean

logger = logging.getLogger(__name__)

SHARE_CARD = (1200, "40:21")  # 1200 x 630
STRUCTURED_RATIOS = ("1:1", "4:3", "16:9")


def heroes_adopt(articles) -> None:
    """Make sure each article's hero file is a clean library image (see module
    doc): one query while the heroes are already library images, as they are after
    their own saves."""
    with_hero = [article for article in articles if article.hero_image]
    if not with_hero:
        return
    names = [article.hero_image.name for article in with_hero]
    images = {image.file.name: image for image in Image.objects.filter(file__in=names)}
    for article in with_hero:
        _adopt(article, images.get(article.hero_image.name))


def _adopt(article, image) -> None:
    """Adopt one hero file; `image` is its library row if it has one already."""
    if image is not None:
        if article.hero_alt and not image.alt_text:
            Image.objects.filter(pk=image.pk).update(alt_text=article.hero_alt)
        return
    name = article.hero_image.name
    try:
        with default_storage.open(name, "rb") as handle:
            handle.name = name
            handle.size = default_storage.size(name)
            cleaned = upload_clean(handle)
    except (ValidationError, OSError) as error:
        logger.warning("Hero %s of article %s not adopted: %s", name, article.pk, error)
        return
    # Same name, clean content: the raw upload (with its EXIF) is gone.
    default_storage.delete(name)
    stored = default_storage.save(name, cleaned)
    if stored != name:
        type(article).objects.filter(pk=article.pk).update(hero_image=stored)
        article.hero_image.name = stored
    image = Image(
        title=article.title[:200] or stored,
        alt_text=article.hero_alt,
        credit=article.hero_credit,
        file_size=cleaned.size,
    )
    image.file.name = stored
    image.width, image.height = _size_of(stored)
    image.save()


def _size_of(name):
    from PIL import Image as PillowImage

    with default_storage.open(name, "rb") as handle, PillowImage.open(handle) as opened:
        return opened.size


class Hero:
    """The renditions a page needs of one article's hero, read with two queries."""

    def __init__(self, article):
        name = article.hero_image.name
        image = Image.objects.filter(file=name).first()
        if image is not None:
            self.source = Source.of_image(image)
        else:  # not adopted yet: centred crops
            self.source = Source(
                name=name,
                width=article.hero_width or 1,
                height=article.hero_height or 1,
                has_alpha=name.lower().endswith((".png", ".gif")),
            )
        self.existing = list(Rendition.objects.filter(source=name))
        self.alt = article.hero_alt or (image.alt_text if image else "")
        self._picture = None

    def picture(self):
        if self._picture is None:
            self._picture = picture(self.source, existing=self.existing)
        return self._picture

    def crop(self, width, ratio):
        spec = (width, self.source.fallback_format, ratio)
        rendition = renditions_ensure(self.source, [spec], existing=self.existing)[spec]
        self._remember([rendition])
        return rendition

    def _remember(self, renditions):
        known = {r.pk for r in self.existing}
        self.existing.extend(r for r in renditions if r.pk not in known)

    @property
    def share_card(self):
        return self.crop(*SHARE_CARD)

    def structured(self):
        return [self.crop(1200, ratio) for ratio in STRUCTURED_RATIOS]


def hero_of(article) -> Hero | None:
    """The article's Hero, made once per request (memoised on the instance)."""
    if not article.hero_image:
        return None
    if getattr(article, "_figures_hero", None) is None:
        try:
            hero = Hero(article)
            # Everything a page may print, made now (once) or read: a missing or
            # unreadable original shows no hero rather than failing the page.
            hero.picture()
            hero.share_card  # noqa: B018
            hero.structured()
        except (OSError, ValueError) as error:
            logger.warning("Hero of article %s unreadable: %s", article.pk, error)
            return None
        article._figures_hero = hero
    return article._figures_hero


__all__ = ["HERO_SIZES", "Hero", "hero_of", "heroes_adopt"]
