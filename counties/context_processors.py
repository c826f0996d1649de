from counties import permissions


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_is_city_admin": permissions.is_city_admin(user),
        "user_role": permissions.role_of(user),
    }
