"""Thin views: nudges from the dashboard, account activation, "forgot your password?", unsubscribing and preferences."""

import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kapuas_kinerja.celery import queue_on_commit
from kapuas_kinerja.redirects import redirect_back
from opd import throttle
from opd.access import Scope, opd_that, scope_that
from opd.forms import NipPasswordResetForm
from opd.models import Asn
from skp import rules
from skp.appraisers import waiting_rows
from skp.periods import chosen_period, posted_period
from skp.selectors import RowFilters, compliance_rows, listed_rows, unrated_by_stage

from . import services, tasks
from .forms import ActivationForm, ActivationRequestForm, PreferencesForm
from .links import read_activation, read_unsubscribe
from .models import OPTIONAL_KINDS, Kind, Unsubscription


def _nudge_scope(request, kode):
    """Who may remind: the Kepala OPD and operators of that OPD, and BKPSDM; 404 out of scope."""
    scope, opd = opd_that(request, kode, Scope.opens_opd_pages)
    if not scope.nudges_opd(opd.pk):
        raise PermissionDenied
    return scope, opd


def _nudge_message(result: services.NudgeResult) -> str:
    counted = [
        (result.queued, _("Reminder sent to %(count)d ASN.")),
        (result.already_today, _("%(count)d ASN were already reminded today.")),
        (result.unreachable, _("%(count)d ASN have no email or WhatsApp number.")),
        (result.unsubscribed, _("%(count)d ASN turned these reminders off.")),
        (
            result.appraisers_queued,
            _("Reminder sent to %(count)d appraiser(s) about their staff waiting for a rating."),
        ),
        (result.appraisers_already_today, _("%(count)d appraiser(s) were already reminded today.")),
        (result.appraisers_unreachable, _("%(count)d appraiser(s) have no email or WhatsApp number.")),
        (
            result.no_appraiser,
            _("%(count)d ASN have filed but no appraiser is known for that month: report it to BKPSDM."),
        ),
        (result.own_ratings, _("You are the appraiser of %(count)d of them: rate them in e-Kinerja.")),
    ]
    parts = [text % {"count": count} for count, text in counted if count]
    if result.delayed:
        parts.append(_("Sending is delayed: the messages are kept and go out as soon as the mail queue is back."))
    return " ".join(parts) or _("Nobody to remind: everyone is rated or exempt.")


def _nudge_answer(request, result: services.NudgeResult, *, last_reminded, back: str):
    """The row's "last reminded" with the outcome for HTMX (`last_reminded()` reads it), else a message and back."""
    if request.htmx:
        return render(request, "reminders/_nudged.html", {"when": last_reminded(), "message": _nudge_message(result)})
    messages.info(request, _nudge_message(result))
    return _back_to_list(request, back)


def _nudged(request, asn_id: int | None, period, *, back: str):
    if asn_id is None:
        raise Http404
    result = services.nudge(asn_ids=[asn_id], period=period, by=request.user)

    def last_reminded():
        rows = listed_rows([asn_id], period=period, as_of=timezone.now())
        return services.last_reminded(rows, period=period).get(asn_id)

    return _nudge_answer(request, result, last_reminded=last_reminded, back=back)


@require_POST
@login_required
def nudge_one(request, kode, nip):
    scope, opd = _nudge_scope(request, kode)
    period = _stored(posted_period(request))
    # The ASN must be on this OPD's list for that month (where they were, not where they are).
    rows = compliance_rows(
        period=period, as_of=timezone.now(), scope=scope, filters=RowFilters(opd_id=opd.pk), names=False, detail=False
    )
    asn_id = rows.filter(nip=nip).values_list("pk", flat=True).first()
    return _nudged(request, asn_id, period, back=reverse("opd_detail", args=[opd.kode]))


@require_POST
@login_required
def nudge_staff(request, nip):
    """An appraiser or unit head reminds one of their own staff (from "Staf saya")."""
    scope = scope_that(request, Scope.leads_staff)
    period = _stored(posted_period(request))
    rows = compliance_rows(period=period, as_of=timezone.now(), scope=scope, names=False, detail=False)
    asn_id = rows.filter(scope.staff_rows_q(), nip=nip).values_list("pk", flat=True).first()
    return _nudged(request, asn_id, period, back=reverse("staff"))


@require_POST
@login_required
def nudge_appraiser(request, kode, nip):
    """One appraiser, reminded of all their staff of this OPD who filed and wait for their rating."""
    scope, opd = _nudge_scope(request, kode)
    period = _stored(posted_period(request))
    atasan_id = Asn.objects.filter(nip=nip).values_list("pk", flat=True).first()
    waiting = list(
        waiting_rows(period=period, as_of=timezone.now(), opd_id=opd.pk)
        .filter(record_atasan_id=atasan_id)
        .values_list("pk", flat=True)
    )
    if atasan_id is None or not waiting:  # nobody of this OPD waits for them: as if they did not exist
        raise Http404
    result = services.nudge(asn_ids=waiting, period=period, by=request.user)

    def last_reminded():
        return services.last_appraiser_nudges([atasan_id], period=period, opd_id=opd.pk).get((atasan_id, opd.pk))

    return _nudge_answer(request, result, last_reminded=last_reminded, back=reverse("opd_detail", args=[opd.kode]))


@require_http_methods(["GET", "POST"])
@login_required
def nudge_overdue(request, kode):
    """Remind everyone overdue: a page that says how many will get a message, then the confirmed POST sends.

    Without JavaScript a confirm() dialog is impossible, and a mistaken tap on a
    phone would mail hundreds of people: the dashboard's button is a link to
    this page, and only a POST with `konfirmasi` sends (any other POST shows
    the page again, sending nothing).
    """
    scope, opd = _nudge_scope(request, kode)
    if request.method == "POST" and request.POST.get("konfirmasi") == "1":
        period = _stored(posted_period(request))
        overdue = compliance_rows(
            period=period,
            as_of=timezone.now(),
            scope=scope,
            filters=RowFilters(opd_id=opd.pk, status=rules.OVERDUE),
            names=False,
            detail=False,
        ).values_list("pk", flat=True)
        result = services.nudge(asn_ids=list(overdue), period=period, by=request.user)
        messages.info(request, _nudge_message(result))
        return _back_to_list(request, reverse("opd_detail", args=[opd.kode]))
    period = _stored(posted_period(request) if request.method == "POST" else chosen_period(request)[0])
    dashboard = reverse("opd_detail", args=[opd.kode])
    # The page the link was followed from (after htmx swaps its address is the list as it stands now).
    back = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = f"{dashboard}?periode={period.key}"
    context = {
        "opd": opd,
        "period": period,
        "counts": unrated_by_stage(period=period, as_of=timezone.now(), opd_id=opd.pk),
        "next": back,
    }
    return render(request, "reminders/nudge_overdue_confirm.html", context)


def _stored(period):
    """A period never brought in from BKN has no records and no one to remind: as if the address did not exist."""
    if not period.pk:
        raise Http404
    return period


def _back_to_list(request, default: str):
    """Back to the page the form came from, at its list (#daftar), as a plain-link page change keeps it."""
    response = redirect_back(request, default)
    if "#" not in response["Location"]:
        response["Location"] += "#daftar"
    return response


@require_http_methods(["GET", "POST"])
def activation_request(request):
    """'No login yet?': an activation link by email to the address SIASN holds for that NIP."""
    return _account_mail_request(
        request,
        ActivationRequestForm(request.POST or None),
        field="nip",
        template="reminders/activation_request.html",
        queue=lambda nip: queue_on_commit(tasks.request_activation, nip),
        done=lambda: render(request, "reminders/activation_requested.html"),
    )


def _account_mail_request(request, form, *, field: str, template: str, queue, done):
    """A mail about an account asked for (activation, password reset), limited per NIP and client address.

    Known or unknown NIP, the page does the same (count the request, `queue`
    the task that looks it up, answer with `done()`), so neither its answer
    nor its time tells who has a login.
    """
    if request.method == "POST" and form.is_valid():
        nip_or_username = form.cleaned_data[field]
        if not throttle.account_mail_allowed(request, login=nip_or_username):
            form.add_error(field, throttle.too_many_requests())
            return render(request, template, {"form": form}, status=429)
        queue(nip_or_username)
        return done()
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def activate(request, token):
    found = read_activation(token)
    asn = Asn.objects.filter(pk=found[0], is_active=True).first() if found else None
    if asn is None or get_user_model().objects.filter(asn=asn).exists():
        return render(request, "reminders/activation_invalid.html", status=400)
    probe = get_user_model()(username=asn.nip, first_name=asn.nama[:150], email=asn.email)
    form = ActivationForm(request.POST or None, user=probe)
    if request.method == "POST" and form.is_valid():
        user = services.activate_account(asn=asn, password=form.cleaned_data["password1"])
        login(request, user, backend="opd.backends.RoleBackend")
        messages.success(request, _("Your account is active. Log in next time with your NIP and this password."))
        return redirect(found[1])
    return render(request, "reminders/activate.html", {"form": form, "asn": asn}, status=400 if form.errors else 200)


@csrf_exempt  # mail programs POST the one-click unsubscribe (RFC 8058) without a form; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = read_unsubscribe(token)
    if found is None:
        return render(request, "reminders/unsubscribe.html", {"invalid": True}, status=400)
    asn_id, kind = found
    if request.method == "POST":
        services.unsubscribe(asn_id=asn_id, kind=kind)
        return render(request, "reminders/unsubscribe.html", {"done": True, "kind": Kind(kind).label})
    return render(request, "reminders/unsubscribe.html", {"kind": Kind(kind).label})


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    """An ASN turns the optional reminders on or off; digests to heads cannot be turned off."""
    if not request.user.asn_id:
        raise PermissionDenied
    off = set(Unsubscription.objects.filter(asn_id=request.user.asn_id).values_list("kind", flat=True))
    form = PreferencesForm(request.POST or None, initial={"kinds": [k for k in OPTIONAL_KINDS if k not in off]})
    if request.method == "POST" and form.is_valid():
        services.set_preferences(asn_id=request.user.asn_id, wanted=set(form.cleaned_data["kinds"]))
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("preferences")
    return render(request, "reminders/preferences.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Forgot your password?": the link is looked up and mailed by a task, never by this answer."""
    return _account_mail_request(
        request,
        NipPasswordResetForm(request.POST or None),
        field="email",
        template="registration/password_reset_form.html",
        queue=lambda login: queue_on_commit(tasks.request_password_reset, login, uuid.uuid4().hex),
        done=lambda: redirect("password_reset_done"),
    )
