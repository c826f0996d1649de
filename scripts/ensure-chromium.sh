#!/usr/bin/env bash
# Browser tests drive Debian's chromium. Install it when missing and we may (root); otherwise say why
# the browser tests will be skipped. In CI (CI=true) a missing chromium is an error.
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "chromium is missing and could not be installed: CI cannot run the browser tests." >&2
  exit 1
fi
echo "chromium is not installed and cannot be installed here: browser tests will be skipped."
