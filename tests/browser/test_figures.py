"""An explainer with a hero and three figures in headless Chromium: layout shift
while it loads stays below 0.05, and axe finds nothing serious or critical."""

import mimetypes
import time
from pathlib import Path

import pytest
from django.conf import settings

from articles.services import article_changed
from figures.services import image_create
from tests.browser.test_reading import (
    DESKTOP,
    PHONE,
    assert_no_serious_violations,
    screenshot,
)
from tests.factories import make_article
from tests.figures.files import jpeg_bytes, upload

pytestmark = pytest.mark.browser

CLS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) total += entry.value;
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 800);
})"""


@pytest.fixture
def illustrated(db, media):
    images = [
        image_create(
            file=upload(f"scene-{n}.jpg", jpeg_bytes(size=size, colour=colour)),
            title=f"Scene {n}",
            alt_text=f"Scene {n} of the flood",
            caption=f"Caption of scene {n}",
            credit="Newsroom demo",
        )
        for n, (size, colour) in enumerate(
            [((1600, 900), "teal"), ((900, 1200), "olive"), ((1200, 800), "navy")]
        )
    ]
    body = "\n\n".join(
        f"## Part {n}\n\n"
        + "A paragraph of the story before the picture. " * 12
        + f"\n\n![](image:{image.pk})"
        for n, image in enumerate(images)
    )
    article = make_article(title="The flood in pictures", body=body, facts=2)
    article.hero_image = upload("hero.jpg", jpeg_bytes(size=(1600, 900)))
    article.hero_alt = "The flooded river at dawn"
    article.hero_credit = "Newsroom demo"
    article.save()
    article_changed(article)
    return article


def serve_media_slowly(page):
    """Media from this test's folder, each file late, as on a slow connection
    (the live server serves no media without DEBUG)."""
    root = Path(settings.MEDIA_ROOT)

    def handle(route):
        name = route.request.url.split("/media/", 1)[1]
        path = root / name
        if not path.is_file():
            route.fulfill(status=404)
            return
        time.sleep(0.15)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(
            status=200, body=path.read_bytes(), headers={"content-type": kind}
        )

    page.route("**/media/**", handle)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_hero_and_figures_do_not_shift_the_page(
    live_server, illustrated, browser, viewport
):
    page = browser.new_page(viewport=viewport)
    serve_media_slowly(page)

    page.goto(f"{live_server.url}{illustrated.get_absolute_url()}")
    # Read to the end, so the lazy figures load too.
    for _ in range(12):
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(120)
    page.wait_for_load_state("networkidle")

    loaded = page.evaluate(
        "() => [...document.images].map(i => i.complete && i.naturalWidth > 0)"
    )
    assert loaded == [True] * 4
    shift = page.evaluate(CLS)
    print(f"cumulative layout shift ({viewport['width']}px): {shift:.4f}")
    assert shift < 0.05
    assert_no_serious_violations(page, f"figures-{viewport['width']}")
    screenshot(page, f"figures-{viewport['width']}")
    page.close()
