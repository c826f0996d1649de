import os

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from api import geopackage
from config.middleware import json_error
from villages.views.maps import api_login_required


@require_safe
@api_login_required
def geopackage_file(request):
    """Villages, counties and townships of the user's scope as one GeoPackage; ?crs=4490 for CGCS2000."""
    crs = request.GET.get("crs", "4326")
    if crs not in geopackage.CRS:
        return json_error(
            _("crs must be 4326 (WGS 84) or 4490 (CGCS2000), not “%(value)s”.") % {"value": crs}, 400, parameter="crs"
        )
    path = geopackage.write(request, request.user, crs)
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    os.unlink(path)  # the open handle keeps the data until the answer is sent
    name = f"baixiang-qiancun-{timezone.localdate().isoformat()}-epsg{crs}.gpkg"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/geopackage+sqlite3")
