"""Channels a message can go out on, behind one small interface (like healthchecks' transports).

A channel sends one rendered outbox row. It raises TemporaryError when trying
again later may help (connection refused, 4xx from SMTP, 5xx/429 from a
gateway) and PermanentError when it will not (the address is refused), and
Throttled when the server refuses everything for now (a rate limit).
"""

from django.conf import settings


class DeliveryError(Exception):
    pass


class TemporaryError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass


class Throttled(TemporaryError):
    """The server asks to slow down (SMTP 421, a 4xx to the sender, HTTP 429): the whole channel waits."""


class Channel:
    name: str

    def open(self) -> None:
        """Get ready to send a batch (one SMTP connection for all of it)."""

    def close(self) -> None:
        pass

    def send(self, message) -> None:
        raise NotImplementedError


def enabled_channels() -> list[str]:
    """Email always (the console when no SMTP host is set); WhatsApp when its gateway is configured."""
    names = ["email"]
    if settings.WHATSAPP_GATEWAY_URL:
        names.append("whatsapp")
    return names


def channel_for(name: str) -> Channel:
    from .email import EmailChannel
    from .whatsapp import WhatsAppChannel

    return {"email": EmailChannel, "whatsapp": WhatsAppChannel}[name]()
