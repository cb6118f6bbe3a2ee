import httpx
from django.conf import settings

from . import Channel, PermanentError, TemporaryError, Throttled


class WhatsAppChannel(Channel):
    """An HTTP WhatsApp gateway: a POST with the target number and the text, the token in a header.

    That is the shape Indonesian gateways (Fonnte, Wablas and the like) take;
    the URL and token come from WHATSAPP_GATEWAY_URL and WHATSAPP_GATEWAY_TOKEN.
    """

    name = "whatsapp"

    def __init__(self):
        self.client = None

    def open(self):
        self.client = httpx.Client(
            timeout=httpx.Timeout(15.0, connect=5.0),
            headers={"Authorization": settings.WHATSAPP_GATEWAY_TOKEN},
        )

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None

    def send(self, message):
        if self.client is None:
            self.open()
        try:
            response = self.client.post(
                settings.WHATSAPP_GATEWAY_URL, data={"target": message.address, "message": message.body_text}
            )
        except httpx.HTTPError as error:
            raise TemporaryError(f"{error.__class__.__name__}: {error}") from error
        if response.status_code == 429:  # the gateway's rate limit: the channel waits, no attempt lost
            raise Throttled(f"HTTP 429 {response.headers.get('Retry-After', '')}".strip())
        if response.status_code >= 500:
            raise TemporaryError(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentError(f"HTTP {response.status_code}: {response.text[:200]}")
        # Gateways answer 200 with {"status": false, "reason": ...} for a number they refuse.
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and body.get("status") is False:
            raise PermanentError(str(body.get("reason") or body.get("detail") or "refused")[:200])


def normalise_phone(text: str) -> str:
    """'0812-3456 789' or '+62 812…' -> '62812…' (gateways want the country code); '' when unusable."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if digits.startswith("628") and 10 <= len(digits) <= 15 else ""
