"""Websocket routes of every app, gathered for the ASGI router."""

from accounts.routing import websocket_urlpatterns as accounts_ws
from bids.routing import websocket_urlpatterns as bids_ws

websocket_urlpatterns = [*accounts_ws, *bids_ws]
