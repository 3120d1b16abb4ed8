"""Checking uploaded files by their content, not their name.

A file is accepted only when its first bytes identify an allowed type AND its name's extension
belongs to that type: an executable renamed report.pdf fails the first test, a script renamed
notes.txt.js the second. The size limit is checked before anything is read into memory.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from marketplace.errors import ValidationFailed


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: frozenset[str]


def _kind(content_type: str, *extensions: str) -> FileKind:
    return FileKind(content_type, frozenset(extensions))


PDF = _kind("application/pdf", "pdf")
PNG = _kind("image/png", "png")
JPEG = _kind("image/jpeg", "jpg", "jpeg")
GIF = _kind("image/gif", "gif")
WEBP = _kind("image/webp", "webp")
ZIP = _kind("application/zip", "zip")
DOCX = _kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = _kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PPTX = _kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
ODF = _kind("application/vnd.oasis.opendocument", "odt", "ods", "odp")
OLE = _kind("application/x-ole-storage", "doc", "xls", "ppt")
SEVEN_Z = _kind("application/x-7z-compressed", "7z")
RAR = _kind("application/vnd.rar", "rar")
STEP = _kind("model/step", "step", "stp")
DWG = _kind("image/vnd.dwg", "dwg")
TEXT = _kind("text/plain", "txt", "md", "csv")

ALLOWED_EXTENSIONS = sorted(
    ext
    for kind in (
        PDF,
        PNG,
        JPEG,
        GIF,
        WEBP,
        ZIP,
        DOCX,
        XLSX,
        PPTX,
        ODF,
        OLE,
        SEVEN_Z,
        RAR,
        STEP,
        DWG,
        TEXT,
    )
    for ext in kind.extensions
)
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")


@dataclass(frozen=True)
class CheckedFile:
    """What we learned about an upload: the type its content shows, its size and SHA-256."""

    name: str
    content_type: str
    size: int
    sha256: str


def _zip_kind(upload: UploadedFile) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                if mimetype.startswith("application/vnd.oasis.opendocument"):
                    return ODF
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
                if any(n.startswith("ppt/") for n in names):
                    return PPTX
            return ZIP
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def _is_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if isinstance(data, str):
        data = data.encode()
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def detect_kind(upload: UploadedFile) -> FileKind | None:
    """The allowed kind the content shows, or None."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if head.startswith(_EXECUTABLE_MAGIC):
        return None
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_Z
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    if head.startswith(b"ISO-10303-21;"):
        return STEP
    if head.startswith(b"AC10"):
        return DWG
    # Text last: small enough to decode whole (the size limit has already been applied).
    if _is_text(upload):
        return TEXT
    return None


def check_upload(upload: UploadedFile, *, max_bytes: int) -> CheckedFile:
    """Refuse an oversized, unknown, executable or disguised file; else describe it."""
    name = PurePath(upload.name or "").name.strip()
    if not name:
        raise ValidationFailed(_("The file has no name."))
    if len(name) > 200:
        raise ValidationFailed(_("The file name is longer than 200 characters."))
    size = upload.size or 0
    if size > max_bytes:
        raise ValidationFailed(
            _("%(name)s is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    if size == 0:
        raise ValidationFailed(_("%(name)s is empty.") % {"name": name})
    kind = detect_kind(upload)
    if kind is None:
        raise ValidationFailed(
            _("%(name)s is not a document, image, archive or drawing we accept.") % {"name": name}
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in kind.extensions:
        raise ValidationFailed(
            _("%(name)s does not contain what its name says (its content is %(type)s).")
            % {"name": name, "type": kind.content_type}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        name=name, content_type=kind.content_type, size=size, sha256=digest.hexdigest()
    )


class PrivateStorage(FileSystemStorage):
    """Files no URL reaches: kept under PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT, which the demo
    serves under /media/), handed out only by views that check who asks."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        # Read at each use, so that a test's settings override applies.
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return str(PurePath(self.base_location))

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


_private = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _private


def file_inline_private(*, stored: FieldFile, name: str, content_type: str) -> FileResponse:
    """A private file (an image or a PDF a reviewer looks at) shown inline, never cached by the
    browser or a proxy, and never sniffed or allowed to run script."""
    # as_attachment=False: the Content-Disposition is "inline" with the original name.
    response = FileResponse(
        stored.open("rb"), as_attachment=False, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response


def file_download(*, stored: FieldFile, name: str, content_type: str) -> FileResponse:
    """The stored file as an attachment under its original name, with the type its content was
    detected as; the browser must neither sniff nor render it."""
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
