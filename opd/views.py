import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kapuas_kinerja.celery import queue_on_commit

from . import throttle
from .access import request_scope
from .forms import NipPasswordResetForm
from .models import User


@login_required
def home(request):
    """Send each user to their own page."""
    user = request.user
    scope = request_scope(request)
    if scope.opens_regency_pages:
        return redirect("kabupaten")
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


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Forgot your password?": the link is looked up and mailed by a task, never by this answer.

    Known or unknown NIP, the page does the same (count the request, queue the
    task, redirect), so neither its answer nor its time tells who has a login.
    """
    from reminders.tasks import request_password_reset

    form = NipPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["email"]
        if not throttle.account_mail_allowed(request, login=login):
            form.add_error("email", throttle.too_many_requests())
            return render(request, "registration/password_reset_form.html", {"form": form}, status=429)
        queue_on_commit(request_password_reset, login, uuid.uuid4().hex)
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form}, status=400 if form.errors else 200)
