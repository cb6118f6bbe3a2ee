"""Where a form may send its user back to: only a page of this portal."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str):
    """Follow the form's `next` when it points inside the portal; otherwise go to `default`.

    A `next` another site wrote into a link or form must not turn the portal
    into a springboard to a look-alike login page.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    inside = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if inside else default)
