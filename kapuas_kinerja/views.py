"""The portal's own error pages (the others are Django's handlers with our templates)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A refused form: say in Indonesian what to do (Django's own page is English and technical).

    The reason stays in the server's log (Django logs it as django.security.csrf), not on the page.
    """
    return render(request, "403_csrf.html", status=403)
