from counties import access
from counties.scope import site_place


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_place": site_place()["name"]}
    return {
        "site_place": site_place()["name"],
        "user_is_city_admin": access.is_city_admin(user),
        "user_role": access.role_of(user),
    }
