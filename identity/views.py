from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import emblem


@require_GET
def emblem_image(request):
    """The emblem, for anyone (the login page shows it): public, and kept a year by browsers.

    Its address carries the file's version (`?v=`), so a new upload is a new address.
    """
    found = emblem.read()
    if found is None:
        raise Http404
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if request.GET.get("v") == emblem.version():
        patch_cache_control(response, public=True, max_age=365 * 24 * 60 * 60, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=5 * 60)
    return response
