"""Middleware of the whole portal: responses with someone's data never kept by a cache, an expired
session during an HTMX request sent to the login page, the audit trail's client address."""

from urllib.parse import urlencode, urlsplit

import auditlog.middleware
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

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
        if self._logged_in(request, response) or response.get("Content-Disposition", "").startswith("attachment"):
            response["Cache-Control"] = "no-store, private"
        return response

    @staticmethod
    def _logged_in(request, response) -> bool:
        # Without a session cookie nobody is logged in (a login in this very request sets one on the response).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and settings.SESSION_COOKIE_NAME not in response.cookies:
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


class HtmxLoginRedirectMiddleware:
    """A session that expired during an HTMX request: the whole window goes to the login page.

    `login_required` answers with a redirect; htmx would follow it quietly and swap
    the login form into the table row that asked (a nudge, a filter, a PDF's
    progress). Here such a redirect becomes `HX-Redirect`, so the browser loads the
    login page as a page, with `next` set to the page the user was on (not the
    fragment's address, which is no page to come back to). GET and POST alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302, 303, 307, 308):
            return response
        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response["Location"]).path != login_path:
            return response
        back = request.htmx.current_url_abs_path
        if not back or not back.startswith("/"):
            back = resolve_url(settings.LOGIN_REDIRECT_URL)
        redirect = HttpResponseClientRedirect(f"{login_path}?{urlencode({REDIRECT_FIELD_NAME: back})}")
        # The answer differs by HX-Request: caches must keep both apart.
        redirect["Vary"] = "HX-Request"
        return redirect
