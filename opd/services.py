"""Writes on people and logins."""

import io
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kapuas_kinerja.tabular import FileRefused, Problems, control_problem, csv_rows, sniff_delimiter

from .forms import NipPasswordResetForm
from .models import AccessLog, Asn, Opd, User, new_data_version
from .nip import normalize_nip, validate_nip


class RoleError(Exception):
    pass


@transaction.atomic
def grant_role(*, nip: str, role: str, opd_kode: str | None = None, password: str | None = None) -> tuple[User, bool]:
    """Give an existing ASN a login with `role` (audited through the User model's log)."""
    info = validate_nip(nip)
    asn = Asn.objects.filter(nip=info.nip).first()
    if asn is None:
        raise RoleError(f"no ASN with NIP {info.nip}: add or sync them first")
    if role not in User.Role.values:
        raise RoleError(f"unknown role {role!r}")
    opd = None
    if role in User.OPD_ROLES:
        if not opd_kode:
            raise RoleError(f"role {role} needs --opd")
        opd = Opd.objects.filter(kode=opd_kode.upper()).first()
        if opd is None:
            raise RoleError(f"unknown OPD {opd_kode!r}")
    elif opd_kode:
        raise RoleError(f"role {role} is not tied to one OPD; leave out --opd")
    user = User.objects.filter(asn=asn).first() or User.objects.filter(username=asn.nip).first()
    created = user is None
    if created:
        user = User(username=asn.nip, asn=asn)
        user.set_unusable_password()
    user.asn = asn
    user.role = role
    user.opd = opd
    user.is_staff = role == User.Role.ADMIN_BKPSDM
    if password:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, created


def log_access(request, *, action: str, target: str) -> None:
    """Record that the logged-in user opened an ASN's page or downloaded a document."""
    AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        target=str(target)[:200],
        path=request.get_full_path()[:300],
    )


class RolesRefused(FileRefused):
    """A roles file refused whole, with every problem as `baris N: …` (at most 100, then "dan N lainnya")."""


def grant_roles_from_csv(*, text: str) -> list[tuple[User, bool]]:
    """Give many ASN their role at once from CSV text (nip, role, opd): all rows or none.

    Passwords never travel in the file: each new login is invited by email to
    set its own (`invite_users`).
    """
    # Comma or semicolon (Excel in Indonesian locales saves with semicolons), quoted as RFC 4180 says.
    records = csv_rows(
        io.StringIO(text, newline=""),
        delimiter=sniff_delimiter(text[: 64 * 1024]),
        max_rows=settings.IMPORT_MAX_ROWS,
        max_columns=settings.IMPORT_MAX_COLUMNS,
    )
    try:
        rows = _roles_checked(records)
    except RolesRefused:
        raise
    except FileRefused as refused:
        raise RolesRefused(refused) from None
    with transaction.atomic():
        return [grant_role(nip=nip, role=role, opd_kode=kode) for nip, role, kode in rows]


def _roles_checked(records) -> list[tuple[str, str, str | None]]:
    """(nip, role, OPD code) of every row, or RolesRefused listing what is wrong (nothing is written here)."""
    header = [(name or "").strip().lower() for name in next(records, [])]
    if not {"nip", "role"} <= set(header):
        raise RolesRefused([_("The first row must name the columns nip, role and opd.")])
    rows, problems = [], Problems()
    for number, cells in enumerate(records, start=2):
        row = {name: (value or "").strip() for name, value in zip(header, cells, strict=False)}
        if not any(row.values()):
            continue
        # Checked before any query: PostgreSQL refuses a NUL byte even in a lookup.
        unreadable = [(name, problem) for name, value in row.items() if (problem := control_problem(value))]
        for name, problem in unreadable:
            problems.cell(number, name, problem)
        if unreadable:
            continue
        nip, role, kode = normalize_nip(row.get("nip")), row.get("role", ""), row.get("opd", "")
        try:
            info = validate_nip(nip)
        except ValidationError as error:
            problems.append(
                _("row %(row)s: %(error)s")
                % {"row": number, "error": " ".join(getattr(error, "messages", [str(error)]))}
            )
            continue
        if not Asn.objects.filter(nip=info.nip).exists():
            problems.append(
                _("row %(row)s: no ASN with NIP %(nip)s (sync or add them first)") % {"row": number, "nip": info.nip}
            )
        elif role not in User.Role.values:
            problems.append(_("row %(row)s: unknown role “%(role)s”") % {"row": number, "role": role})
        elif role in User.OPD_ROLES and not Opd.objects.filter(kode=kode.upper()).exists():
            problems.append(_("row %(row)s: unknown OPD “%(opd)s”") % {"row": number, "opd": kode})
        else:
            rows.append((info.nip, role, kode.upper() if role in User.OPD_ROLES else None))
    if not rows and not problems:
        problems.append(_("The file has no rows."))
    if problems:
        raise RolesRefused(problems)
    return rows


def invite_users(users) -> int:
    """Email each login without a password a link to set its own (single use, Django's reset token)."""

    invited = 0
    for user in users:
        if user.has_usable_password():
            continue
        form = NipPasswordResetForm({"email": user.username})
        if form.is_valid() and form.get_users(user.username):
            form.save(
                domain_override=urlparse(settings.PORTAL_URL).netloc,
                subject_template_name="registration/invitation_subject.txt",
                email_template_name="registration/invitation_email.txt",
                extra_email_context={"portal_url": settings.PORTAL_URL},
            )
            invited += 1
    return invited


# The OPD whose data changed inside the current `data_changes_batched` block (None: not in one).
# A context variable, so each thread and each task has its own batch.
_batch: ContextVar[set | None] = ContextVar("data_changes_batch", default=None)
EVERY_OPD = "*"


def opd_data_changed(*, opd_ids=None) -> None:
    """Give these OPD (default: every OPD) a new data version, in the caller's transaction.

    Written with the change itself, a reader sees the new version only with the
    new data, and any part cached under the old one is never read again. Which
    writes call it is declared in one place, skp/signals.py: the shown models'
    single saves (by signal), the rollup refresh, and the bulk writers that
    bypass both. Inside `data_changes_batched` it waits for the end of the batch.
    """
    wanted = None if opd_ids is None else {pk for pk in opd_ids if pk}
    batch = _batch.get()
    if batch is not None:
        batch.update({EVERY_OPD} if wanted is None else wanted)
        return
    if wanted == set():
        return
    (Opd.objects.all() if wanted is None else Opd.objects.filter(pk__in=wanted)).update(data_version=new_data_version())


@contextmanager
def data_changes_batched():
    """Renew the changed OPD's data versions once, at the end, not at each row written inside.

    For syncs, imports and the demo seed, which create ASN and units one by one:
    thousands of updates of the same OPD rows in one transaction leave thousands
    of row versions that each later update must step over. A batch inside a
    batch joins the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(set())
    try:
        yield
    finally:
        changed = _batch.get()
        _batch.reset(token)
        if changed:
            opd_data_changed(opd_ids=None if EVERY_OPD in changed else changed)
