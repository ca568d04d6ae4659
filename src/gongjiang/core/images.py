"""The platform's one check of an uploaded image (activity photos, result photos, news images).

:func:`image_check` takes an upload (or bytes) and returns a :class:`CheckedImage`, or raises an
:class:`~gongjiang.core.errors.ApplicationError` naming the form field:

* the size: at most ``max_bytes`` (never more than ``MAX_UPLOAD_SIZE``), read with a bound — no
  more than the limit + 1 byte is ever read (``too_large``, ``empty``);
* the format told by content, never by the name or the declared type: the first bytes must be a
  JPEG, PNG or WebP signature among ``formats``, and Pillow opens the file with that decoder only
  (``invalid_image``);
* the pixels: width × height from the header, checked before a pixel is decoded, at most
  ``max_pixels`` (a "decompression bomb" — a few KB that unpack to gigabytes — is refused here,
  ``too_many_pixels``);
* the whole image decodes (a truncated or damaged file is refused, ``invalid_image``).

What is returned is a new file encoded from the decoded pixels (the camera's orientation applied
first): no EXIF (the phone's GPS position, make, owner), no XMP, no comments or text chunks, no ICC
profile, and nothing appended to the upload (a script, a second format) survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ApplicationError, field_error

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str  # JPEG, PNG or WEBP
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def sniff(head: bytes) -> str:
    """The image format told by the first bytes ("" for none of JPEG, PNG, WebP)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return ""


def _read(source: Any, field: str, limit: int) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source[: limit + 1])
    else:
        if source is None:
            raise field_error(field, _("Choose a file."), "required", status=422)
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise _too_large(field, limit)
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise _too_large(field, limit)
    if not data:
        raise field_error(field, _("The file is empty."), "empty", status=422)
    return data


def _too_large(field: str, limit: int) -> ApplicationError:
    mb = max(limit // (1024 * 1024), 1)
    return field_error(
        field, _("An image is at most %(mb)s MB.") % {"mb": mb}, "too_large", status=422
    )


def _not_image(field: str, formats: tuple[str, ...]) -> ApplicationError:
    names = "、".join(_NAMES[f] for f in formats)
    return field_error(
        field,
        _("Upload an image (%(formats)s); this file is not one.") % {"formats": names},
        "invalid_image",
        status=422,
    )


def _too_many_pixels(field: str, pixels: int) -> ApplicationError:
    return field_error(
        field,
        _("The image has too many pixels (at most %(mp)s megapixels).")
        % {"mp": max(pixels // 1_000_000, 1)},
        "too_many_pixels",
        status=422,
    )


def image_check(
    source: Any,
    *,
    field: str = "image",
    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP"),
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    max_side: int | None = None,
    output: str | None = None,
) -> CheckedImage:
    """Check an uploaded image and encode it again from its pixels (see the module's text).

    ``max_side`` shrinks a larger image to fit (aspect kept); ``output`` is the format stored
    (``"JPEG"``), by default the upload's own format."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = min(max_bytes or DEFAULT_MAX_BYTES, settings.MAX_UPLOAD_SIZE)
    pixels = max_pixels or DEFAULT_MAX_PIXELS
    data = _read(source, field, limit)
    fmt = sniff(data[:16])
    if fmt not in formats:
        raise _not_image(field, formats)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                width, height = probe.size
                if width < 1 or height < 1:
                    raise _not_image(field, formats)
                if width * height > pixels:
                    raise _too_many_pixels(field, pixels)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                target = output or fmt
                image = _mode_for(image, target)
                if max_side:
                    image.thumbnail((max_side, max_side))
                # comments, XMP, text chunks, ICC: nothing but the pixels (and which of a
                # palette's colours is transparent, which is part of them)
                transparency = image.info.get("transparency")
                image.info.clear()
                out = io.BytesIO()
                options: dict[str, Any] = {}
                if transparency is not None and target == "PNG":
                    options["transparency"] = transparency
                if target == "JPEG":
                    options = {"quality": 85, "optimize": True}
                elif target == "WEBP":
                    options = {"quality": 85}
                image.save(out, format=target, **options)
                return CheckedImage(out.getvalue(), target, image.width, image.height)
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(field, pixels) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _not_image(field, formats) from exc


def _mode_for(image: Any, target: str) -> Any:
    from PIL import Image

    if target == "JPEG":
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))  # transparency on white
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return image.convert("RGB") if image.mode != "L" else image
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        return image.convert("RGBA")
    return image
