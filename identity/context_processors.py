from django.urls import reverse

from . import emblem


def regency(request):
    """The emblem's address for the page header, or nothing (then the regency's name shows alone).

    A stat of one file, no database query, so every page pays almost nothing.
    """
    version = emblem.version()
    return {"regency_emblem_url": f"{reverse('emblem')}?v={version}" if version else None}
