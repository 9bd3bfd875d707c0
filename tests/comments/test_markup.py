import pytest

from articles import markup


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Hello", "<p>Hello</p>"),
        ("One\ntwo\n\nThree", "<p>One<br>two</p><p>Three</p>"),
        ("<b>bold</b> & co", "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>"),
        (
            "See https://example.org/x?a=1&b=2.",
            '<p>See <a href="https://example.org/x?a=1&amp;b=2" '
            'rel="nofollow ugc noopener">https://example.org/x?a=1&amp;b=2</a>.</p>',
        ),
        (
            "Go to example.com now",
            '<p>Go to <a href="http://example.com" rel="nofollow ugc noopener">'
            "example.com</a> now</p>",
        ),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ("Mail me@example.org", "<p>Mail me@example.org</p>"),
        ("   \n  ", ""),
    ],
)
def test_render_comment_makes_plain_text_safe(text, html):
    assert markup.render_comment(text) == html


def test_comment_allowlist_drops_anything_but_paragraphs_breaks_and_links():
    dirty = '<p onclick="x">a<img src=x onerror=y><a href="javascript:z">b</a></p>'
    assert markup.sanitize(dirty, markup.COMMENT) == (
        '<p>a<a rel="nofollow ugc noopener">b</a></p>'
    )
