"""The regency's emblem: one image BKPSDM uploads, checked by its content, kept in the media folder.

The file itself says whether there is an emblem, so the page header needs no
database query to know (a stat of one file); the model row is the admin panel's
handle on it and the audit trail's record of who changed it.
"""

import hashlib
import os
import struct
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 512 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class EmblemRefused(ValueError):
    """An upload that is not a PNG or JPEG picture, or is too large; the message is for the user."""


def emblem_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "identity" / "lambang"


def content_type(data: bytes) -> str | None:
    """PNG or JPEG by their bytes, whatever the file's name says (no SVG: it can carry scripts)."""
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        width, height = struct.unpack(">II", data[16:24])
        return "image/png" if width and height else None
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "image/jpeg"
    return None


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise EmblemRefused(_("The emblem is larger than %(kb)s KB.") % {"kb": MAX_BYTES // 1024})


def check(data: bytes) -> str:
    """The content type of an acceptable emblem, or EmblemRefused saying why not."""
    check_size(len(data))
    kind = content_type(data)
    if kind is None:
        raise EmblemRefused(_("The emblem must be a PNG or JPEG picture (whatever its name says)."))
    return kind


def store(data: bytes) -> str:
    """Write a checked emblem in place of the old one; returns its SHA-256."""
    check(data)
    path = emblem_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, path)  # a page never sees half a picture
    return hashlib.sha256(data).hexdigest()


def remove() -> None:
    emblem_path().unlink(missing_ok=True)


def version() -> str | None:
    """A token that changes with the file (for the image's address, so browsers may keep it long), or None."""
    try:
        stat = emblem_path().stat()
    except FileNotFoundError:
        return None
    # Each upload is a new file (os.replace), so its inode changes even within one clock tick.
    return f"{stat.st_ino:x}{stat.st_mtime_ns:x}{stat.st_size:x}"


def read() -> tuple[bytes, str] | None:
    """The emblem's bytes and content type, or None when BKPSDM has uploaded none."""
    try:
        data = emblem_path().read_bytes()
    except FileNotFoundError:
        return None
    kind = content_type(data)
    return (data, kind) if kind else None
