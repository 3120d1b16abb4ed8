"""Images are checked by content and re-encoded by Pillow: what is stored is our own copy."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from marketplace.errors import ValidationFailed
from marketplace.images import check_image
from tests.profiles.helpers import (
    bomb_png,
    exe_as_png,
    image_bytes,
    jpeg_with_exif,
    oversized_png,
    pdf_file,
    png,
    text_as_png,
    truncated_png,
)

LIMIT = 5 * 1024 * 1024


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_png_is_re_encoded_with_a_thumbnail_and_its_hash():
    checked = check_image(png(size=(1200, 900)), max_bytes=LIMIT, max_side=800, thumb_side=200)

    full = Image.open(io.BytesIO(checked.image.data))
    thumb = Image.open(io.BytesIO(checked.thumbnail.data))
    assert (full.width, full.height) == (800, 600)
    assert max(thumb.size) == 200
    assert checked.image.content_type == "image/jpeg"  # opaque: stored as a photograph
    assert len(checked.image.sha256) == 64


def test_a_photo_loses_its_exif_location_and_camera():
    checked = check_image(jpeg_with_exif(), max_bytes=LIMIT)

    assert b"SecretCam" not in checked.image.data
    assert not Image.open(io.BytesIO(checked.image.data)).getexif()


def test_transparency_is_kept_as_png():
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    checked = check_image(
        SimpleUploadedFile("logo.png", out.getvalue()), max_bytes=LIMIT, square=True
    )

    assert checked.image.content_type == "image/png"
    assert Image.open(io.BytesIO(checked.image.data)).mode == "RGBA"


def test_a_square_crop_for_avatars():
    checked = check_image(png(size=(900, 300)), max_bytes=LIMIT, max_side=256, square=True)

    assert (checked.image.width, checked.image.height) == (256, 256)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (text_as_png(), "does not contain what its name says"),
        (exe_as_png(), "is not a document, image"),
        (truncated_png(), "is not an image we can read"),
        (bomb_png(), "too many pixels"),
        (pdf_file(), "is not an image"),
        (SimpleUploadedFile("a.jpg", image_bytes("PNG")), "does not contain what its name says"),
        (png(size=(8, 8)), "too small"),
    ],
    ids=["text", "exe", "truncated", "bomb", "pdf", "png-named-jpg", "tiny"],
)
def test_what_is_not_a_sound_image_is_refused(upload, message):
    with pytest.raises(ValidationFailed) as caught:
        check_image(upload, max_bytes=LIMIT)

    assert message in str(caught.value.message)


def test_an_oversized_file_is_refused_before_it_is_decoded():
    with pytest.raises(ValidationFailed) as caught:
        check_image(oversized_png(1024), max_bytes=1024)

    assert "files may be at most" in str(caught.value.message)
