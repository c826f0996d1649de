from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from counties.access import is_city_admin
from counties.forms import PairingActivityForm, PairingForm
from counties.models import County, Pairing, PairingActivity, Profile, Township

# Withdrawn villages (村庄撤并) are not counted.
CURRENT_VILLAGES = Q(villages__withdrawn_at__isnull=True)


class CityAdminOnly:
    """Model admin permissions come from counties.access: city administrators only."""

    def has_view_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_city_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_module_permission(self, request):
        return is_city_admin(request.user)


@admin.register(County)
class CountyAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "township_count", "village_count"]
    search_fields = ["code", "name"]
    readonly_fields = ["code"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                township_total=Count("townships", distinct=True),
                village_total=Count("villages", distinct=True, filter=CURRENT_VILLAGES),
            )
        )

    @admin.display(description=_("townships"), ordering="township_total")
    def township_count(self, county):
        return county.township_total

    @admin.display(description=_("villages"), ordering="village_total")
    def village_count(self, county):
        return county.village_total


@admin.register(Township)
class TownshipAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "county", "village_count"]
    list_filter = ["county", "kind"]
    list_select_related = ["county"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_total=Count("villages", filter=CURRENT_VILLAGES))

    @admin.display(description=_("villages"), ordering="village_total")
    def village_count(self, township):
        return township.village_total


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["counties"]
    verbose_name_plural = _("role in the programme")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(CityAdminOnly, UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_select_related = ["profile"]
    list_filter = ["profile__role", "profile__counties", "is_active"]

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else Profile.Role.VIEWER.label


# django-axes' lockouts, so a city administrator can see and lift them (delete the attempt to unlock).
class CityAdminLockouts(CityAdminOnly):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LockoutAttemptAdmin(CityAdminLockouts, AccessAttemptAdmin):
    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)


for model, model_admin in [
    (AccessAttempt, LockoutAttemptAdmin),
    (AccessLog, type(AccessLogAdmin.__name__, (CityAdminLockouts, AccessLogAdmin), {})),
    (AccessFailureLog, type(AccessFailureLogAdmin.__name__, (CityAdminLockouts, AccessFailureLogAdmin), {})),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


class PairingActivityInline(admin.TabularInline):
    model = PairingActivity
    form = PairingActivityForm
    extra = 0
    fields = ["date", "description", "funds", "projects", "people", "is_illustrative"]


@admin.register(Pairing)
class PairingAdmin(CityAdminOnly, SimpleHistoryAdmin):
    form = PairingForm
    list_display = ["__str__", "kind", "start_year", "end_year", "committed_funds", "is_illustrative"]
    list_filter = ["kind", "is_illustrative"]
    list_select_related = ["county_a", "county_b"]
    inlines = [PairingActivityInline]


@admin.register(PairingActivity)
class PairingActivityAdmin(CityAdminOnly, SimpleHistoryAdmin):
    form = PairingActivityForm
    list_display = ["pairing", "date", "funds", "projects", "people", "created_by"]
    list_filter = ["pairing__kind"]
    list_select_related = ["pairing__county_a", "pairing__county_b", "created_by"]
    date_hierarchy = "date"
