"""What a customer resource or request attachment must be before it is stored: judged by its bytes,
with a name that agrees, pictures whole and without metadata, and no markup posing as text."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from portal.infra.images import ImageRejected, clean_copy

# The endings a file of each kind may carry (what the name promises must be what the bytes are).
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "text/plain": ("txt", "csv", "md", "log"),
}
KIND_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "text/plain": "text"}
_MARKUP = re.compile(rb"<\s*(?:script|svg|html|!doctype|iframe|object|embed|\?xml)", re.I)


class FileRejected(ValueError):
    """str() is the translated message for the person uploading."""


def checked_file(data: bytes, filename: str, kind: str, max_bytes: int) -> bytes:
    """The bytes to store for a sniffed file of `kind`, or FileRejected saying why not."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS.get(kind, ()):
        raise FileRejected(_l("The file name ends in .%(ext)s but the file is %(kind)s. Rename it or choose the "
                              "right file.", ext=ext or "…", kind=KIND_NAMES.get(kind, kind.rsplit(".", 1)[-1])))
    if kind == "text/plain" and _MARKUP.search(data[:65536]):
        raise FileRejected(_l("Upload PDF, Word, Excel, PNG, JPEG or text files only."))
    if kind.startswith("image/"):
        try:
            return clean_copy(data, max_bytes=max_bytes)
        except ImageRejected as exc:
            if exc.code == "unreadable":
                raise FileRejected(_l("The picture is damaged or incomplete. Please take or choose it again.")) from exc
            raise FileRejected(str(exc)) from exc
    return data
