"""Middleware of the whole portal."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
