"""The helpers tests use to look for data in a page (tests/pages.py)."""

from tests.pages import escaped, page_text


def test_page_text_is_the_visible_text_with_entities_unescaped():
    html = (
        "<html><head><title>Hidden</title></head><body><script>var x = 1;</script>"
        "<p>Neil O&#x27;Sullivan\n   &amp; <b>Stacey</b></p><style>p {}</style></body></html>"
    )
    assert page_text(html) == "Neil O'Sullivan & Stacey"


def test_escaped_is_what_a_template_writes():
    assert escaped("Stacey O'Brien <&>") == "Stacey O&#x27;Brien &lt;&amp;&gt;"
