from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from villages import access

CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def private_file(stored, content_types, **options):
    """A stored upload as a response the browser keeps to itself and never sniffs as another type."""
    suffix = stored.name[stored.name.rfind(".") :].lower()
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_types.get(suffix, "application/octet-stream"), **options)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def photo(request, pk):
    """A photo file, only for users who may see its village. Files live under MEDIA_ROOT, never in static."""
    return private_file(access.get_photo_for_view(request.user, pk).image, CONTENT_TYPES)
