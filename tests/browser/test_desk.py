"""The editor's desk in Chromium, walked as editors and writers would."""

import pytest
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from reversion.models import Version

from articles.models import Article, Correction
from tests.factories import make_article, make_user

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_as(browser, live_server):
    """open_as(user, viewport=DESKTOP): a signed-in page in its own browser context."""
    contexts = []

    def make(user, viewport=DESKTOP):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=viewport)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def change_path(article):
    return f"/admin/articles/article/{article.pk}/change/"


def reader_html(live_server, article):
    return Client().get(article.get_absolute_url()).content.decode()


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], [(n["target"], n["html"][:120]) for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_an_editor_goes_from_an_empty_form_to_a_published_explainer(
    live_server, open_as
):
    editor = make_user(role="editor")
    page = open_as(editor)
    loads = []
    page.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame == page.main_frame else None,
    )
    page.goto(f"{live_server.url}/admin/")
    loads.clear()
    clicks = typed = 0

    def click(locator):
        nonlocal clicks
        locator.click()
        clicks += 1

    def type_in(locator, text):
        nonlocal typed
        locator.fill(text)
        typed += 1

    click(page.locator("a[href='/admin/articles/article/add/']").first)
    type_in(page.locator("#id_title"), "Why the tram lines closed")
    type_in(page.locator("#id_body"), "## What happened\n\nThe tram stopped at six.")
    for group, names, items in (
        (
            "key_facts",
            ("label", "text"),
            [("When", "Friday."), ("Where", "Line 4."), ("Who", "12,000 riders.")],
        ),
        ("quick_answers", ("question", "answer"), [("Back soon?", "In May.")] * 2),
        (
            "faqs",
            ("question", "answer"),
            [("Why?", "Worn **rails**."), ("Refunds?", "Yes, in full.")],
        ),
    ):
        for index, values in enumerate(items):
            if index:  # the first card is already there
                click(page.locator(f"#{group}-group .add-row a"))
            for name, value in zip(names, values, strict=True):
                type_in(page.locator(f"#id_{group}-{index}-{name}"), value)
    click(page.get_by_role("button", name="Publish", exact=True))
    page.locator("ul.messagelist li.success").wait_for()

    article = Article.objects.get(title="Why the tram lines closed")
    assert article.is_published()
    assert article.key_facts.count() == 3
    assert article.quick_answers.count() == 2 and article.faqs.count() == 2
    assert "12,000 riders." in reader_html(live_server, article)
    # The measured flow (docs/editing.md): at most two page loads.
    print(f"desk flow: {clicks} clicks, {typed} typed fields, {len(loads)} loads")
    assert len(loads) <= 2
    assert typed == 16  # each field once: nothing typed twice


def test_a_writer_submits_a_live_change_that_waits_for_an_editor(live_server, open_as):
    live = make_article(title="Ferry timetable", dek="Boats every hour.")
    writer_page = open_as(make_user(role="writer"))
    writer_page.goto(f"{live_server.url}{change_path(live)}")
    writer_page.locator("#id_dek").fill("Boats every half hour.")
    writer_page.get_by_role("button", name="Submit for review").click()
    writer_page.locator("ul.messagelist li.success").wait_for()
    assert "Boats every hour." in reader_html(live_server, live)

    editor_page = open_as(make_user(role="editor"))
    editor_page.goto(f"{live_server.url}/admin/")
    editor_page.locator("#waiting-for-review").get_by_role(
        "link", name="Ferry timetable"
    ).click()
    assert editor_page.locator("#id_dek").input_value() == "Boats every half hour."
    assert "Boats every hour." in reader_html(live_server, live)
    editor_page.get_by_role("button", name="Publish", exact=True).click()
    editor_page.locator("ul.messagelist li.success").wait_for()
    assert "Boats every half hour." in reader_html(live_server, live)


def test_two_editors_on_one_explainer_lose_nothing(live_server, open_as):
    article = make_article(status=Article.Status.DRAFT, title="Bridge repairs")
    first = open_as(make_user(role="editor", first_name="Ada"))
    second = open_as(make_user(role="editor", first_name="Ben"))
    second.goto(f"{live_server.url}{change_path(article)}")
    first.goto(f"{live_server.url}{change_path(article)}")
    assert "is editing since" in first.locator("#desk-presence").inner_text()
    # The second tab hears about the first without a reload.
    second.evaluate("window.dispatchEvent(new Event('focus'))")
    second.locator("#desk-presence li").wait_for()

    first.locator("#id_dek").fill("Closed until June.")
    first.get_by_role("button", name="Save draft").click()
    first.locator("ul.messagelist li.success").wait_for()

    second.locator("#id_background").fill("The bridge opened in 1931.")
    second.get_by_role("button", name="Save draft").click()
    errors = second.locator(".errornote, ul.errorlist.nonfield").first
    errors.wait_for()
    page_text = second.content()
    assert "saved this explainer after you opened it" in page_text
    assert "Closed until June." in page_text  # what the other person changed
    assert second.locator("#id_background").input_value() == (
        "The bridge opened in 1931."
    )
    second.get_by_role("button", name="Save draft").click()
    second.locator("ul.messagelist li.success").wait_for()
    article.refresh_from_db()
    assert article.background == "The bridge opened in 1931."


def test_the_live_preview_shows_an_unsaved_change_readers_do_not_see(
    live_server, open_as
):
    live = make_article(title="Water meters", dek="Installed in spring.", facts=1)
    page = open_as(make_user(role="editor"))
    page.goto(f"{live_server.url}{change_path(live)}")
    page.get_by_role("button", name="Live preview").click()
    page.locator("#id_dek").fill("Installed in autumn instead.")
    # The toolbar's Bold wraps the chosen words, and the preview follows.
    body = page.locator("#id_body")
    body.fill("Meters count every litre.")
    body.evaluate("element => element.setSelectionRange(13, 18)")
    page.get_by_role("button", name="Bold").click()
    assert body.input_value() == "Meters count **every** litre."
    frame = page.frame_locator("#desk-preview-frame")
    frame.locator("text=Installed in autumn instead.").wait_for()
    frame.locator("strong", has_text="every").wait_for()
    assert frame.locator("h1").inner_text() == "Water meters"
    assert "Installed in spring." in reader_html(live_server, live)
    assert not Article.objects.filter(dek__contains="autumn").exists()


def test_autosave_brings_back_a_closed_tab(live_server, open_as):
    article = make_article(status=Article.Status.DRAFT, title="Heat pumps")
    editor = make_user(role="editor")
    page = open_as(editor)
    page.goto(f"{live_server.url}{change_path(article)}")
    page.locator("#id_dek").fill("Typed just before the tab closed.")
    page.locator("#desk-autosave-status", has_text="Autosaved at").wait_for()
    page.close()

    page = open_as(editor)
    page.goto(f"{live_server.url}{change_path(article)}")
    page.get_by_role("link", name="Restore the autosaved changes").click()
    assert page.locator("#id_dek").input_value() == "Typed just before the tab closed."


def test_leaving_a_changed_form_asks_first(live_server, open_as):
    article = make_article(status=Article.Status.DRAFT)
    page = open_as(make_user(role="editor"))
    page.goto(f"{live_server.url}{change_path(article)}")
    page.locator("#id_dek").fill("Not saved.")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    with pytest.raises(PlaywrightError):  # the editor chose to stay
        page.goto(f"{live_server.url}/admin/", wait_until="commit")
    assert asked == ["beforeunload"]
    assert page.locator("#id_dek").input_value() == "Not saved."


def test_a_slug_change_redirects_and_a_restore_keeps_the_correction(
    live_server, open_as
):
    live = make_article(title="Snow days", slug="snow-days", dek="Schools shut.")
    page = open_as(make_user(role="editor"))
    page.goto(f"{live_server.url}{change_path(live)}")
    page.locator("#id_slug").fill("snow-days-explained")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator("ul.messagelist li.success").wait_for()
    page.goto(f"{live_server.url}/explainers/snow-days/")
    assert page.url.endswith("/explainers/snow-days-explained/")

    page.goto(f"{live_server.url}{change_path(live)}")
    page.locator("#id_dek").fill("Schools open late.")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator("ul.messagelist li.success").wait_for()
    Correction.objects.create(article=live, note="The first version named no date.")
    first = Version.objects.get_for_object(live).order_by("pk").first()
    page.goto(f"{live_server.url}/admin/articles/article/{live.pk}/history/{first.pk}/")
    page.get_by_role("button", name="Save").first.click()
    message = page.locator("ul.messagelist li.success")
    message.wait_for()
    assert "Kept 1 correction" in message.inner_text()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.locator("ul.messagelist li.success").wait_for()
    live.refresh_from_db()
    html = reader_html(live_server, live)
    assert "Schools shut." in html and "The first version named no date." in html


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_form_and_the_list_fit_the_screen_and_pass_axe(
    live_server, open_as, viewport
):
    live = make_article(facts=3, answers=2, faqs=2, corrections=1)
    page = open_as(make_user(role="editor"), viewport)
    page.goto(f"{live_server.url}{change_path(live)}")
    assert no_sideways_scroll(page)
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/admin/articles/article/")
    assert no_sideways_scroll(page)
    assert serious_violations(page) == []


def test_cards_reorder_by_dragging_their_handle(live_server, open_as):
    article = make_article(status=Article.Status.DRAFT, facts=3)
    page = open_as(make_user(role="editor"), {"width": 1280, "height": 1600})
    page.goto(f"{live_server.url}{change_path(article)}")
    cards = page.locator("#key_facts-group .inline-related:not(.empty-form)")
    cards.nth(0).scroll_into_view_if_needed()
    # As a hand would: press on the third card's handle, move above the first.
    source = cards.nth(2).locator(".card-handle").bounding_box()
    target = cards.nth(0).locator("h3").bounding_box()
    page.mouse.move(source["x"] + 4, source["y"] + 4)
    page.mouse.down()
    page.mouse.move(target["x"] + 10, target["y"] + 2, steps=12)
    page.mouse.up()
    labels = cards.locator("input[name$='-label']")
    assert labels.nth(0).input_value() == "Fact 2"
    positions = cards.locator("input[name$='-position']")
    assert [positions.nth(i).input_value() for i in range(3)] == ["0", "1", "2"]
    page.get_by_role("button", name="Save draft").click()
    page.locator("ul.messagelist li.success").wait_for()
    assert list(article.key_facts.values_list("label", flat=True)) == [
        "Fact 2",
        "Fact 0",
        "Fact 1",
    ]
