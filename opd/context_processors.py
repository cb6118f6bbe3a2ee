from .access import request_scope


def navigation(request):
    """Which menu entries this user has (the same scope the views use)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = request_scope(request)
    user = request.user
    return {
        "nav": {
            "regency": scope.opens_regency_pages,
            "opd": user.opd if scope.opens_opd_pages and user.opd_id else None,
            "staff": scope.leads_staff,
            "own_nip": user.asn.nip if user.asn_id else None,
            "tpp": scope.opens_tpp_list,
            "operations": scope.is_bkpsdm,
        }
    }
