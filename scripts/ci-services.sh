#!/usr/bin/env bash
# Installs the real services the utilization tests start on loopback: PostgreSQL (with contrib for
# pg_stat_statements), Redis, Prometheus (with promtool) and the Debian exporters for PostgreSQL and
# Redis. Idempotent: only missing packages are installed. Needs root (or sudo) on Debian/Ubuntu.
# The packages' own system services are not needed: the tests start their own instances.
set -euo pipefail

PACKAGES=(postgresql postgresql-contrib redis-server prometheus prometheus-postgres-exporter prometheus-redis-exporter)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# pg_stat_statements ships in postgresql-contrib on older releases and in the server package on newer
# ones: check for the extension's control file, not only the package.
if ! ls /usr/share/postgresql/*/extension/pg_stat_statements.control >/dev/null 2>&1; then
  case " ${missing[*]} " in *" postgresql-contrib "*) ;; *) missing+=(postgresql-contrib) ;; esac
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci-services: all present (${PACKAGES[*]})"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "ci-services: need root to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "ci-services: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Do not start the packaged daemons inside containers without an init system.
  policy_created=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_created=1
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$policy_created" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

# Report what the tests will use.
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
for bin in "$pg_bin/initdb" "$pg_bin/postgres" redis-server prometheus promtool prometheus-postgres-exporter prometheus-redis-exporter; do
  if [ -x "$bin" ] || command -v "$bin" >/dev/null 2>&1; then
    echo "ci-services: $bin ok"
  else
    echo "ci-services: $bin is missing after install" >&2
    exit 1
  fi
done
id postgres >/dev/null 2>&1 || { echo "ci-services: no postgres user (PostgreSQL must not run as root)" >&2; exit 1; }
