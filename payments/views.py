"""The webhook endpoint: a thin edge over payments.webhooks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import stripe_api
from payments.webhooks import Outcome, webhook_process


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """POST /payments/stripe/webhook/: 400 for a bad signature, 409 asks Stripe to retry."""
    try:
        outcome = webhook_process(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except stripe_api.SignatureInvalid:
        return JsonResponse(
            {"error": {"code": "bad_signature", "message": "Invalid signature."}}, status=400
        )
    status = 409 if outcome is Outcome.RETRY_LATER else 200
    return JsonResponse({"outcome": outcome.value}, status=status)
