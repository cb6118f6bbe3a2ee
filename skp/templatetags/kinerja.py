from django import template

from skp import rules
from skp.models import Predikat

register = template.Library()


@register.filter
def status_label(status):
    return rules.STATUS_LABELS.get(status, "–")


@register.filter
def predikat_label(code):
    return Predikat(code).label if code in Predikat.values else "–"
