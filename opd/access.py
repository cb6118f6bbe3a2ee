"""Who may see what. Every view and selector asks this module, and only this one.

Roles are granted (admin_bkpsdm, pimpinan, keuangan, kepala_opd, operator_opd,
asn); being an appraiser or a unit head follows from the data. Out of scope
answers 404 (existence is not revealed); a page a role never opens answers 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Asn, Opd, Unit, User

Role = User.Role


@dataclass(frozen=True)
class Scope:
    role: str
    all_opd: bool = False
    opd_ids: frozenset[int] = frozenset()
    # Units the user leads, with every unit below them.
    unit_ids: frozenset[int] = frozenset()
    # The user's own ASN: they see themselves and, as appraiser, their appraisees.
    asn_id: int | None = None
    appraises: bool = False
    is_superuser: bool = False

    @property
    def leads_staff(self) -> bool:
        """Appraisers and unit heads see staff pages though their role is plain ASN."""
        return bool(self.unit_ids) or self.appraises

    @property
    def opens_regency_pages(self) -> bool:
        """The regency overview: BKPSDM and the leadership."""
        return self.role in (Role.ADMIN_BKPSDM, Role.PIMPINAN) or self.is_superuser

    @property
    def opens_opd_pages(self) -> bool:
        """OPD dashboards: those who answer for whole OPD (keuangan reads TPP bases instead)."""
        return self.opens_regency_pages or (self.role in User.OPD_ROLES and bool(self.opd_ids))

    @property
    def is_bkpsdm(self) -> bool:
        """BKPSDM acts for the regency: finalises TPP bases, checks uploaded recaps."""
        return self.role == Role.ADMIN_BKPSDM or self.is_superuser

    @property
    def opens_tpp(self) -> bool:
        """TPP bases: whoever opens OPD pages, and the finance office (finalised bases only)."""
        return self.opens_opd_pages or self.role == Role.KEUANGAN

    @property
    def opens_tpp_list(self) -> bool:
        """Every OPD's TPP state: BKPSDM, the leadership and the finance office."""
        return self.opens_regency_pages or self.role == Role.KEUANGAN

    @property
    def reads_tpp_drafts(self) -> bool:
        """The finance office pays on finalised bases only; everyone else who opens TPP sees drafts too."""
        return self.role != Role.KEUANGAN or self.is_superuser

    def acts_for_opd(self, opd_id: int) -> bool:
        """Uploading an OPD's signed recap: its Kepala OPD and operators, and BKPSDM."""
        return self.is_bkpsdm or (self.role in User.OPD_ROLES and opd_id in self.opd_ids)

    def nudges_opd(self, opd_id: int) -> bool:
        """Reminding an OPD's staff now: its Kepala OPD and operators, and BKPSDM (not the read-only leadership)."""
        return self.acts_for_opd(opd_id)

    def _q(self, *, opd: str, unit: str, atasan: str) -> Q:
        if self.all_opd:
            return Q()
        q = Q(**{f"{opd}__in": self.opd_ids}) | Q(**{f"{unit}__in": self.unit_ids})
        if self.asn_id:
            q |= Q(pk=self.asn_id) | Q(**{atasan: self.asn_id})
        return q

    def asn_q(self) -> Q:
        """Filter for Asn querysets, by where each ASN is now.

        The finance office reads TPP bases for every OPD but has no business on
        ASN pages (personal data, UU 27/2022): only its own, if it is an ASN.
        """
        if self.role == Role.KEUANGAN and not self.is_superuser:
            return Q(pk=self.asn_id) if self.asn_id else Q(pk__in=[])
        return self._q(opd="opd_id", unit="unit_id", atasan="atasan_id")

    def rows_q(self) -> Q:
        """Filter for compliance rows, by where each ASN was that month."""
        return self._q(opd="month_opd_id", unit="month_unit_id", atasan="month_atasan_id")

    def staff_rows_q(self) -> Q:
        """Compliance rows of the staff one leads or appraises, by that month's placement."""
        q = Q(month_unit_id__in=self.unit_ids)
        if self.asn_id:
            q |= Q(month_atasan_id=self.asn_id)
        return q


# The portal's own reads (the rollup, reminders, recaps, TPP): every OPD, seen by no one in particular.
EVERYONE = Scope(role="system", all_opd=True)


def scope_for(user) -> Scope:
    """The one place that decides which OPD, units and ASN a user may see."""
    if not user.is_authenticated or not user.is_active:
        return Scope(role="anonymous")
    role = user.role
    if user.is_superuser or role in User.REGENCY_ROLES:
        return Scope(role=role, all_opd=True, asn_id=user.asn_id, is_superuser=user.is_superuser)
    opd_ids = frozenset([user.opd_id]) if role in User.OPD_ROLES and user.opd_id else frozenset()
    unit_ids: frozenset[int] = frozenset()
    appraises = False
    if user.asn_id:
        led = list(Unit.objects.filter(head_id=user.asn_id).values_list("pk", "opd_id"))
        if led:
            unit_ids = _with_descendants({pk for pk, _ in led}, {opd for _, opd in led})
        appraises = Asn.objects.filter(atasan_id=user.asn_id).exists()
    return Scope(role=role, opd_ids=opd_ids, unit_ids=unit_ids, asn_id=user.asn_id, appraises=appraises)


def request_scope(request) -> Scope:
    """scope_for, computed once per request (views and the navigation share it)."""
    if not hasattr(request, "_kinerja_scope"):
        request._kinerja_scope = scope_for(request.user)
    return request._kinerja_scope


def scope_that(request, may: property) -> Scope:
    """The request's scope when the Scope property `may` holds for it (`Scope.opens_tpp`…), else 403."""
    scope = request_scope(request)
    if not may.__get__(scope):
        raise PermissionDenied
    return scope


def opd_that(request, kode: str, may: property) -> tuple[Scope, Opd]:
    """`scope_that`, then the OPD of that code within the scope (404 out of it)."""
    scope = scope_that(request, may)
    return scope, get_opd_or_404(scope, kode)


def _with_descendants(roots: set[int], opd_ids: set[int]) -> frozenset[int]:
    # One query for the units of the OPD involved; the tree is walked here.
    children: dict[int, list[int]] = {}
    for pk, parent in Unit.objects.filter(opd_id__in=opd_ids).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    seen, stack = set(), list(roots)
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.add(pk)
            stack.extend(children.get(pk, ()))
    return frozenset(seen)


def visible_opds(scope: Scope):
    """OPD whose dashboard the user may open: all of them, or their own."""
    return Opd.objects.all() if scope.all_opd else Opd.objects.filter(pk__in=scope.opd_ids)


def get_opd_or_404(scope: Scope, kode: str) -> Opd:
    opd = visible_opds(scope).filter(kode=kode.upper()).first()
    if opd is None:
        raise Http404
    return opd


def get_asn_or_404(scope: Scope, nip: str) -> Asn:
    asn = Asn.objects.filter(scope.asn_q(), nip=nip).select_related("opd", "unit", "atasan").first()
    if asn is None:
        raise Http404
    return asn
