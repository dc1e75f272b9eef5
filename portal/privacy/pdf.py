"""The privacy feature's PDFs (fpdf2): a titled A4 document and paragraphs in the core font."""
from __future__ import annotations

from fpdf import FPDF


class Document(FPDF):
    def __init__(self, title: str):
        super().__init__()
        self.set_auto_page_break(True, margin=15)
        self.add_page()
        self.para(title, size=16, height=9, bold=True)

    def para(self, text, *, size: int = 9, height: float = 5, bold: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, height, latin(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.output())


def latin(text) -> str:
    """The core font covers Latin-1 (all of sv, nb, da, fi); anything else becomes '?'."""
    return str(text).replace("\u2013", "-").replace("\u2192", "->").encode("latin-1", "replace").decode("latin-1")
