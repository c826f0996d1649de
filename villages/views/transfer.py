from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from counties.permissions import can_import_villages
from villages.exporting import template_bytes
from villages.resources import XLSXFile


@login_required
def import_template(request):
    if not can_import_villages(request.user):
        raise PermissionDenied
    response = HttpResponse(template_bytes(), content_type=XLSXFile.content_type)
    response["Content-Disposition"] = 'attachment; filename="village-import-template.xlsx"'
    return response
