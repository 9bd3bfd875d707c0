"""Figures on the explainer page: markup, the hero, share images and query cost."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image as Pillow

from articles.models import Article
from articles.services import article_changed
from figures.models import Image
from figures.services import image_create, image_update
from tests.factories import make_article

from .files import jpeg_bytes, upload

IMG = re.compile(r"<img\b[^>]*>")


@pytest.fixture
def photo(db, media):
    return image_create(
        file=upload("harbour.jpg", jpeg_bytes()),
        title="Harbour",
        alt_text="Boats in a flooded harbour",
        caption="The harbour at noon",
        credit="Newsroom demo",
    )


def with_hero(article, data=None, name="hero.jpg"):
    article.hero_image = upload(name, data or jpeg_bytes())
    article.hero_alt = "The river from the bridge"
    article.hero_credit = "Ada Photo"
    article.save()
    article_changed(article)  # as every write path does: the hero joins the library
    return article


def size_of(url):
    name = url.split("/media/", 1)[1]
    with default_storage.open(name, "rb") as handle, Pillow.open(handle) as image:
        return image.size


def test_a_figure_in_the_body_shows_with_caption_credit_and_a_responsive_picture(
    client, photo
):
    article = make_article(
        body=f'Before.\n\n![](image:{photo.pk} "High water, 3 May")\n\nAfter.'
    )

    html = client.get(article.get_absolute_url()).content.decode()

    figure = re.search(r'<figure class="figure">.*?</figure>', html, re.S)[0]
    assert "<figcaption>High water, 3 May" in figure
    assert '<small class="figure__credit">Newsroom demo</small>' in figure
    assert 'type="image/webp"' in figure
    img = IMG.search(figure)[0]
    assert 'alt="Boats in a flooded harbour"' in img
    for attribute in ("width=", "height=", "srcset=", "sizes=", 'loading="lazy"'):
        assert attribute in img
    assert "<p><figure" not in html


def test_the_hero_is_sized_responsive_and_not_lazy_and_every_img_is_sized(
    client, photo
):
    article = with_hero(make_article(body=f"Text\n\n![](image:{photo.pk})"))

    html = client.get(article.get_absolute_url()).content.decode()

    images = IMG.findall(html)
    assert len(images) == 2
    hero, figure = images
    assert 'fetchpriority="high"' in hero and "loading=" not in hero
    assert 'loading="lazy"' in figure
    for img in images:
        for attribute in ("width=", "height=", "srcset=", "sizes=", "alt="):
            assert attribute in img
    assert "Image: Ada Photo" in html


def test_the_share_card_is_1200_by_630_around_the_focal_point(client, db, media):
    article = with_hero(make_article())
    hero = Image.objects.get(file=article.hero_image.name)
    image_update(image=hero, focal_x=0.95, focal_y=0.5)

    page = client.get(article.get_absolute_url()).content.decode()

    og = re.search(r'<meta property="og:image" content="([^"]+)"', page)[1]
    twitter = re.search(r'<meta name="twitter:image" content="([^"]+)"', page)[1]
    assert og == twitter and og.startswith("http://testserver/media/")
    assert size_of(og) == (1200, 630)
    # The focal point is in the black right third of the hero: so is the card.
    with default_storage.open(og.split("/media/", 1)[1], "rb") as handle:
        card = Pillow.open(io.BytesIO(handle.read())).convert("RGB")
    assert card.getpixel((1150, 300))[1] < 40
    data = [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', page, re.S
        )
    ]
    news = next(d for d in data if d["@type"] == "NewsArticle")
    assert [size_of(url) for url in news["image"]] == [
        (900, 900),
        (1200, 900),
        (1200, 675),
    ]


def test_the_hero_joins_the_library_without_its_location_data(client, db, media):
    article = with_hero(make_article())

    hero = Image.objects.get(file=article.hero_image.name)
    assert hero.alt_text == "The river from the bridge"
    with default_storage.open(article.hero_image.name, "rb") as handle:
        assert 0x8825 not in Pillow.open(handle).getexif()


def test_an_explainer_without_a_hero_uses_the_site_share_image(client, db):
    article = make_article()

    page = client.get(article.get_absolute_url()).content.decode()

    assert re.search(r'<meta property="og:image" content="[^"]*share\.png', page)


@pytest.mark.parametrize("figures", [1, 15])
def test_page_query_count_does_not_grow_with_figures(
    client, db, django_assert_num_queries, media, figures
):
    images = [
        image_create(
            file=upload(f"p{i}.jpg", jpeg_bytes(size=(640, 360))),
            title=f"Photo {i}",
            alt_text=f"Photo {i}",
        )
        for i in range(figures)
    ]
    body = "\n\n".join(
        f"Paragraph {i}.\n\n![](image:{image.pk})" for i, image in enumerate(images)
    )
    article = with_hero(make_article(body=body), jpeg_bytes(size=(640, 360)))
    url = article.get_absolute_url()
    client.get(url)  # the hero's renditions are made on first view

    # The explainer's five queries (article, authors, topics, annotations, comments;
    # no topic, so no related list), plus the hero's library row and its
    # renditions. Body figures were rendered on save and cost nothing.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.content.decode().count('<figure class="figure">') == figures


def test_the_demo_has_an_explainer_with_a_hero_figures_and_a_chart(client, db, media):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing doubles

    article = Article.objects.get(slug="daylight-saving-time")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'fetchpriority="high"' in html  # the hero
    assert html.count('<figure class="figure">') == 2
    assert "Newsroom demo" in html
    # And a chart from data shipped with the project, with its numbers beside it.
    assert 'role="img"' in html and "Sunrise on 21 December, by clock" in html
    assert "<td>8.07</td>" in html or ">8.07<" in html
    # The hero is the library image itself, with the demo's focal point.
    hero = Image.objects.get(file=article.hero_image.name)
    assert hero.title == "Demo: clock tower at sunrise" and hero.focal_x == 0.66
    assert Image.objects.count() == 3


def test_a_hero_file_gone_from_storage_shows_no_hero_but_the_page(client, db, media):
    article = with_hero(make_article())
    default_storage.delete(article.hero_image.name)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<figure class="hero">' not in html
    assert re.search(r'<meta property="og:image" content="[^"]*share\.png', html)


def test_an_image_from_elsewhere_in_the_body_is_lazy(client, db):
    article = make_article(body="Text\n\n![A map](https://example.org/map.png)\n")

    html = client.get(article.get_absolute_url()).content.decode()

    img = IMG.search(html)[0]
    assert 'src="https://example.org/map.png"' in img and 'loading="lazy"' in img
