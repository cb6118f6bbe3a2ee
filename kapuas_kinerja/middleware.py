"""Our middleware: responses with someone's data never kept by a cache; the audit trail's client address."""

import auditlog.middleware
from django.conf import settings

from opd.client_ip import client_ip


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store, private` on every page for a logged-in user and every download.

    Office PCs are shared: without it, Back after logging out shows the last
    user's page from the browser's cache, and a proxy could keep a recap.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._logged_in(request) or response.get("Content-Disposition", "").startswith("attachment"):
            response["Cache-Control"] = "no-store, private"
        return response

    @staticmethod
    def _logged_in(request) -> bool:
        # Without a session cookie nobody is logged in; asking request.user would load a session for nothing.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and not hasattr(request, "_cached_user"):
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated)


class AuditlogMiddleware(auditlog.middleware.AuditlogMiddleware):
    """django-auditlog's, with the client address counted as the login lockout counts it.

    The stock one believes the leftmost X-Forwarded-For entry, which the client
    writes itself: the audit trail would record whatever address it chose.
    """

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request) or None
