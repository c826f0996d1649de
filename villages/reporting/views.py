from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from counties.access import NotVisible
from counties.models import City, County
from villages.access import get_village_for_change
from villages.imports.export import XLSX_CONTENT_TYPE
from villages.reporting import access, bulletins, documents, reminders
from villages.reporting.confirmations import Refused, confirm_no_change
from villages.reporting.forms import BackForm, IssueForm, SortForm
from villages.reporting.models import Bulletin, Period, Reminder
from villages.reporting.pages import period_page, the_only_city
from villages.reporting.table_files import period_table
from villages.tabular import download

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def period_or_404(key):
    period = Period.objects.filter(key=key).first()
    if period is None:
        raise NotVisible(_("There is no report period %(key)s.") % {"key": key})
    return period


def city_or_404(code):
    city = City.objects.filter(code=code).first()
    if city is None:
        raise NotVisible(_("There is no city with the code %(code)s.") % {"code": code})
    return city


def place_of(period, code=None):
    """The city a page is about (None: the province): the one named, a city's own round's, or the only one."""
    if code is not None:
        return city_or_404(code)
    if period is not None and period.city_id:
        return period.city
    return the_only_city()


def period_url(period, city):
    if city is None or period.city_id or the_only_city() is not None:
        return period.get_absolute_url()
    return reverse("reporting:period_city", args=[period.key, city.code])


@login_required
def period_list(request):
    periods = Period.objects.order_by("-start", "kind").prefetch_related("bulletins__city").select_related("city")
    current = Period.objects.current(timezone.localdate())
    return render(request, "reporting/period_list.html", {"periods": periods, "current": current})


def columns(page):
    return [
        ("rank", _("Rank")),
        ("name", _("County") if page.level == "county" else pgettext("column", "City")),
        ("expected", _("Expected")),
        ("received", _("Received")),
        ("on_time", _("On time")),
        ("missing", _("Not reported")),
        ("reporting_rate", _("Reporting rate")),
        ("on_time_rate", _("On-time rate")),
        ("previous_late", _("Late for the period before (补报)")),
    ]


def render_period(request, period, city):
    form = SortForm(request.GET)
    page = period_page(request.user, period, city, form.selected())
    if (response := download(request, [period_table(page, columns(page))], f"period-{period.key}")) is not None:
        return response
    context = {
        "page": page,
        "columns": columns(page),
        "labels": dict(columns(page)),
        "sort": form.selected(),
        "issue_form": IssueForm(),
        "several_cities": the_only_city() is None,
    }
    return render(request, "reporting/period.html", context)


@login_required
def period_detail(request, key):
    period = period_or_404(key)
    return render_period(request, period, place_of(period))


@login_required
def period_city(request, key, code):
    period = period_or_404(key)
    return render_period(request, period, place_of(period, code))


@login_required
@require_POST
def no_change(request, key, code):
    period = period_or_404(key)
    village = get_village_for_change(request.user, code)
    try:
        confirm_no_change(village, period, request.user)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Recorded: no change in %(village)s in %(period)s.")
            % {"village": village.short_name, "period": period.name},
        )
    return redirect(BackForm(request.POST).back(request, village.get_absolute_url()))


@login_required
@require_POST
def urge(request, key, code):
    period = period_or_404(key)
    county = County.objects.filter(code=code).first()
    if county is None:
        raise NotVisible(_("There is no county with the code %(code)s.") % {"code": code})
    access.check_urge(request.user, code)
    try:
        sent = reminders.urge_county(period, county, request.user)
    except reminders.AlreadyUrged as already:
        messages.error(request, str(already))
    else:
        messages.success(
            request,
            _("催报 sent to %(count)d editors of %(county)s.") % {"count": sent, "county": county.name}
            if sent
            else _("%(county)s has no county editor to remind.") % {"county": county.name},
        )
    return redirect(BackForm(request.POST).back(request, period.get_absolute_url()))


def bulletin_place(request, period):
    code = request.POST.get("city") or request.GET.get("city") or None
    return place_of(period, code) if code or period.city_id else the_only_city()


@login_required
@require_POST
def issue(request, key):
    period = period_or_404(key)
    city = bulletin_place(request, period)
    access.check_issue_bulletin(request.user, city.code if city else None)
    form = IssueForm(request.POST)
    back = period_url(period, city)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["number"]))
        return redirect(back)
    try:
        bulletin, created = bulletins.issue(period, city, request.user, form.cleaned_data["number"])
    except bulletins.NotIssuable as refused:
        messages.error(request, str(refused))
    except IntegrityError:
        messages.error(request, _("The 通报 could not be issued; try again."))
    else:
        if created:
            messages.success(
                request, _("The 通报 of %(period)s is issued: its figures are frozen.") % {"period": period.name}
            )
        else:
            messages.info(
                request, _("The 通报 of %(period)s was issued already; it is unchanged.") % {"period": period.name}
            )
    return redirect(back)


def issued_bulletin(request, key):
    period = period_or_404(key)
    city = bulletin_place(request, period)
    bulletin = (
        Bulletin.objects.of_place(city.code if city else None).filter(period=period).select_related("period").first()
    )
    if bulletin is None:
        raise NotVisible(
            _("The 通报 of %(period)s for %(place)s has not been issued.")
            % {"period": period.name, "place": city.name if city else _("the province")}
        )
    return bulletin


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def bulletin_docx(request, key):
    bulletin = issued_bulletin(request, key)
    return attachment(documents.bulletin_docx(bulletin), DOCX_CONTENT_TYPE, documents.file_name(bulletin, "docx"))


@login_required
def bulletin_xlsx(request, key):
    bulletin = issued_bulletin(request, key)
    return attachment(documents.bulletin_xlsx(bulletin), XLSX_CONTENT_TYPE, documents.file_name(bulletin, "xlsx"))


@login_required
def notices(request):
    shown = Reminder.objects.filter(user=request.user).select_related("period", "urge__county")[:100]
    return render(request, "reporting/notices.html", {"notices": shown})


@login_required
@require_POST
def notice_read(request, pk):
    reminder = access.get_reminder_for_user(request.user, pk)
    if reminder.read_at is None:
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(BackForm(request.POST).back(request, "reporting:notices"))


@login_required
@require_POST
def notices_read(request):
    Reminder.objects.unread().filter(user=request.user).update(read_at=timezone.now())
    return redirect("reporting:notices")
