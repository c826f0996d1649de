from counties import access


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_is_city_admin": access.is_city_admin(user),
        "user_role": access.role_of(user),
    }
