from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from counties.access import (
    can_manage_pairing,
    city_of,
    is_city_admin,
    is_province_admin,
    pairing_counties,
    sees_every_county,
    village_counties,
    village_county_codes,
)
from counties.forms import PairingActivityForm, PairingForm, ProfileForm
from counties.models import City, County, Pairing, PairingActivity, Profile, Township

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


class WithinScope(CityAdminOnly):
    """A city administrator lists and changes the rows of their city only (figures are open on the site, not
    here); a province administrator every row. `scope` is the lookup of the row's county code, or of its city
    with `scope_is_city`."""

    scope = "county"
    scope_is_city = False

    def scope_filter(self, user):
        if self.scope_is_city:
            return Q(**{self.scope: city_of(user)})
        return Q(**{f"{self.scope}__in": village_county_codes(user)})

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if sees_every_county(request.user) else queryset.filter(self.scope_filter(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not sees_every_county(request.user):
            if db_field.related_model is County:
                kwargs["queryset"] = village_counties(request.user)
            elif db_field.related_model is City:
                kwargs["queryset"] = City.objects.filter(code=city_of(request.user))
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(County)
class CountyAdmin(WithinScope, admin.ModelAdmin):
    scope = "code"
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
class TownshipAdmin(WithinScope, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "county", "village_count"]
    list_filter = ["county", "kind"]
    list_select_related = ["county"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_total=Count("villages", filter=CURRENT_VILLAGES))

    @admin.display(description=_("villages"), ordering="village_total")
    def village_count(self, township):
        return township.village_total


class ProfileInline(CityAdminOnly, admin.StackedInline):
    model = Profile
    form = ProfileForm
    can_delete = False
    filter_horizontal = ["counties"]
    verbose_name_plural = _("role in the programme")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(ProfileForm.__name__, (formset.form,), {"acting_user": request.user})
        return formset


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(CityAdminOnly, UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_select_related = ["profile"]
    list_filter = ["profile__role", "profile__city", "profile__counties", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # A superuser is a province administrator: only one may make one.
        fixed = () if is_province_admin(request.user) else ("is_superuser", "groups", "user_permissions")
        return [*super().get_readonly_fields(request, obj), *fixed]

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if sees_every_county(request.user):
            return users
        own = Q(profile__city=city_of(request.user)) | Q(profile__counties__in=village_county_codes(request.user))
        # Accounts with no role yet are told to ask a city administrator, who gives them a role of their city.
        waiting = (Q(profile__isnull=True) | Q(profile__role=Profile.Role.NONE)) & Q(is_superuser=False)
        return users.filter(own | waiting | Q(pk=request.user.pk)).distinct()

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, user):
        if user.is_superuser:  # as counties.access reads them
            return Profile.Role.PROVINCE_ADMIN.label
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else Profile.Role.NONE.label


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
class PairingAdmin(WithinScope, SimpleHistoryAdmin):
    form = PairingForm

    def scope_filter(self, user):
        return Q(county_a__in=pairing_counties(user), county_b__in=pairing_counties(user))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_manage_pairing(request.user, obj))

    list_display = ["__str__", "kind", "start_year", "end_year", "committed_funds", "is_illustrative"]
    list_filter = ["kind", "is_illustrative"]
    list_select_related = ["county_a", "county_b"]
    inlines = [PairingActivityInline]


@admin.register(PairingActivity)
class PairingActivityAdmin(WithinScope, SimpleHistoryAdmin):
    form = PairingActivityForm

    def scope_filter(self, user):
        return Q(pairing__county_a__in=pairing_counties(user), pairing__county_b__in=pairing_counties(user))

    list_display = ["pairing", "date", "funds", "projects", "people", "created_by"]
    list_filter = ["pairing__kind"]
    list_select_related = ["pairing__county_a", "pairing__county_b", "created_by"]
    date_hierarchy = "date"
