"""Finding English on a translated page, generated from the catalogues (tests/test_no_english_left.py).

`english_strings(language)` lists every English msgid of our catalogue and of Flask-Admin's (admin.po)
that the language writes differently; `leftovers(text_nodes, strings)` returns the ones a page shows
verbatim: as a whole text node (or label: a node without its trailing colon, star or count), or, for
sentences of three words or more and messages with placeholders, inside a node.
"""
from __future__ import annotations

import csv
import io
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parents[1] / "translations"
ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def catalogue_is_empty(language: str) -> bool:
    """True while a catalogue has (almost) no translations: other helpers are filling it."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh, locale=language)
    translated = sum(1 for m in catalogue if m.id and m.string and (not isinstance(m.string, tuple) or all(m.string)))
    return translated < len([m for m in catalogue if m.id]) // 2


class EnglishStrings:
    def __init__(self, exact: set[str], sentences: list[str], patterns: list[tuple[str, re.Pattern]]):
        self.exact, self.sentences, self.patterns = exact, sentences, patterns


def _msgids(message) -> list[tuple[str, str]]:
    """(English, translation) pairs of a message: one, or singular and plural."""
    if isinstance(message.id, tuple | list):
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        return [(message.id[0], strings[0] if strings else ""), (message.id[1], strings[-1] if strings else "")]
    return [(message.id, message.string or "")]


@cache
def english_strings(language: str) -> EnglishStrings:
    exact: set[str] = set()
    sentences: list[str] = []
    patterns: list[tuple[str, re.Pattern]] = []
    catalogues = []
    for domain in ("messages", "admin"):
        with open(TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
            catalogues.append(read_po(fh, locale=language))
    # Words of this language that happen to be spelled like an English message (Danish "By" is "City"):
    # shown as translations, they are not English left over.
    own_words = {" ".join(t.split()) for c in catalogues for m in c if m.id for _e, t in _msgids(m) if t}
    for catalogue in catalogues:
        for message in catalogue:
            if not message.id:
                continue
            for english, translated in _msgids(message):
                english = " ".join(english.split())
                if translated.strip() == english or not re.search(r"[A-Za-z]{2}", _PLACEHOLDER.sub("", english)):
                    continue  # the same in this language (Status, OK, PDF), or nothing but a placeholder
                if _PLACEHOLDER.search(english):
                    literal = max(_PLACEHOLDER.split(english), key=len).strip()
                    if len(literal.split()) >= 2:  # "%(n)d items" alone is too short to tell from data
                        regex = "".join(".+?" if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                                        for part in re.split(f"({_PLACEHOLDER.pattern})", english))
                        patterns.append((literal, re.compile(regex)))
                elif english not in own_words:
                    exact.add(english)
                    if len(english.split()) >= 3:
                        sentences.append(english)
    return EnglishStrings(exact, sentences, patterns)


def _label(text: str) -> str:
    """A node as a label: without a trailing colon or star, a count in brackets, or a list arrow."""
    return re.sub(r"(\s*[:*]|\s*\(\d+\)|\s*[▾»«›‹]|\s*\d+)$", "", text).strip()


_SEPARATORS = re.compile(r"\s*(?:→|·|\||:\s|\s–\s|^–\s|,\s)\s*")


def leftovers(nodes: list[str], strings: EnglishStrings, data: frozenset[str] = frozenset()) -> set[str]:
    """The English strings these nodes show; `data` (user data) is no leftover, whole or between separators."""
    found: set[str] = set()
    nodes = [n for n in nodes if n not in data]
    if data:  # "Street: Storgatan 1 → Gatan 2": the values are data, the rest is ours
        nodes = [" · ".join(p for p in _SEPARATORS.split(n) if p.strip() not in data) for n in nodes]
    joined = "\n".join(nodes)
    for node in nodes:
        if node in strings.exact:
            found.add(node)
        elif (label := _label(node)) in strings.exact and label != node:
            found.add(f"{label} (in {node!r})")
    found.update(s for s in strings.sentences if s in joined and any(s in n and s != n for n in nodes))
    for literal, regex in strings.patterns:
        if literal in joined:
            found.update(f"{regex.pattern} (in {n!r})" for n in nodes if literal in n and regex.search(n))
    return found


class _Visible(HTMLParser):
    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.nodes.append(" ".join(value.split()))
        if tag == "input" and dict(attrs).get("type") in ("submit", "button") and dict(attrs).get("value"):
            self.nodes.append(" ".join(dict(attrs)["value"].split()))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden:
            self.nodes.append(text)


SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_cells(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [" ".join(str(v).split()) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for v in row if v not in (None, "")]


def visible_nodes(body: str, content_type: str) -> list[str]:
    """The text a person reads: HTML text nodes and titles, alt texts, labels and placeholders; CSV cells."""
    if content_type.startswith("text/csv"):
        return [" ".join(cell.split()) for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row if cell.strip()]
    if content_type.startswith("text/plain"):
        return [" ".join(line.split()) for line in body.splitlines() if line.strip()]
    parser = _Visible()
    parser.feed(body)
    return parser.nodes


def html_lang(body: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", body)
    return match.group(1) if match else None
