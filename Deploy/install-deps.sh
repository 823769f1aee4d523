#!/usr/bin/env bash
# Installs the Debian 12 packages pgassist needs to build, run and test. Idempotent: when every
# package is already installed it only says so (no apt-get at all), so it is cheap to run first
# in every script. The Swift toolchain itself is not a Debian package: install it separately
# (https://www.swift.org/install/linux/) and put it on PATH.
set -euo pipefail

packages=(
    # C libraries the Swift modules wrap (Package.swift's system library targets)
    libfcgi-dev libpq-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libpg-query-dev
    pkg-config
    # running: nginx in front, spawn-fcgi + multiwatch for the worker processes
    nginx-light spawn-fcgi multiwatch
    # tests: a real PostgreSQL (initdb/pg_ctl under /usr/lib/postgresql), cgi-fcgi, HTTP checks
    postgresql postgresql-contrib libfcgi-bin curl ca-certificates python3
    # tests: the fake model provider checks request bodies against OpenAI's OpenAPI description
    python3-yaml python3-jsonschema
    # SwiftPM fetches dependencies with git; the scripts use runuser and /proc tools
    git util-linux procps
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$package")
done

if (( ${#missing[@]} == 0 )); then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

if [[ $(id -u) == 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (sudo is not installed)" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
