# shellcheck shell=bash
# shellcheck disable=SC2034  # CODE_CHANGED, WAS_ACTIVE and PLANT_WAS_ACTIVE are read by install.sh
# The code half of deploy/install.sh: build in the checkout, stage into /opt/lineside.new, install
# dependencies there, check the config with the new code, swap. Sourced, never run.
# Uses install.sh's globals: ROOT, SOURCE_DIR, APP_DIR, STAGE_DIR, PREV_DIR, CONFIG, SECRETS,
# NODE_BIN, NO_BUILD, NO_DEPS, NODE_MODULES_FROM, FORCE, PLANT, PLANT_CONFIG; sets CODE_CHANGED, WAS_ACTIVE
# and PLANT_WAS_ACTIVE.

build_in_checkout() {
  if ((NO_BUILD)); then
    [[ -f $SOURCE_DIR/dist/src/cli/main.js ]] || die "--no-build, but $SOURCE_DIR/dist is not built (npm ci && npm run build)"
    return 0
  fi
  # Build as the checkout's owner, so sudo leaves no root-owned files in a user's checkout.
  local owner as_owner=()
  owner=$(stat -c %U "$SOURCE_DIR")
  [[ $(id -u) -eq 0 && $owner != root && $owner != UNKNOWN ]] && as_owner=(runuser -u "$owner" --)
  if [[ ! -x $SOURCE_DIR/node_modules/.bin/tsc ]]; then
    # The compiler only: --ignore-scripts skips compiling native modules here, which the
    # target's npm ci does anyway.
    say "building: npm ci --ignore-scripts (for the TypeScript compiler)"
    (cd "$SOURCE_DIR" && "${as_owner[@]}" npm ci --ignore-scripts --no-audit --no-fund) || die "npm ci in $SOURCE_DIR failed"
  fi
  say "building: npm run build"
  # From scratch, so files of deleted sources cannot linger in dist/ and get installed.
  rm -rf "$SOURCE_DIR/dist"
  (cd "$SOURCE_DIR" && "${as_owner[@]}" npm run build --silent) || die "npm run build failed in $SOURCE_DIR"
}

# What a running install needs; tests, dev tooling and sources stay in the checkout.
readonly SHIPPED=(dist bin package.json npm-shrinkwrap.json config simulator/scenarios src/web deploy docs README.md LICENSE)

stage_code() {
  rm -rf "$STAGE_DIR"
  mkdir -p "$STAGE_DIR"
  local item
  for item in "${SHIPPED[@]}"; do
    [[ -e $SOURCE_DIR/$item ]] || continue
    mkdir -p "$STAGE_DIR/$(dirname "$item")"
    cp -R "$SOURCE_DIR/$item" "$STAGE_DIR/$item"
  done
  # Modes independent of the checkout's umask: readable by all, writable by root only.
  chmod -R u=rwX,go=rX "$STAGE_DIR"
  chmod 0755 "$STAGE_DIR/bin/lineside.js" "$STAGE_DIR/deploy/install.sh" "$STAGE_DIR/deploy/preflight.sh" "$STAGE_DIR/deploy/lib/install-helpers.mjs"
}

deps_state() {
  if [[ -n $NODE_MODULES_FROM ]]; then
    echo "link:$NODE_MODULES_FROM"
  elif ((NO_DEPS)); then
    echo none
  else
    echo npm
  fi
}

install_deps() {
  local dir=$1
  printf '%s\n' "$("$NODE_BIN" -p process.versions.modules)" >"$dir/.install-node-abi"
  deps_state >"$dir/.install-deps"
  if [[ -n $NODE_MODULES_FROM ]]; then
    ln -sfn "$NODE_MODULES_FROM" "$dir/node_modules"
  elif ((NO_DEPS)); then
    warn "--no-deps: no node_modules in ${dir#"$ROOT"}; this tree cannot run"
  else
    local headers
    headers=$(node_headers_dir)
    say "installing dependencies: npm ci --omit=dev (native modules compile here: minutes on a Pi)"
    (cd "$dir" && env ${headers:+"npm_config_nodedir=$headers"} npm ci --omit=dev --no-audit --no-fund) ||
      die "npm ci --omit=dev failed in ${dir#"$ROOT"}; nothing was changed. Common causes: no network, missing python3/make/g++"
  fi
}

can_run() { [[ -f $1/dist/src/cli/main.js && -e $1/node_modules ]]; }

# check_config DIR FILE: the code in DIR validates FILE (config.yaml or plant.yaml) as the service
# will: with its secrets and, on a real system, as user lineside (a secret file only root can read
# fails here too).
check_config() {
  local as_service=()
  [[ -z $ROOT ]] && getent passwd lineside >/dev/null && as_service=(runuser -u lineside --)
  (
    set -a
    # shellcheck source=/dev/null
    [[ -r $SECRETS ]] && . "$SECRETS"
    set +a
    "${as_service[@]}" "$NODE_BIN" "$1/bin/lineside.js" check-config "$2"
  )
}

# Refuses an upgrade that would stop a working line or plant page: the new code must accept each
# config (config.yaml, plant.yaml) the installed code accepts. When both reject one, that service
# is down already and the upgrade goes on.
verify_upgrade() {
  local file out files=("$CONFIG")
  ((PLANT)) && files+=("$PLANT_CONFIG")
  for file in "${files[@]}"; do
    [[ -f $file ]] || continue
    if ! can_run "$STAGE_DIR"; then
      say "skipping the config check with the new version (no node_modules: --no-deps)"
      return 0
    fi
    if out=$(check_config "$STAGE_DIR" "$file" 2>&1); then
      say "config check with the new version: $out"
      continue
    fi
    printf '%s\n' "$out" >&2
    if can_run "$APP_DIR" && check_config "$APP_DIR" "$file" >/dev/null 2>&1; then
      if ((FORCE)); then
        warn "the new version rejects ${file#"$ROOT"}, which the installed one accepts; upgrading anyway (--force)"
      else
        rm -rf "$STAGE_DIR"
        die "the new version rejects ${file#"$ROOT"} (problems above), which the installed version accepts. Nothing was changed. Fix the config for the new version and run again, or use --force."
      fi
    else
      warn "${file#"$ROOT"} has problems (above); the service will not start until they are fixed"
    fi
  done
}

install_code() {
  build_in_checkout
  stage_code
  local current_abi
  current_abi=$("$NODE_BIN" -p process.versions.modules)
  if [[ -d $APP_DIR && $(tree_hash "$STAGE_DIR") == "$(tree_hash "$APP_DIR")" &&
    $(cat "$APP_DIR/.install-node-abi" 2>/dev/null) == "$current_abi" &&
    $(cat "$APP_DIR/.install-deps" 2>/dev/null) == "$(deps_state)" ]]; then
    rm -rf "$STAGE_DIR"
    say "code in ${APP_DIR#"$ROOT"} is unchanged ($(package_version "$APP_DIR"))"
    CODE_CHANGED=0
    return 0
  fi
  install_deps "$STAGE_DIR"
  verify_upgrade
  WAS_ACTIVE=0
  PLANT_WAS_ACTIVE=0
  if service_active lineside.service; then
    WAS_ACTIVE=1
    say "stopping lineside for the switch"
    systemctl stop lineside.service
  fi
  if service_active lineside-plant.service; then
    PLANT_WAS_ACTIVE=1
    say "stopping lineside-plant for the switch"
    systemctl stop lineside-plant.service
  fi
  # Two renames: the window without an /opt/lineside is microseconds, and the previous code
  # stays beside it for a manual rollback (docs/install.md).
  rm -rf "$PREV_DIR"
  [[ -d $APP_DIR ]] && mv "$APP_DIR" "$PREV_DIR"
  mv "$STAGE_DIR" "$APP_DIR"
  CODE_CHANGED=1
  say "installed $(package_version "$APP_DIR") in ${APP_DIR#"$ROOT"}"
}

package_version() {
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1
}
