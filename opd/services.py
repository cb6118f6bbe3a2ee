"""Writes on people and logins."""

from django.db import transaction

from .models import Asn, Opd, User
from .nip import validate_nip


class RoleError(Exception):
    pass


@transaction.atomic
def role_grant(*, nip: str, role: str, opd_kode: str | None = None, password: str | None = None) -> tuple[User, bool]:
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


def access_log(request, *, action: str, target: str) -> None:
    """Record that the logged-in user opened an ASN's page or downloaded a document."""
    from .models import AccessLog

    AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        target=str(target)[:200],
        path=request.get_full_path()[:300],
    )
