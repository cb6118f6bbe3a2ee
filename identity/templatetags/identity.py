import base64

from django import template

from .. import emblem

register = template.Library()


@register.simple_tag
def regency_emblem_data_uri():
    """The emblem inlined for the PDFs (WeasyPrint reads no URL of ours), or "" when none is uploaded."""
    found = emblem.read()
    if found is None:
        return ""
    data, content_type = found
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
