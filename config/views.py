from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for when a page names no icon (an image, a GeoJSON file)."""
    return redirect(static("favicon.ico"))
