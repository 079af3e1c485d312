#!/usr/bin/env bash
# Runs before every start of lineside.service (ExecStartPre=+, as root, outside the sandbox), and
# by hand: sudo /opt/lineside/deploy/preflight.sh
#
# 1. Node on the service's PATH exists and is >= 20.19; otherwise it says how to get Node 22.
# 2. After a Node upgrade that changed the native-module ABI (Node 20 -> 22: 115 -> 127), the
#    native modules (better-sqlite3, serialport, epoll, unix-dgram) no longer load. This rebuilds
#    them for the Node now installed, once, so the agent comes back by itself. A failed rebuild
#    is not retried on every automatic restart (that would compile in a loop on the SD card); it
#    says what to do, and running this script by hand tries again.
# Exit 0: ready to start. Exit 1: the message says why not (shown by systemctl status lineside).
set -euo pipefail

readonly MIN_NODE_VERSION=20.19.0
APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly APP_DIR
readonly ABI_STAMP=$APP_DIR/.install-node-abi
readonly FAILED_STAMP=$APP_DIR/.install-rebuild-failed

say() { printf 'lineside-preflight: %s\n' "$*"; }
fail() {
  printf 'lineside-preflight: %s\n' "$*" >&2
  exit 1
}

version_at_least() {
  local have=$1 want=$2 h w i
  IFS=. read -r -a h <<<"$have"
  IFS=. read -r -a w <<<"$want"
  for i in 0 1 2; do
    if ((10#${h[i]:-0} > 10#${w[i]:-0})); then return 0; fi
    if ((10#${h[i]:-0} < 10#${w[i]:-0})); then return 1; fi
  done
  return 0
}

node_bin=$(command -v node || true)
[[ -n $node_bin ]] || fail "node not found on PATH=$PATH. Install Node 22 LTS (NodeSource or the official tarball into /usr/local): see $APP_DIR/docs/install.md"
version=$("$node_bin" --version 2>/dev/null || true)
version=${version#v}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || ! version_at_least "$version" "$MIN_NODE_VERSION"; then
  fail "Node ${version:-of unknown version} at $node_bin is too old: Lineside needs >= $MIN_NODE_VERSION (Debian's own nodejs is 18). Install Node 22 LTS from NodeSource or the official tarball: see $APP_DIR/docs/install.md"
fi

[[ -d $APP_DIR/node_modules ]] || fail "$APP_DIR/node_modules is missing: reinstall with deploy/install.sh --upgrade from the source checkout"

abi=$("$node_bin" -p process.versions.modules)
built_for=$(cat "$ABI_STAMP" 2>/dev/null || echo unknown)
[[ $built_for == "$abi" ]] && exit 0

# Automatic restarts (systemd sets INVOCATION_ID) do not retry a rebuild that already failed
# for this ABI; a person running the script does.
if [[ -n ${INVOCATION_ID:-} && $(cat "$FAILED_STAMP" 2>/dev/null || true) == "$abi" ]]; then
  fail "native modules are built for Node ABI $built_for, this Node $version is ABI $abi, and rebuilding them failed before. Fix the cause (sudo apt-get install -y python3 make g++; network for prebuilt binaries), then run: sudo $APP_DIR/deploy/preflight.sh && sudo systemctl restart lineside"
fi

say "Node is now $version (ABI $abi) but native modules were built for ABI $built_for: rebuilding them (minutes on a Pi)"
for tool in python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || say "warning: $tool is missing; modules without a prebuilt binary cannot compile (sudo apt-get install -y python3 make g++)"
done

cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
prefix=$(dirname "$(dirname "$(readlink -f "$node_bin")")")
# Local Node headers let node-gyp compile without downloading them (plants are often offline).
rebuild_env=("npm_config_cache=$cache" "PATH=$PATH")
[[ -f $prefix/include/node/node_version.h ]] && rebuild_env+=("npm_config_nodedir=$prefix")

rebuild() {
  if [[ -n ${INVOCATION_ID:-} && -d /run/systemd/system ]] && command -v systemd-run >/dev/null 2>&1; then
    # Started by lineside.service: compile in a transient unit of its own. This script runs in
    # the service's cgroup, whose MemoryMax= is sized for the agent; gcc on SQLite's amalgamation
    # needs more. --wait --pipe: same output (journal) and exit code, as if run here.
    local setenv=() kv
    for kv in "${rebuild_env[@]}"; do setenv+=("--setenv=$kv"); done
    systemd-run --quiet --wait --pipe --collect --unit="lineside-rebuild-$$" \
      --working-directory="$APP_DIR" "${setenv[@]}" npm rebuild --no-audit --no-fund
  else
    (cd "$APP_DIR" && env "${rebuild_env[@]}" npm rebuild --no-audit --no-fund)
  fi
}

if rebuild; then
  printf '%s\n' "$abi" >"$ABI_STAMP.tmp" && mv -f "$ABI_STAMP.tmp" "$ABI_STAMP"
  rm -f "$FAILED_STAMP"
  say "native modules rebuilt for Node $version (ABI $abi)"
else
  printf '%s\n' "$abi" >"$FAILED_STAMP"
  fail "rebuilding native modules for Node $version failed (npm output above). Fix the cause, then run: sudo $APP_DIR/deploy/preflight.sh && sudo systemctl restart lineside. Or go back to the Node version of ABI $built_for."
fi
