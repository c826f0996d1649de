"""The token pages: a user's own tokens (on their account), and an administrator's view of their city's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import access, tokens
from api.forms import TokenForm
from api.models import ApiToken


@login_required
def my_tokens(request):
    """The user's tokens and the form for a new one; a new token is shown on the answer to its form, once."""
    form = TokenForm(request.user, request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("can_write"):
            access.check_give_write_access(request.user)
        record, token = tokens.create_token(
            request.user, data["name"], data.get("can_write", False), data["expires_in"] or None
        )
        created = {"record": record, "token": token}
        form = TokenForm(request.user)
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(user=request.user),
        "manages_tokens": access.may_give_write_access(request.user),
    }
    return render(request, "api/tokens.html", context, status=201 if created else 200)


@login_required
def city_tokens(request):
    access.check_manage_tokens(request.user)
    context = {"tokens": access.managed_tokens(request.user).order_by("revoked_at", "-created_at")}
    return render(request, "api/city_tokens.html", context)


@require_POST
@login_required
def revoke(request, pk):
    token = access.get_token_for_revoke(request.user, pk)
    tokens.revoke(token, request.user)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    if token.user_id == request.user.pk:
        return redirect("api:tokens")
    return redirect("api:city_tokens")
