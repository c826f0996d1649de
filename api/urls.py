from django.urls import path

from api.views import tokens

app_name = "api"

urlpatterns = [
    path("accounts/tokens/", tokens.my_tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.revoke, name="revoke_token"),
    path("tokens/", tokens.city_tokens, name="city_tokens"),
]
