from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The pages that combine several apps: the regency's, an OPD's (with nudges and open
    tickets), a unit's, a leader's staff and one ASN's. It sits on top: no app imports it."""

    name = "dashboards"
