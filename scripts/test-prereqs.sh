#!/usr/bin/env bash
# Installs the system binaries Lineside's tests run for real (brokers, databases, serial PTYs,
# browser, linters) on Debian/Ubuntu, then verifies each one. Safe to re-run: installs only what
# is missing. Tests start their own private mosquitto/influxd on free loopback ports, so the system
# services that Debian's packages may auto-start are irrelevant and nothing here relies on them
# (prometheus is installed only for promtool, which lints /metrics; its service is not used).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# binary:debian-package. Debian puts daemons (mosquitto) in /usr/sbin, which a normal user's PATH
# may lack, so lookups also try the sbin directories.
REQUIRED=(
  "mosquitto:mosquitto"
  "mosquitto_passwd:mosquitto"
  "mosquitto_sub:mosquitto-clients"
  "influxd:influxdb"
  "socat:socat"
  "chromium:chromium"
  "shellcheck:shellcheck"
  "systemd-analyze:systemd"
  "gpiomon:gpiod"
  "openssl:openssl"
  "promtool:prometheus"
  "pdftotext:poppler-utils"
  "pdftoppm:poppler-utils"
  "pdfinfo:poppler-utils"
  # The report-email tests run a real SMTP server with /usr/bin/python3 -m aiosmtpd (tests/helpers/smtp-server.ts).
  "aiosmtpd:python3-aiosmtpd"
)

have() {
  local bin=$1 dir
  command -v "$bin" >/dev/null 2>&1 && return 0
  for dir in /usr/sbin /usr/bin /sbin /bin; do
    [[ -x "$dir/$bin" ]] && return 0
  done
  return 1
}

# Runs a command as root: directly when root, else via sudo (the caller checked one is possible).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    # sudo resets the environment; pass DEBIAN_FRONTEND through explicitly.
    sudo env DEBIAN_FRONTEND=noninteractive "$@"
  fi
}

present=()
missing_bins=()
missing_pkgs=()
for entry in "${REQUIRED[@]}"; do
  bin=${entry%%:*}
  pkg=${entry#*:}
  if have "$bin"; then
    present+=("$bin")
  else
    missing_bins+=("$bin")
    # Several binaries share a package: list each package once.
    if [[ " ${missing_pkgs[*]} " != *" $pkg "* ]]; then
      missing_pkgs+=("$pkg")
    fi
  fi
done

installed=()
if ((${#missing_pkgs[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-prereqs: apt-get not found; install these packages by hand: ${missing_pkgs[*]}" >&2
  elif [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "test-prereqs: not root and no sudo; as root run: apt-get install ${missing_pkgs[*]}" >&2
  else
    echo "test-prereqs: installing ${missing_pkgs[*]}"
    # Failures here are reported per binary by the check below, which is clearer than apt's error.
    as_root apt-get update || echo "test-prereqs: apt-get update failed" >&2
    as_root apt-get install -y --no-install-recommends "${missing_pkgs[@]}" \
      || echo "test-prereqs: apt-get install failed" >&2
  fi

  still_missing=0
  for entry in "${REQUIRED[@]}"; do
    bin=${entry%%:*}
    pkg=${entry#*:}
    if [[ " ${missing_bins[*]} " != *" $bin "* ]]; then
      continue
    fi
    if have "$bin"; then
      installed+=("$bin")
    else
      echo "test-prereqs: MISSING $bin (Debian package $pkg)" >&2
      still_missing=1
    fi
  done
  if ((still_missing)); then
    exit 1
  fi
fi

echo "test-prereqs: ok; present: ${present[*]:-none}; installed: ${installed[*]:-none}"
