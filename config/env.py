"""Read settings from the environment, failing with one line that names the problem."""

import ipaddress
import math
import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be a number of 0 or more.")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name):
    """Comma-separated addresses or networks (CIDR) as networks; a single address is a network of one."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/24; a network's "
                "address has no host bits set)."
            ) from None
    return tuple(networks)


def env_replaced(names, instead):
    """Settings that no longer exist are refused rather than silently ignored."""
    for name in names:
        if name in os.environ:
            raise ImproperlyConfigured(f"{name} is no longer read: set {instead} instead.")


def env_str(name, default=""):
    return os.environ.get(name, default)


def tile_source(url_template):
    """The CSP source of a tile URL template: its scheme and host, a {s} subdomain as a wildcard."""
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}"
