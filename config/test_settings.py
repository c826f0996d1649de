"""Settings for the test suite: the real settings, with a fast password hasher."""

from config.settings import *  # noqa: F401,F403

# PBKDF2 with its production work factor costs ~0.3 s per password; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
