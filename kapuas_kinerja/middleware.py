"""Responses that hold someone's data are never kept by a browser or a proxy."""

from django.conf import settings


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
