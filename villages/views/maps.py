import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from config.compression import compressed
from config.middleware import api_error
from counties.access import is_county_editor, village_counties
from villages.maps import colourings
from villages.maps import data as map_data
from villages.maps import page as maps
from villages.maps import png as map_image
from villages.maps.filters import MapFilterForm
from villages.progress.targets import illustrative_quotas_among

GEOJSON = "application/geo+json"


def api_login_required(view):
    """GIS clients get a 401 with a reason, not a redirect to a login page."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return api_error(401)
        return view(request, *args, **kwargs)

    return wrapped


def geojson_response(features):
    body = json.dumps(map_data.feature_collection(features), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=GEOJSON)


@compressed
@login_required
def map_page(request):
    form = MapFilterForm(request.GET, request.user)
    if not form.is_valid():
        return render(request, "villages/map.html", {"form": form}, status=400)
    villages = form.villages()
    unlocated, list_query = form.unlocated()
    progress = map_data.county_progress(form.selected_year, form.designated_tiers())
    pairings, other_pairings = maps.split_pairings(
        request.user, map_data.active_pairings(form.selected_year, form.selected_county)
    )
    codes = maps.boundary_codes(request.user, form.selected_county)
    coloured = colourings.coloured(form.cleaned_data["colour"], form.selected_year, progress)
    skeleton, payload = maps.build_map(
        progress, villages, pairings, zoom_to=form.selected_county, codes=codes, coloured=coloured
    )
    context = {
        "form": form,
        "map": maps.page_parts(skeleton, payload),
        "without_location": unlocated.count(),
        "png_query": form.query_string(),
        "query": form.query_string(drop=("colour",)),  # the GeoJSON's: figures of its own, not colours
        "coloured": coloured,
        "list_query": list_query,
        "without_boundary": side_list([row for row in progress if not row.bounded], coloured),
        "not_drawn": side_list([row for row in progress if row.bounded and row.code not in codes], coloured),
        "illustrative_quotas": illustrative_quotas_among(year=form.selected_year, tier__in=form.designated_tiers()),
        "other_pairings": other_pairings,
        # Said only to county editors, whose village points are those of their own and paired counties.
        "village_counties": list(village_counties(request.user).values_list("name", flat=True))
        if is_county_editor(request.user)
        else None,
        **maps.legend_context(),
    }
    return render(request, "villages/map.html", context)


def side_list(rows, coloured):
    """The counties listed beside the map: their progress, or their figure of the colouring chosen."""
    return rows if coloured is None else coloured.figures(rows)


@login_required
def map_png(request):
    form = MapFilterForm(request.GET, request.user)
    if not form.is_valid():
        return HttpResponse(form.error_text(), status=400, content_type="text/plain; charset=utf-8")
    tiers = form.designated_tiers()
    progress = map_data.county_progress(form.selected_year, tiers)
    png = map_image.draw_png(
        progress,
        form.villages(),
        form.selected_year,
        codes=maps.boundary_codes(request.user, form.selected_county),
        zoom_to=form.selected_county,
        illustrative_quotas=illustrative_quotas_among(year=form.selected_year, tier__in=tiers),
        coloured=colourings.coloured(form.cleaned_data["colour"], form.selected_year, progress),
    )
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = (
        f'inline; filename="progress-map-{form.selected_year}-{timezone.localdate():%Y%m%d}.png"'
    )
    return response


@compressed
@api_login_required
def api_villages(request):
    form = MapFilterForm(request.GET, request.user)
    if not form.is_valid():
        return JsonResponse(
            {"error": form.error_text(), "fields": form.errors}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    # Streamed: the features are read and written a chunk at a time, not held in memory all at once.
    return StreamingHttpResponse(
        map_data.feature_collection_text(map_data.village_features(form.villages())), content_type=GEOJSON
    )


@compressed
@api_login_required
def api_counties(request):
    form = MapFilterForm(request.GET, request.user)
    if not form.is_valid():
        return JsonResponse(
            {"error": form.error_text(), "fields": form.errors}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    tiers = form.designated_tiers()
    progress = map_data.county_progress(form.selected_year, tiers)
    return geojson_response(map_data.county_features(progress, form.selected_year, tiers))
