from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from villages import access

CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@login_required
def photo(request, pk):
    """A photo file, only for users who may see its village. Files live under MEDIA_ROOT, never in static."""
    photo = access.get_photo_for_view(request.user, pk)
    suffix = photo.image.name[photo.image.name.rfind(".") :].lower()
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
