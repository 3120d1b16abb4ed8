"""ASGI entry point: Django views over HTTP, Channels consumers over websockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from marketplace.asgi_handler import get_asgi_application

# Django's handler with its middleware chain and sync views entered in one thread hop.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from marketplace import daphne_request  # noqa: E402
from marketplace.routing import websocket_urlpatterns  # noqa: E402

# Bodies reach Django as they came: Daphne's Twisted requests would parse uploads first and
# answer one they cannot parse with a bare 400 of their own (marketplace/daphne_request.py).
daphne_request.install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
