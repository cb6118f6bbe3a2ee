from django import template
from django.utils.http import urlencode

from skp import rules
from skp.models import Predikat, Stage

register = template.Library()


@register.filter
def status_label(status):
    return rules.STATUS_LABELS.get(status, "–")


@register.filter
def predikat_label(code):
    return Predikat(code).label if code in Predikat.values else "–"


@register.filter
def stage_label(code):
    return Stage(code).label if code in Stage.values else "–"


@register.filter
def percent(rate):
    """0.847 -> '85%'; None (nobody expected to file) -> '–'."""
    return "–" if rate is None else f"{round(rate * 100)}%"


@register.simple_tag
def qs(params, **changes):
    """The current query string with some keys changed (None removes a key).

    Changing anything but the page goes back to page one.
    """
    return query_with(params, **changes)


def query_with(params, **changes) -> str:
    query = params.copy()
    if "halaman" not in changes:
        query.pop("halaman", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return "?" + urlencode(sorted((k, v) for k, v in query.items()))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
