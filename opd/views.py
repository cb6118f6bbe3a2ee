from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .access import scope_for
from .models import User


@login_required
def home(request):
    """Send each user to their own page."""
    user = request.user
    scope = scope_for(user)
    if scope.opens_regency_pages:
        return redirect("kabupaten")
    if user.role in User.OPD_ROLES and user.opd_id:
        return redirect("opd_detail", kode=user.opd.kode)
    if user.asn_id:
        return redirect("asn_detail", nip=user.asn.nip)
    return redirect("login")
