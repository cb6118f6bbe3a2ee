from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .access import request_scope
from .models import User


@login_required
def home(request):
    """Send each user to their own page."""
    user = request.user
    scope = request_scope(request)
    if scope.opens_regency_pages:
        return redirect("regency")
    if scope.opens_opd_pages and user.opd_id:
        return redirect("opd_detail", kode=user.opd.kode)
    if scope.leads_staff:
        return redirect("staff")
    if user.role == User.Role.KEUANGAN:
        return redirect("regency_tpp")
    if user.asn_id:
        return redirect("asn_detail", nip=user.asn.nip)
    return render(request, "opd/no_page.html", status=403)


@require_GET
def privacy(request):
    """The privacy notice (UU 27/2022): what the portal holds, why, who sees it, for how long."""
    from django.conf import settings

    return render(request, "opd/privacy.html", {"payload_days": settings.PAYLOAD_RETENTION_DAYS})
