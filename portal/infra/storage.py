"""Stored files (photos, logos, resources) behind one small interface: a local folder by default.

Keys are random names chosen here, never paths from a user, and are checked on every access so a
crafted key cannot leave the storage folder.
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app

_KEY = re.compile(r"^[a-z0-9_-]{1,40}/[A-Za-z0-9_-]{8,80}\.[a-z0-9]{1,8}$")


class StorageError(ValueError):
    pass


def _root() -> Path:
    root = Path(current_app.config["STORAGE_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_for(key: str) -> Path:
    if not _KEY.match(key or ""):
        raise StorageError(f"invalid storage key: {key!r}")
    return _root() / key


def send(key: str | None, mimetype: str | None = None, *, max_age: int = 0, as_attachment: bool = False,
         download_name: str | None = None):
    """The one way a stored file goes to a browser: 404 when the key is empty, invalid or its file is
    gone (never a 500), cached for `max_age` seconds."""
    from flask import abort, send_file

    try:
        path = path_for(key or "")
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=mimetype, max_age=max_age, as_attachment=as_attachment,
                     download_name=download_name)


def save(data: bytes, prefix: str, ext: str) -> str:
    """Write bytes under a fresh random key and return the key."""
    key = f"{prefix}/{secrets.token_urlsafe(18)}.{ext.lower().lstrip('.')}"
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: a reader never sees half a file
    return key


def load(key: str) -> bytes:
    return path_for(key).read_bytes()


def exists(key: str | None) -> bool:
    try:
        return bool(key) and path_for(key).is_file()
    except StorageError:
        return False


def delete(key: str | None) -> None:
    if not key:
        return
    try:
        path_for(key).unlink(missing_ok=True)
    except StorageError:
        pass
