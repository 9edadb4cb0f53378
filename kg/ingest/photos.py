"""Photos of a CSV's photo column as data URIs: embedded at load time, never fetched from the web."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

PHOTO_LIMIT = 96 * 1024  # bytes of one image (its data URI then fits in one CSV cell, ~128 KB of text)
WEB = "web"  # the problem of a web address: counted, never fetched
_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
          ".webp": "image/webp"}
_DATA_URI = re.compile(r"data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/\s]*={0,2})", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """The raster image type of some bytes, from their signature (None: not png, jpeg, gif or webp).

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"GIF89a..."), sniff(b"<svg>")
    ('image/png', 'image/gif', None)
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_uri(cell: str, folder: Path) -> tuple[str | None, str | None]:
    """(data URI, None) for a photo cell, or (None, problem); the problem :data:`WEB` for a web address.

    A ``data:image/...;base64,`` value is kept when it decodes to that image type; anything else names an
    image file relative to ``folder`` (png, jpeg, gif, webp), read and encoded. Both are capped at
    :data:`PHOTO_LIMIT` bytes of image.

    >>> photo_uri("https://example.org/a.png", Path("."))
    (None, 'web')
    >>> photo_uri("data:image/gif;base64,R0lGODlhAQABAAAAACw=", Path("."))[0][:22]
    'data:image/gif;base64,'
    >>> photo_uri("data:image/svg+xml;base64,PHN2Zz4=", Path("."))[1]
    'not a png, jpeg, gif or webp data URI'
    """
    text = cell.strip()
    lower = text[:8].lower()
    if lower.startswith(("http://", "https://", "//", "ftp://")):
        return None, WEB
    if lower.startswith("data:"):
        m = _DATA_URI.fullmatch(text)
        if m is None:
            return None, "not a png, jpeg, gif or webp data URI"
        try:
            data = base64.b64decode(re.sub(r"\s", "", m.group(2)), validate=True)
        except (binascii.Error, ValueError):
            return None, "the data URI is not valid base64"
        if len(data) > PHOTO_LIMIT:
            return None, f"the image is larger than {PHOTO_LIMIT // 1024} KB"
        if sniff(data) != m.group(1).lower():
            return None, f"the data is not a {m.group(1).lower()} image"
        return f"data:{m.group(1).lower()};base64,{base64.b64encode(data).decode()}", None
    path = folder / text
    if path.suffix.lower() not in _TYPES:
        return None, "not an image file name (png, jpg, gif, webp) nor a data URI"
    try:
        if path.stat().st_size > PHOTO_LIMIT:
            return None, f"the image file is larger than {PHOTO_LIMIT // 1024} KB"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the image file ({exc.strerror})"
    kind = sniff(data)
    if kind is None or len(data) > PHOTO_LIMIT:
        return None, "the file is not a png, jpeg, gif or webp image"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}", None


def photo_image(uri: str) -> tuple[str, bytes] | None:
    """(media type, bytes) of a photo kept as a data URI (as :func:`photo_uri` writes them); None for anything
    else. The static drawings embed these and nothing else: never a file, never a web address.

    >>> photo_image("data:image/gif;base64,R0lGODlhAQABAAAAACw=")[0]
    'image/gif'
    >>> photo_image("https://example.org/a.png"), photo_image("data:image/png;base64,R0lGODlh")
    (None, None)
    """
    m = _DATA_URI.fullmatch(uri.strip()) if uri.startswith("data:") else None
    if m is None:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s", "", m.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return None
    kind = m.group(1).lower()
    return (kind, data) if sniff(data) == kind and len(data) <= PHOTO_LIMIT else None
