"""Announcement pictures: checked, re-encoded and scaled down before they are stored.

An upload is never stored as sent. Pillow decodes it (JPEG, PNG, WebP or GIF only),
the pixels are re-encoded as a small progressive JPEG without metadata (no EXIF
location), and the file gets a random server-side name outside the static folder.
"""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.domain.errors import DomainError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000
MAX_EDGE = 720
JPEG_QUALITY = 70
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
UPLOAD_FOLDER = "uploads"


class InvalidPicture(DomainError):
    """The upload is too large, not a picture, or a format we do not accept."""


def upload_dir(data_dir: Path) -> Path:
    return data_dir / UPLOAD_FOLDER


def store_picture(data: bytes, data_dir: Path) -> str:
    """Re-encode ``data`` and save it; return the new file name.

    Raises InvalidPicture when it is over the size limit, undecodable or not accepted.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidPicture("larger than 5 MB", code="picture-too-large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidPicture(
                    f"format {image.format} is not accepted", code="picture-format"
                )
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise InvalidPicture("too many pixels", code="picture-too-large")
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning) as error:
        raise InvalidPicture("not a readable picture", code="picture-unreadable") from error
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    name = secrets.token_hex(16) + ".jpg"
    folder = upload_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    image.save(folder / name, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return name


def picture_path(data_dir: Path, name: str) -> Path | None:
    """The stored file for a name we generated, or None for anything else."""
    if len(name) != 36 or not name.endswith(".jpg") or not name[:32].isalnum():
        return None
    path = upload_dir(data_dir) / name
    return path if path.is_file() else None


def delete_picture(data_dir: Path, name: str | None) -> None:
    """Remove a stored picture (missing files are fine)."""
    path = picture_path(data_dir, name) if name else None
    if path is not None:
        path.unlink(missing_ok=True)
