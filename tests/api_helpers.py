"""Helpers for the API tests: a token for a user, and requests that send it."""

from django.test import Client

from api.tokens import create_token


def token_for(user, name="test", **options):
    return create_token(user, name, **options)[1]


def token_client(token, scheme="Token"):
    """A client without a session that sends the token with every request."""
    return Client(HTTP_AUTHORIZATION=f"{scheme} {token}")
