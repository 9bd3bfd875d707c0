"""Every kind of page works under the Content Security Policy, checked in Chromium."""

import pytest
import reversion

from tests.factories import PASSWORD, make_article, make_author, make_topic

pytestmark = pytest.mark.browser


def test_no_csp_violations_on_reader_admin_and_embed_pages(
    live_server, browser_page, editor
):
    page = browser_page
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append((page.url, message.text))
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: refused.append((page.url, str(error))))
    article = make_article(
        title="Why the tide turned",
        facts=3,
        answers=2,
        faqs=2,
        corrections=1,
        topics=[make_topic()],
        authors=[make_author()],
    )
    for dek in ("First dek.", "Second dek."):
        with reversion.create_revision():
            article.dek = dek
            article.save()
    base = live_server.url
    for path in (
        "/",
        article.get_absolute_url(),
        "/search/?q=tide",
        "/accounts/login/",
        "/api/docs/",
        f"/embed/{article.slug}/key-facts/",
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert response.headers["content-security-policy"]
        page.wait_for_load_state("load")

    # The admin signs in through the site's sign-in page.
    page.goto(f"{base}/admin/")
    assert "/accounts/login/" in page.url
    page.fill('input[name="login"]', editor.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/admin/")
    for path in (
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/article/{article.pk}/change/",
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")
    # The history's compare form, and the comparison it opens.
    page.goto(f"{base}/admin/articles/article/{article.pk}/history/")
    assert page.locator("#change-history .compare-placeholder").is_hidden()
    page.click('#change-history input[type="submit"]')
    page.wait_for_load_state("load")
    assert "/history/compare/" in page.url
    assert "<ins>Second</ins> dek." in page.content()

    page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    # The inlines' own script runs: "Add another" adds a row.
    rows = page.locator("#key_facts-group .inline-related").count()
    page.locator("#key_facts-group .add-row a").click()
    assert page.locator("#key_facts-group .inline-related").count() == rows + 1
    # The desk's live preview frame loads the reader page's styles within the policy.
    page.get_by_role("button", name="Live preview").click()
    page.locator("#id_dek").fill("Previewed under the policy.")
    frame = page.frame_locator("#desk-preview-frame")
    frame.locator("text=Previewed under the policy.").wait_for()

    assert refused == []
