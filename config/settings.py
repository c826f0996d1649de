"""Settings for the 百乡千村 tracker. Everything that differs between machines comes from the environment.

Without any environment variables this is a local development setup (DEBUG on, SQLite file,
an insecure key). Production sets DEBUG=0 and must provide SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_networks, env_replaced, env_str, tile_source

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
# The proxies in front of the app, as addresses or networks (CIDR), comma-separated: only a connection from one of
# them may say who the client is (X-Forwarded-For) and whether it came over HTTPS (X-Forwarded-Proto).
# Default none: the app server is reached directly, and those headers are dropped (config.proxies).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# Left over, they would leave HTTPS behind a proxy redirecting for ever and the lockout counting the proxy.
env_replaced(["BEHIND_PROXY", "PROXY_COUNT"], "TRUSTED_PROXIES (the addresses of the proxies in front of the app)")
if TRUSTED_PROXIES:
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
    "config.apps.LoginLockoutsConfig",
    "counties",
    "villages",
    "villages.acceptance",
    "villages.projects",
    "villages.reporting",
    "ninja",  # django-ninja: its static files give the API description page without any CDN
    "api",
]

MIDDLEWARE = [
    "config.proxies.UntrustedForwardedHeadersMiddleware",
    "config.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "api.tokens.TokenAuthenticationMiddleware",
    "config.middleware.NoRoleMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.errors.ErrorPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
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
                "villages.context_processors.without_messages",
                "counties.context_processors.role",
                "villages.reporting.context_processors.notices",
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
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two processes writing at once (a page and a cron job) wait up to this long for each other, not 5 s.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", env_int("SQLITE_TIMEOUT", 20))
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
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "villages:home"
LOGOUT_REDIRECT_URL = "login"

# A session ends after a working day without activity; a request pushes the expiry back when the last renewal is
# more than SESSION_RENEWAL_SECONDS old (config.middleware.SessionRenewalMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 60 * 60)
SESSION_RENEWAL_SECONDS = env_int("SESSION_RENEWAL_SECONDS", 5 * 60)

# Failed logins are throttled per username and client address together (django-axes), and per address for
# all usernames together with a higher limit (config.lockout).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_address"

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
# The photos of one update together (from their headers): decoding costs memory and CPU by the pixel.
PHOTO_REQUEST_MAX_PIXELS = env_int("PHOTO_REQUEST_MAX_PIXELS", 100_000_000)
# Photos are stored at most this many pixels on their long side (plenty for evidence, a fraction of the bytes).
PHOTO_STORED_SIDE = env_int("PHOTO_STORED_SIDE", 2560)
# Photo evidence: a photo (or the phone sending an update) farther than this from the village is marked
# 位置不符, and a photo taken more than this many days before the update's date is marked as old.
EVIDENCE_MAX_DISTANCE_KM = env_float("EVIDENCE_MAX_DISTANCE_KM", 2.0)
EVIDENCE_MAX_AGE_DAYS = env_int("EVIDENCE_MAX_AGE_DAYS", 30)
# The offline copy comes in parts of this many villages (each one answer), this many parts fetched at once.
OFFLINE_COPY_PART_VILLAGES = 30
OFFLINE_COPY_PARALLEL = 3
# Photos are scaled on the phone to at most this many pixels on their longer side before they are queued.
PHOTO_PHONE_MAX_SIDE = 2048
# Village lists uploaded in the admin wait here between the preview and the confirmation (a folder every
# app server shares, like MEDIA_ROOT); backups leave it out.
IMPORT_PREVIEW_DIR = Path(env_str("IMPORT_PREVIEW_DIR", str(MEDIA_ROOT / "import-previews")))
IMPORT_PREVIEW_MAX_AGE = 24 * 60 * 60
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# A request body larger than this is refused (413) from its Content-Length, before any of it is read:
# room for a full update's photos, or an import file, and the form around them.
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES", max(PHOTOS_PER_UPDATE * PHOTO_MAX_BYTES, IMPORT_MAX_BYTES) + 1024 * 1024
)
# Evidence for acceptance (验收): documents (PDF, DOCX, XLSX) up to this size; photos follow PHOTO_MAX_BYTES.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_FILES_PER_ITEM = 10
# What an import reads at most (villages/imports/limits.py): the parts of an XLSX/ODS unzipped, how much
# smaller than that a part may be zipped, and the rows, columns and cells of the sheets read. A cell is held to its
# field's max_length.
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_ZIP_RATIO = env_int("IMPORT_MAX_ZIP_RATIO", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 1_000_000)
# calamine reads a workbook in a child process (villages/imports/sandbox.py) whose address space may grow this much
# above the server process's own, for at most this many seconds (CPU and wall clock); over either, the file is
# refused as too large to read.
IMPORT_READER_MAX_MEMORY = env_int("IMPORT_READER_MAX_MEMORY", 256 * 1024 * 1024)
IMPORT_READER_MAX_SECONDS = env_int("IMPORT_READER_MAX_SECONDS", 20)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Email (催报, villages/reporting): printed on the console unless EMAIL_HOST names an SMTP server. The SMTP password comes
# from the environment only. EMAIL_TIMEOUT bounds a mail server that accepts the connection and then hangs.
EMAIL_HOST = env_str("EMAIL_HOST").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one of them.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "百乡千村 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address users reach the site at (https://bxqc.example.gov.cn): links in emails. Empty: links are paths only.
SITE_URL = env_str("SITE_URL").strip()
# The office a 通报 is issued in the name of; empty: "<the city or province>百乡千村工作领导小组办公室".
BULLETIN_OFFICE = env_str("BULLETIN_OFFICE").strip()
# The supervision hotline a 项目公示 gives (12317: the national rural revitalisation supervision line).
PROJECT_NOTICE_HOTLINE = env_str("PROJECT_NOTICE_HOTLINE", "12317").strip()

# The map's base layer. Empty: no tiles, the county boundaries on a plain background.
# The URL template needs {z}, {x} and {y}; tiles must be WGS84/Web Mercator (not GCJ-02).
MAP_TILES_URL = env_str("MAP_TILES_URL").strip()
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION").strip()
MAP_TILES_MAX_ZOOM = env_int("MAP_TILES_MAX_ZOOM", 18)
if MAP_TILES_URL and not all(part in MAP_TILES_URL for part in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured(f"MAP_TILES_URL={MAP_TILES_URL!r} must contain {{z}}, {{x}} and {{y}}.")
if not 1 <= MAP_TILES_MAX_ZOOM <= 22:
    raise ImproperlyConfigured(f"MAP_TILES_MAX_ZOOM={MAP_TILES_MAX_ZOOM} must be between 1 and 22.")

# Content-Security-Policy (django-csp). Scripts only from the app and inline scripts only with the request's nonce
# (templates: <script nonce="{{ request.csp_nonce }}">); data blocks (<script type="application/json">) need none.
# Inline styles stay allowed (style attributes of the map legend and of the admin's libraries): they run no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"] + ([tile_source(MAP_TILES_URL)] if MAP_TILES_URL else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],  # the service worker (offline use)
        "manifest-src": [SELF],  # the web app manifest
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
