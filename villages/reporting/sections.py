"""What the reporting app shows on the pages of villages (registered in villages.extensions from ReportingConfig.ready):

- the dashboard and a city's page: the current period's rates of the place, and for a county editor "本月还有 N 个村未报"
  with the list;
- a county's page: the county's rate for the current period, its villages not yet reported (to those who see its
  villages) and 催报 for administrators.
"""

from django.utils import timezone

from villages import extensions
from villages.reporting import access, rates
from villages.reporting.models import Period, Urge


def summary_context(request, data=None, city=None, **page):
    """The dashboard (home) and a city's page."""
    user = request.user
    today = timezone.localdate()
    place = city or (data.place if data is not None else None)
    period = Period.objects.current(today, place.code if place else None)
    if period is None:
        return None
    own = sorted(access.reporting_counties(user))
    if own:
        missing = rates.missing_villages(period, own, today)
        return {"period": period, "today": today, "own_missing": missing, "editor": True}
    if place is None:
        codes = None
    elif data is not None and data.place == place:
        codes = [county.code for county in data.counties]  # read already by the page
    else:
        codes = list(place.counties.values_list("code", flat=True))
    total = rates.Rate()
    for rate in rates.county_rates(period, codes).values():
        total.add(rate)
    return {"period": period, "today": today, "total": total, "place": place, "editor": False}


def county_context(request, county, village_records=False, **page):
    user = request.user
    today = timezone.localdate()
    period = Period.objects.current(today, county.city_id)
    if period is None:
        return None
    rate = rates.county_rates(period, [county.code]).get(county.code, rates.Rate())
    missing = rates.missing_villages(period, [county.code], today) if village_records and rate.missing else []
    may_urge = bool(rate.missing) and access.can_urge(user, county.code)
    urged = Urge.objects.filter(county=county, day=today).select_related("requested_by").first() if may_urge else None
    return {
        "period": period,
        "today": today,
        "county": county,
        "rate": rate,
        "missing": missing,
        "village_records": village_records,
        "may_urge": may_urge,
        "urged_today": urged,
        "may_confirm": bool(missing)
        and access.can_urge(user, county.code)
        or county.code in access.reporting_counties(user),
    }


def register():
    extensions.add_section("home", "reporting/_summary_section.html", summary_context, order=20)
    extensions.add_section("city", "reporting/_summary_section.html", summary_context, order=20)
    extensions.add_section("county", "reporting/_county_section.html", county_context, order=20)
    extensions.add_demo_step(seed_reporting, order=50)


def seed_reporting():
    """The demo is loaded only when seed_demo runs."""
    from villages.reporting import demo

    return demo.seed_reporting()
