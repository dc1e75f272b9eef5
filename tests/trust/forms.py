"""Reading the POST forms of a rendered page, so tests can send them back with hostile values."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"", "text", "email", "search", "tel", "url", "password"}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    maxlength: int | None = None
    picker: bool = False  # a date picker: anything but a date is refused as not a date

    @property
    def is_text(self) -> bool:
        return not self.picker and (self.kind == "textarea" or self.kind in TEXT_TYPES)


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)
    multipart: bool = False

    def data(self) -> dict:
        return {f.name: f.value for f in self.fields}


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self._form, self._textarea, self._select = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(a.get("action") or self.page_url, multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
        if self._form is None or "name" not in a or "disabled" in a:
            return
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input":
            kind = a.get("type", "").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            picker = "picker" in a.get("data-role", "")
            self._form.fields.append(Field(a["name"], kind, a.get("value", ""), maxlength, picker))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "", maxlength)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select", None)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select.value is None or "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            if self._select is not None and self._select.value is None:
                self._select.value = ""
            self._select = None


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = _Parser(page_url)
    parser.feed(html)
    return parser.forms
