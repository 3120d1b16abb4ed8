"""Daphne hands request bodies to Django unparsed.

Daphne's requests are Twisted's, and Twisted parses a multipart/form-data POST body itself
(`Request.requestReceived`) before Daphne passes the raw body on to the ASGI application. Django
parses it again, with its own limits (DATA_UPLOAD_MAX_NUMBER_FIELDS, FILE_UPLOAD_MAX_MEMORY_SIZE,
the API's API_MAX_MULTIPART_BYTES). The first parse is wasted work on every upload, and a body
Twisted cannot parse never reaches Django: Twisted answers it with a bare "400 Bad Request" and
hangs up, so an API client gets no error body and the page gets no form error.

Twisted lets a request skip that parse (`parsePOSTFormSubmission=False`); Daphne does not expose
it, so the request class Daphne's HTTP factory builds is replaced by one that asks for it. The
factory looks the class up by name when it builds each connection's protocol.
"""

from __future__ import annotations

from typing import Any

from daphne import http_protocol


class UnparsedBodyWebRequest(http_protocol.WebRequest):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parsePOSTFormSubmission"] = False
        super().__init__(*args, **kwargs)


def install() -> None:
    """Idempotent; called from the ASGI module, which every Daphne process imports."""
    http_protocol.WebRequest = UnparsedBodyWebRequest
