"""Django's ASGI handler, running the middleware chain and a sync view in one thread hop.

Under ASGI Django builds an async chain: each of the stock middlewares (MiddlewareMixin) then
runs every hook (process_request, process_view, process_response) through its own
sync_to_async hop, and the sync view is one more. One sync-only middleware instead turns the
chain above it sync, but the bottom still goes back to the event loop and out again for the
view. Here the whole chain is the sync one WSGI uses, entered once through sync_to_async:
one hop per request for our sync views (bench/hotpaths.py measured the floors both ways).
An async view would still work (Django's sync path runs it with async_to_sync); we have none.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    _middleware_chain: Any

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        if is_async:
            self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def get_asgi_application() -> SyncChainASGIHandler:
    """django.core.asgi.get_asgi_application with this handler."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
