"""Images and files for the profile tests, made on the spot with Pillow."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.api_helpers import PDF_BYTES


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (640, 480), color: str = "#2b6cb0", **save: object
) -> bytes:
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some structure, so re-encoding has something to keep
        for y in range(size[1]):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def png(name: str = "case.png", **kwargs: object) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", **kwargs), content_type="image/png")  # type: ignore[arg-type]


def jpeg_with_exif(name: str = "photo.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (29.0, 33.0, 0.0)}  # GPSInfo: a latitude
    data = image_bytes("JPEG", exif=exif.tobytes())
    assert b"SecretCam" in data
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def pdf_file(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def text_as_png(name: str = "fake.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/png")


def exe_as_png(name: str = "virus.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png")


def truncated_png(name: str = "broken.png") -> SimpleUploadedFile:
    data = image_bytes("PNG")
    return SimpleUploadedFile(name, data[: len(data) // 2], content_type="image/png")


def bomb_png(name: str = "bomb.png") -> SimpleUploadedFile:
    """A tiny file that claims 10,000 × 10,000 pixels (100 megapixels)."""
    image = Image.new("1", (10_000, 10_000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def oversized_png(limit: int, name: str = "huge.png") -> SimpleUploadedFile:
    """A real PNG padded past `limit` bytes (trailing bytes after IEND)."""
    data = image_bytes("PNG")
    padded = data + b"\x00" * (limit + 1 - len(data))
    return SimpleUploadedFile(name, padded, content_type="image/png")
