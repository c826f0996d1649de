"""Settings for the 百乡千村 tracker. Everything that differs between machines comes from the environment.

Without any environment variables this is a local development setup (DEBUG on, SQLite file,
an insecure key). Production sets DEBUG=0 and must provide SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# The registry load_registry reads by default: 晋中's, or another folder of the same shape (data/shanxi: the province).
DATA_DIR = Path(env_str("REGISTRY_DATA_DIR", str(BASE_DIR / "data" / "jinzhong")))
# The place the site names in its title, where the registry's own name (its city, or its province) is not wanted.
SITE_PLACE = env_str("SITE_PLACE").strip()

DEBUG = env_bool("DEBUG", True)

INSECURE_DEV_KEY = "django-insecure-local-development-only-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = INSECURE_DEV_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS=1 declares that users reach the app over HTTPS (directly or through a proxy): cookies are then
# sent over HTTPS only, plain HTTP is redirected, and browsers are told to stick to HTTPS (HSTS).
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # local monitoring probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
if env_bool("BEHIND_PROXY", False):
    # Only behind a proxy that sets this header itself and strips it from clients' requests.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "config.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "axes",
    "counties",
    "villages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "config.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "counties.context_processors.role",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
        if DATABASE_URL
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# With several app servers, REDIS_URL (e.g. redis://127.0.0.1:6379/0) gives them one cache, and sessions read through
# it; without it each process keeps its own cache in memory (the default of `make run`).
REDIS_URL = env_str("REDIS_URL").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "villages",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "villages:home"
LOGOUT_REDIRECT_URL = "login"

# A session ends after a working day without activity; every request pushes the expiry back.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# Failed logins are throttled per username and IP address together (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Leaflet comes from its XStatic package and is served by the app: no page requests a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR)]
# Uploaded photos. No URL serves this folder: photos go through villages.views.photos, which checks permissions.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_MAX_SIDE = env_int("PHOTO_MAX_SIDE", 12_000)
PHOTOS_PER_UPDATE = 6
# Village lists uploaded in the admin wait here between the preview and the confirmation (a folder every
# app server shares, like MEDIA_ROOT); backups leave it out.
IMPORT_PREVIEW_DIR = Path(env_str("IMPORT_PREVIEW_DIR", str(MEDIA_ROOT / "import-previews")))
IMPORT_PREVIEW_MAX_AGE = 24 * 60 * 60
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# The map's base layer. Empty: no tiles, the county boundaries on a plain background.
# The URL template needs {z}, {x} and {y}; tiles must be WGS84/Web Mercator (not GCJ-02).
MAP_TILES_URL = env_str("MAP_TILES_URL").strip()
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION").strip()
MAP_TILES_MAX_ZOOM = env_int("MAP_TILES_MAX_ZOOM", 18)
if MAP_TILES_URL and not all(part in MAP_TILES_URL for part in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured(f"MAP_TILES_URL={MAP_TILES_URL!r} must contain {{z}}, {{x}} and {{y}}.")
if not 1 <= MAP_TILES_MAX_ZOOM <= 22:
    raise ImproperlyConfigured(f"MAP_TILES_MAX_ZOOM={MAP_TILES_MAX_ZOOM} must be between 1 and 22.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files served by whitenoise need `collectstatic`; development serves the sources.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False}},
}
