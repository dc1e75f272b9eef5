"""Stored files (photos, logos, resources) behind one small interface: a local folder by default.

Keys are random names chosen here, never paths from a user, and are checked on every access so a
crafted key cannot leave the storage folder.

One file can be referred to by several rows: a collected photo is the request's, the cart line's, the
order line's and the card's. Features declare the columns where they keep keys (`holds_keys`) and
give up a key with `discard`: the file is deleted after the transaction commits, and only if no
declared column refers to it then. `delete` is only for a file that no row ever referred to.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.infra.extensions import db

log = logging.getLogger(__name__)

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


# Who refers to a file ------------------------------------------------------------------------------

_HOLDERS: list = []  # mapped columns that hold storage keys, declared by the features
_DISCARDED = "storage_discarded"  # Session.info key: keys given up in the current transaction
_CHUNK = 1000


def holds_keys(*columns) -> None:
    """Declare columns that keep storage keys: a file is kept while any of them refers to it."""
    for column in columns:
        if not any(column is known for known in _HOLDERS):
            _HOLDERS.append(column)


def key_columns() -> list:
    return list(_HOLDERS)


def referenced(keys: Iterable[str], connection=None) -> set[str]:
    """The keys among `keys` that some row still refers to (seen by `connection`, else the session)."""
    wanted = sorted({k for k in keys if k})
    execute = (connection or db.session).execute
    found: set[str] = set()
    for column in _HOLDERS:
        for start in range(0, len(wanted), _CHUNK):
            found.update(execute(select(column).where(column.in_(wanted[start:start + _CHUNK]))).scalars())
    return found


def unreferenced(keys: Iterable[str]) -> set[str]:
    keys = {k for k in keys if k}
    return keys - referenced(keys)


def discard(*keys: str | None) -> None:
    """Give up these keys: after the current transaction commits, each file that no row refers to any
    more is deleted. A rollback deletes nothing; a file still referred to elsewhere stays."""
    db.session.info.setdefault(_DISCARDED, set()).update(k for k in keys if k)


@event.listens_for(Session, "after_commit")
def _delete_discarded(session: Session) -> None:
    keys = session.info.pop(_DISCARDED, None)
    if not keys:
        return
    try:
        # The session cannot run SQL here: ask on a connection of its own, which sees the commit.
        with session.get_bind().connect() as connection:
            kept = referenced(keys, connection)
    except Exception:  # noqa: BLE001 - keeping a file is always safe; losing one is not
        log.exception("could not check %d discarded files; they are kept", len(keys))
        return
    for key in keys - kept:
        delete(key)


@event.listens_for(Session, "after_rollback")
def _forget_discarded(session: Session) -> None:
    session.info.pop(_DISCARDED, None)
