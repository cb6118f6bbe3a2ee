import contextlib
import smtplib

from django.core.mail import EmailMultiAlternatives, get_connection

from opd.emails import email_problem

from . import Channel, PermanentError, TemporaryError, Throttled


class EmailChannel(Channel):
    """Django's email settings: SMTP when EMAIL_HOST is set. One connection per batch."""

    name = "email"

    def __init__(self):
        self.connection = None

    def open(self):
        # Opened on the first send, and then kept open across the batch (Django
        # closes only the connections it opened itself).
        self.connection = None

    def close(self):
        if self.connection is not None:
            # A connection that already broke has nothing left to close.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def send(self, message):
        problem = email_problem(message.address)
        if problem:
            # Never hand the SMTP library a list, a bare word or a header break.
            raise PermanentError(f"invalid address {message.address!r}: {problem}")
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TemporaryError(f"cannot reach the mail server: {error}") from error
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.address],
            connection=self.connection,
            headers=message_headers(message),
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (550, b""))
            if code == 421:  # the server closes the connection: it refuses everything for now
                self.close()
            raise _by_code(code, text) from error
        except smtplib.SMTPResponseException as error:
            # The connection may be in any state after a refusal: start a new one.
            self.close()
            sender = isinstance(error, smtplib.SMTPSenderRefused)
            raise _by_code(error.smtp_code, error.smtp_error, sender=sender) from error
        except (smtplib.SMTPException, OSError) as error:  # timeouts are OSErrors too
            self.close()
            raise TemporaryError(str(error) or error.__class__.__name__) from error


def _by_code(code: int, text, *, sender: bool = False) -> Exception:
    detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()
    # 421 closes the session whatever was asked, and a 4xx to MAIL FROM refuses
    # our sender, not this recipient: both are the server's rate limits.
    if code == 421 or (sender and 400 <= code < 500):
        return Throttled(detail)
    # 5xx: the server will not take it (unknown mailbox, refused sender); 4xx: try later.
    return PermanentError(detail) if 500 <= code < 600 else TemporaryError(detail)


def message_headers(message) -> dict:
    from ..links import unsubscribe_url

    headers = {"X-Kinerja-Message": message.idempotency_key}
    url = unsubscribe_url(message)
    if url:
        # RFC 8058: mail programs show a one-click "unsubscribe" that POSTs here.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
