#!/usr/bin/env bash
# Installs pgassist on a Debian 12 host: packages, a release build, the binary, the launcher,
# the systemd unit, its settings file and the nginx site. Run as root from the checkout:
#     sudo env PATH="$PATH" Deploy/install.sh      (keep the PATH that finds swift)
# It does not start or reload anything; it prints the next steps. Safe to run again: the
# binary, launcher, unit and nginx snippet are replaced, the settings and site file are kept.
# PGASSIST_SKIP_BUILD=1 installs an existing .build/release/pgassist without building.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "install: $*"; }
fail() { echo "install: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "run as root (sudo env PATH=\"\$PATH\" $0)"

"$root/Deploy/install-deps.sh"

if [[ ${PGASSIST_SKIP_BUILD:-} != 1 ]]; then
    command -v swift >/dev/null || fail "swift is not on PATH (install the Swift 6 toolchain; keep PATH under sudo)"
    say "building (swift build -c release)"
    swift build --package-path "$root" -c release
fi
binary="$(swift build --package-path "$root" -c release --show-bin-path 2>/dev/null || echo "$root/.build/release")/pgassist"
[[ -x $binary ]] || fail "no release binary at $binary"

if ! getent passwd pgassist >/dev/null; then
    say "creating the system user pgassist"
    useradd --system --user-group --home-dir /var/lib/pgassist --no-create-home \
        --shell /usr/sbin/nologin --comment "pgassist AI assistant API" pgassist
fi

say "installing /usr/local/bin/pgassist and /usr/local/lib/pgassist/{pgassist-launch,pgassist-switch}"
install -m 0755 "$binary" /usr/local/bin/pgassist
install -D -m 0755 "$root/Deploy/pgassist-launch" /usr/local/lib/pgassist/pgassist-launch
install -D -m 0755 "$root/Deploy/pgassist-switch" /usr/local/lib/pgassist/pgassist-switch

say "installing /etc/systemd/system/pgassist.service"
install -m 0644 "$root/Deploy/pgassist.service" /etc/systemd/system/pgassist.service

install -d -m 0750 -g pgassist /etc/pgassist
install -m 0644 "$root/Deploy/pgassist.env.example" /etc/pgassist/pgassist.env.example
if [[ -e /etc/pgassist/pgassist.env ]]; then
    say "keeping /etc/pgassist/pgassist.env (compare with pgassist.env.example beside it)"
else
    say "creating /etc/pgassist/pgassist.env from the example"
    # Readable by the service only: later versions keep API keys here.
    install -m 0640 -g pgassist "$root/Deploy/pgassist.env.example" /etc/pgassist/pgassist.env
fi

for snippet in pgassist-api.conf pgassist-auth.conf; do
    say "installing /etc/nginx/snippets/$snippet"
    install -D -m 0644 "$root/nginx/$snippet" "/etc/nginx/snippets/$snippet"
done
# The upstream's server line is rewritten by pgassist-switch: install it only once, so a reinstall never
# points nginx back at a pool that was switched away from.
if [[ ! -e /etc/nginx/snippets/pgassist-upstream.conf ]]; then
    say "installing /etc/nginx/snippets/pgassist-upstream.conf"
    install -D -m 0644 "$root/nginx/pgassist-upstream.conf" /etc/nginx/snippets/pgassist-upstream.conf
fi
if [[ -d /etc/nginx/sites-available ]]; then
    site=/etc/nginx/sites-available/pgassist
    enabled=/etc/nginx/sites-enabled/pgassist
else
    site=/etc/nginx/conf.d/pgassist.conf
    enabled=
fi
if [[ -e $site ]]; then
    install -m 0644 "$root/nginx/pgassist.conf" "$site.new"
    say "keeping $site; the shipped version is $site.new"
    # The shared snippet may now need definitions the kept site file lacks (the rate-limit zone, the auth
    # upstream): check before anyone reloads nginx, and say what to merge.
    if command -v nginx >/dev/null && ! nginx -t >/dev/null 2>&1; then
        say "nginx -t fails with the kept $site: merge the new map, limit_req_zone and upstream pgassist_auth from $site.new"
    fi
else
    say "installing $site"
    install -m 0644 "$root/nginx/pgassist.conf" "$site"
fi
if [[ -n $enabled && ! -e $enabled ]]; then
    ln -s "$site" "$enabled"
fi

if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
fi

cat <<NEXT

pgassist is installed. Next:
  1. Review /etc/pgassist/pgassist.env (THREAD_STORE_URL, workers, threads).
  2. Start the workers:        systemctl enable --now pgassist
                               journalctl -u pgassist -f
  3. Check and reload nginx:   nginx -t && systemctl reload nginx
  4. Try it:                   curl -sS http://localhost:8082/api/ai/assistant/health
TLS is terminated by your deployment (a commented example is in $site).
NEXT
