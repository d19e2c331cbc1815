"""Every form that takes case text keeps a draft (issue 19): checked on every page any test
renders, so a new case form that is not opted in fails the suite on its first test.

A form takes case text if it has a text area; opting in is `{% draft_offer %}` before the form
and `data-keep-draft` on it (the background save, the offer after a time-out or a refusal).
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._open = {"action": attributes.get("action") or "", "keeps": "data-keep-draft"
                          in attributes, "text": False}  # fmt: skip
            self.forms.append(self._open)
        elif tag == "textarea" and self._open is not None:
            self._open["text"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_without_drafts(html: str) -> list[str]:
    """The actions of the POST forms in `html` that take case text and keep no draft."""
    parser = _Forms()
    parser.feed(html)
    return [form["action"] or "(its own page)" for form in parser.forms
            if form["text"] and not form["keeps"]]  # fmt: skip


class CaseFormsKeepDrafts:
    """Test-only middleware: a page with a case-text form that keeps no draft is an error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and b"<textarea" in response.content
        ):
            lost = forms_without_drafts(response.content.decode())
            assert not lost, f"{request.path}: case-text forms keep no draft: {lost}"
        return response
