from django.urls import path

from bids.consumers import NegotiationConsumer

websocket_urlpatterns = [
    path("ws/negotiations/<int:thread_id>/", NegotiationConsumer.as_asgi()),
]
