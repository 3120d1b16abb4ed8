"""Checking uploaded images, then re-encoding them with Pillow.

An image passes `marketplace.files.check_upload` first (size limit, content sniffing, the name's
extension agrees with the content), must be one of the web image types, and is then decoded in
full by Pillow and written out again from its pixels. What we store is that re-encoded copy: any
metadata (EXIF with a phone's location), trailing bytes or a second file hidden inside the first
(a "polyglot") are gone, and a file that only pretends to be an image fails to decode. A limit on
pixels refuses decompression bombs before they are decoded.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import ValidationFailed
from marketplace.files import GIF, JPEG, PNG, WEBP, check_upload

IMAGE_KINDS = (PNG, JPEG, GIF, WEBP)
IMAGE_EXTENSIONS = sorted(ext for kind in IMAGE_KINDS for ext in kind.extensions)
# 40 megapixels: a phone photo is 12 to 50; beyond that we refuse rather than decode.
MAX_PIXELS = 40_000_000
MIN_SIDE = 16


@dataclass(frozen=True)
class EncodedImage:
    """An image written out again by us: its bytes, their type, size and SHA-256."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class CheckedImage:
    name: str
    image: EncodedImage
    thumbnail: EncodedImage


def _encode(image: Image.Image, *, photo: bool) -> EncodedImage:
    """JPEG for photographs (no transparency), PNG for the rest."""
    out = io.BytesIO()
    if photo:
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
        content_type, extension = JPEG.content_type, "jpg"
    else:
        image.save(out, format="PNG", optimize=True)
        content_type, extension = PNG.content_type, "png"
    data = out.getvalue()
    return EncodedImage(
        data=data,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _decode(upload: UploadedFile, name: str) -> Image.Image:
    refused = ValidationFailed(_("%(name)s is not an image we can read.") % {"name": name})
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationFailed(
                    _("%(name)s has too many pixels (%(w)d × %(h)d); use at most 40 megapixels.")
                    % {"name": name, "w": probe.width, "h": probe.height}
                )
            probe.verify()  # structure and checksums, without decoding the pixels
            image: Image.Image = Image.open(io.BytesIO(raw))
            image.load()  # every pixel: a truncated or corrupt file fails here
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(
            _("%(name)s has too many pixels; use at most 40 megapixels.") % {"name": name}
        ) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise refused from None
    if min(image.width, image.height) < MIN_SIDE:
        raise ValidationFailed(
            _("%(name)s is too small; use an image at least %(n)d pixels on each side.")
            % {"name": name, "n": MIN_SIDE}
        )
    # Apply the camera's orientation, then forget the metadata with the rest of the file.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    return image


def _has_alpha(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA"):
        return False
    extrema = image.getchannel("A").getextrema()
    low = extrema[0] if isinstance(extrema, tuple) else extrema
    return isinstance(low, (int, float)) and low < 255


def check_image(
    upload: UploadedFile,
    *,
    max_bytes: int,
    max_side: int = 2400,
    thumb_side: int = 480,
    square: bool = False,
) -> CheckedImage:
    """Refuse anything but a sound PNG, JPEG, GIF or WebP within `max_bytes`; else the image
    re-encoded (at most `max_side` pixels on its long side, or cropped to a square of that side
    when `square`) and a thumbnail of at most `thumb_side`."""
    checked = check_upload(upload, max_bytes=max_bytes)
    if checked.content_type not in {kind.content_type for kind in IMAGE_KINDS}:
        raise ValidationFailed(
            _("%(name)s is not an image: use a PNG, JPEG, GIF or WebP file.")
            % {"name": checked.name}
        )
    image = _decode(upload, checked.name)
    photo = checked.content_type == JPEG.content_type or not _has_alpha(image)
    if not photo and image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    if square:
        full = ImageOps.fit(image, (max_side, max_side), Image.Resampling.LANCZOS)
        if min(image.width, image.height) < max_side:
            side = min(image.width, image.height)
            full = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
    else:
        full = image.copy()
        full.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = full.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return CheckedImage(
        name=checked.name, image=_encode(full, photo=photo), thumbnail=_encode(thumb, photo=photo)
    )
