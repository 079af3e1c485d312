#!/usr/bin/env bash
# Installs Lineside as a systemd service on Raspberry Pi OS (bookworm, arm64/armhf), Debian or
# Ubuntu, from a source checkout. Run it from the checkout: sudo deploy/install.sh
#
# Layout: /opt/lineside (code; replaced on upgrade, the previous one kept as /opt/lineside.prev),
# /etc/lineside/config.yaml (yours: never overwritten), /etc/lineside/secrets.env (0600),
# /etc/lineside/users.json (named users: lineside user add),
# /var/lib/lineside (spool, history), /etc/systemd/system/lineside.service, /usr/local/bin/lineside.
# With --plant: the plant server too, /etc/lineside/plant.yaml (yours), /var/lib/lineside-plant
# (its history), /etc/systemd/system/lineside-plant.service.
# Re-running is safe: what is already right is left alone. docs/install.md explains everything.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
umask 022

usage() {
  cat <<'EOF'
usage: sudo deploy/install.sh [options]          install, or update an existing install
       sudo deploy/install.sh --plant [options]   install the plant server (on the central server)
       sudo deploy/install.sh --upgrade [options] update code; config, secrets and data are kept
       sudo deploy/install.sh --uninstall [--purge]

  --plant                 install the plant server as lineside-plant.service, with
                          /etc/lineside/plant.yaml from config/plant.yaml (docs/plant.md). The
                          agent is set up only where it is already (an /etc/lineside/config.yaml)
                          or with --agent. Later runs without --plant keep the plant server updated
  --agent                 with --plant: set up the line agent (lineside.service) on this machine too
  --with-mosquitto        install a local Mosquitto with a password file (no anonymous access)
                          and point a freshly installed config at it
  --mqtt-listen ADDR      Mosquitto listener address (default 127.0.0.1; 0.0.0.0 for the LAN)
  --with-influxdb         install a local InfluxDB 1.x with auth, a database and a lineside user
  --with-journald-limits  cap the journal at 200 MB and keep it across reboots (SD-card care)
  --start                 start the service(s) now (a fresh install is enabled but not started,
                          so you can edit the config first)
  --force                 upgrade even if the new version rejects the current config
  --uninstall             remove code, units (agent and plant server) and command; keep config
                          and data
  --purge                 with --uninstall: also remove config (plant.yaml too), secrets, data
                          (/var/lib/lineside and /var/lib/lineside-plant), the lineside
                          user and the Mosquitto config written by --with-mosquitto
  --root DIR              install into DIR instead of / (also: DESTDIR=DIR). No useradd,
                          systemctl or apt-get: they are printed instead. For packaging and tests.
  --no-build              use the dist/ already built in the checkout (npm run build)
  --no-deps               do not run npm ci --omit=dev in the target (tests; the result cannot run)
  --node-modules DIR      with --root only: link DIR as node_modules instead of npm ci (tests)
  -h, --help              this help
EOF
}

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SOURCE_DIR
readonly HELPERS=$SOURCE_DIR/deploy/lib/install-helpers.mjs

MODE=install
PURGE=0
ROOT=${DESTDIR:-}
WITH_MOSQUITTO=0
WITH_INFLUXDB=0
WITH_JOURNALD=0
START=0
WANT_PLANT=0
WANT_AGENT=0
FORCE=0
NO_BUILD=0
NO_DEPS=0
NODE_MODULES_FROM=
MQTT_LISTEN=127.0.0.1
MQTT_PORT=1883

bad_usage() {
  printf 'lineside-install: %s\n\n' "$*" >&2
  usage >&2
  exit 2
}

while (($# > 0)); do
  case $1 in
    --upgrade) MODE=upgrade ;;
    --uninstall) MODE=uninstall ;;
    --purge) PURGE=1 ;;
    --with-mosquitto) WITH_MOSQUITTO=1 ;;
    --mqtt-listen) [[ $# -ge 2 ]] || bad_usage "--mqtt-listen needs an address"; MQTT_LISTEN=$2; shift ;;
    --with-influxdb) WITH_INFLUXDB=1 ;;
    --with-journald-limits) WITH_JOURNALD=1 ;;
    --start) START=1 ;;
    --plant) WANT_PLANT=1 ;;
    --agent) WANT_AGENT=1 ;;
    --force) FORCE=1 ;;
    --no-build) NO_BUILD=1 ;;
    --no-deps) NO_DEPS=1 ;;
    --node-modules) [[ $# -ge 2 ]] || bad_usage "--node-modules needs a directory"; NODE_MODULES_FROM=$2; shift ;;
    --root) [[ $# -ge 2 ]] || bad_usage "--root needs a directory"; ROOT=$2; shift ;;
    --root=*) ROOT=${1#--root=} ;;
    -h | --help) usage; exit 0 ;;
    *) bad_usage "unknown option: $1" ;;
  esac
  shift
done

((PURGE)) && [[ $MODE != uninstall ]] && bad_usage "--purge only goes with --uninstall"
((WANT_AGENT && !WANT_PLANT)) && bad_usage "--agent only goes with --plant (without --plant the agent is always set up)"
if [[ -n $ROOT ]]; then
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [[ $ROOT == / ]] && ROOT=
fi
if [[ -n $NODE_MODULES_FROM ]]; then
  [[ -n $ROOT ]] || bad_usage "--node-modules is for --root trees only (tests); a real install runs npm ci"
  [[ -d $NODE_MODULES_FROM ]] || bad_usage "--node-modules: $NODE_MODULES_FROM is not a directory"
  NODE_MODULES_FROM=$(cd "$NODE_MODULES_FROM" && pwd)
fi
readonly ROOT MODE PURGE

# shellcheck source=lib/common.sh
. "$SOURCE_DIR/deploy/lib/common.sh"
# shellcheck source=lib/services.sh
. "$SOURCE_DIR/deploy/lib/services.sh"

readonly APP_DIR=$ROOT/opt/lineside
readonly STAGE_DIR=$ROOT/opt/lineside.new
readonly PREV_DIR=$ROOT/opt/lineside.prev
readonly ETC_DIR=$ROOT/etc/lineside
readonly CONFIG=$ETC_DIR/config.yaml
readonly SECRETS=$ETC_DIR/secrets.env
readonly USERS=$ETC_DIR/users.json
readonly DATA_DIR=$ROOT/var/lib/lineside
readonly UNIT=$ROOT/etc/systemd/system/lineside.service
readonly WRAPPER=$ROOT/usr/local/bin/lineside
readonly UDEV_RULE=$ROOT/etc/udev/rules.d/60-lineside-gpio.rules
readonly PLANT_CONFIG=$ETC_DIR/plant.yaml
readonly PLANT_DATA_DIR=$ROOT/var/lib/lineside-plant
readonly PLANT_UNIT=$ROOT/etc/systemd/system/lineside-plant.service

# What this machine gets. The plant server: asked for (--plant), or installed before (so a plain
# --upgrade keeps it current). The agent: everywhere except on a plant server that has no agent
# config and was not asked for one (--agent): a central server usually has no line to count.
PLANT=0
{ ((WANT_PLANT)) || [[ -f $PLANT_UNIT ]]; } && PLANT=1
AGENT=1
((PLANT && !WANT_AGENT)) && [[ ! -f $CONFIG ]] && AGENT=0
readonly PLANT AGENT

# shellcheck source=lib/code.sh
. "$SOURCE_DIR/deploy/lib/code.sh"

if [[ -z $ROOT && $(id -u) -ne 0 ]]; then
  die "run as root (sudo), or use --root DIR to install into a directory tree"
fi
[[ -n $ROOT ]] && say "installing into the tree $ROOT (no useradd, systemctl or apt-get)"

# systemctl against the running system, or offline against the --root tree when available.
systemctl_tree() {
  if [[ -z $ROOT ]]; then
    systemctl "$@"
  elif command -v systemctl >/dev/null 2>&1; then
    systemctl --root="$ROOT" --quiet "$@" 2>/dev/null || say "would run: systemctl $*"
  else
    say "would run: systemctl $*"
  fi
}

# service_active UNIT
service_active() {
  [[ -z $ROOT ]] && systemctl is-active --quiet "$1"
}

# ---------------------------------------------------------------------------------------------
uninstall() {
  if ((PURGE)); then say "uninstalling everything (--purge)"; else say "uninstalling (config and data are kept)"; fi
  local unit
  for unit in lineside.service lineside-plant.service; do
    if [[ -z $ROOT ]]; then
      systemctl disable --now "$unit" 2>/dev/null || true
    elif [[ -f $ROOT/etc/systemd/system/$unit ]]; then
      systemctl_tree disable "$unit"
    fi
  done
  local journald_limits=0
  [[ -f $JOURNALD_DROPIN ]] && journald_limits=1
  rm -f "$UNIT" "$PLANT_UNIT" "$WRAPPER" "$JOURNALD_DROPIN" "$UDEV_RULE"
  rm -rf "$APP_DIR" "$STAGE_DIR" "$PREV_DIR"
  rmdir "$ROOT/etc/systemd/system/multi-user.target.wants" 2>/dev/null || true
  if [[ -z $ROOT ]]; then
    systemctl daemon-reload
    ((journald_limits)) && systemctl restart systemd-journald.service
  fi
  if ((PURGE)); then
    rm -rf "$ETC_DIR" "$DATA_DIR" "$PLANT_DATA_DIR"
    purge_services
    if [[ -z $ROOT ]]; then
      if getent passwd lineside >/dev/null; then userdel lineside; fi
    else
      say "would run: userdel lineside"
    fi
    say "purged: config, secrets, data and the lineside user are gone"
  else
    say "kept: ${ETC_DIR#"$ROOT"} (config, secrets), ${DATA_DIR#"$ROOT"} (spool, history) and ${PLANT_DATA_DIR#"$ROOT"} (plant history) where present; --uninstall --purge removes them"
  fi
}


ensure_user() {
  if ((!AGENT)); then
    # A plant server reads no GPIO or serial port: the user gets no device groups.
    if [[ -n $ROOT ]]; then
      say "would run: useradd --system --user-group --home-dir /var/lib/lineside-plant --shell /usr/sbin/nologin lineside"
    elif ! getent passwd lineside >/dev/null; then
      useradd --system --user-group --home-dir /var/lib/lineside-plant --no-create-home \
        --shell /usr/sbin/nologin --comment "Lineside plant server" lineside
      say "created system user lineside"
    fi
    return 0
  fi
  if [[ -n $ROOT ]]; then
    say "would run: groupadd --system gpio (if missing)"
    say "would run: useradd --system --user-group --groups gpio,dialout --home-dir /var/lib/lineside --shell /usr/sbin/nologin lineside"
    return 0
  fi
  local group
  # Raspberry Pi OS has gpio and dialout; plain Debian/Ubuntu may lack gpio, and systemd refuses
  # to start a unit whose SupplementaryGroups= names a missing group.
  for group in gpio dialout; do
    getent group "$group" >/dev/null || groupadd --system "$group"
  done
  if ! getent passwd lineside >/dev/null; then
    useradd --system --user-group --groups gpio,dialout --home-dir /var/lib/lineside --no-create-home \
      --shell /usr/sbin/nologin --comment "Lineside edge agent" lineside
    say "created system user lineside (groups gpio, dialout)"
  else
    usermod -a -G gpio,dialout lineside
  fi
}

ensure_config() {
  mkdir -p "$ETC_DIR"
  chmod 0750 "$ETC_DIR"
  chown_system root:lineside "$ETC_DIR"

  if [[ ! -f $SECRETS ]]; then
    (umask 077 && cat >"$SECRETS" <<'EOF'
# Lineside secrets. systemd loads this file (EnvironmentFile=) into the environment of the agent
# and the plant server; config.yaml and plant.yaml refer to them as ${NAME}. Keep it 0600
# root:root: systemd reads it as root.
# After a change: sudo systemctl restart lineside (or lineside-plant)
EOF
    )
    say "created ${SECRETS#"$ROOT"} (0600)"
  fi
  ((AGENT)) && secret_ensure "$SECRETS" LINESIDE_OPERATOR_TOKEN "Token for operator actions on the dashboard (assign a downtime reason, acknowledge an alert)" >/dev/null
  chmod 0600 "$SECRETS"
  chown_system root:root "$SECRETS"

  ((PLANT)) && ensure_plant_config
  ((AGENT)) || return 0

  # The shipped example is refreshed on every upgrade, so new options are easy to find.
  install_file "$APP_DIR/config/example.yaml" "$ETC_DIR/config.example.yaml" 0644 || true

  # Named users (server.usersFile: users.json). Made here so it has the owner the agent can read;
  # `lineside user` keeps owner and mode when it rewrites the file.
  if [[ ! -f $USERS ]]; then
    printf '{\n  "version": 1,\n  "users": []\n}\n' >"$USERS"
    say "created ${USERS#"$ROOT"}: add people with  sudo lineside user add NAME --role operator -c /etc/lineside/config.yaml"
  fi
  chmod 0640 "$USERS"
  chown_system root:lineside "$USERS"

  if [[ -f $CONFIG ]]; then
    say "kept your ${CONFIG#"$ROOT"}"
    ((WITH_MOSQUITTO)) && say "note: to use the local broker, set in ${CONFIG#"$ROOT"}: mqtt.url: mqtt://127.0.0.1:$MQTT_PORT, mqtt.username: lineside, mqtt.password: \${LINESIDE_MQTT_PASSWORD}"
    ((WITH_INFLUXDB)) && say "note: to use the local InfluxDB, set in ${CONFIG#"$ROOT"}: influx.enabled: true, influx.username: lineside, influx.password: \${LINESIDE_INFLUX_PASSWORD}, influx.createDatabase: false"
  else
    local adapt=()
    ((WITH_MOSQUITTO)) && adapt+=(--mqtt "mqtt://127.0.0.1:$MQTT_PORT")
    ((WITH_INFLUXDB)) && adapt+=(--influx)
    if ! "$NODE_BIN" "$HELPERS" adapt-config "${adapt[@]}" <"$APP_DIR/config/example.yaml" >"$CONFIG.tmp"; then
      # The example changed shape: install it as it is; the notes below say what to set.
      warn "could not point the new config at the local services; set mqtt/influx by hand (see below)"
      cp "$APP_DIR/config/example.yaml" "$CONFIG.tmp"
      ((WITH_MOSQUITTO)) && say "note: set mqtt.url: mqtt://127.0.0.1:$MQTT_PORT, mqtt.username: lineside, mqtt.password: \${LINESIDE_MQTT_PASSWORD}"
      ((WITH_INFLUXDB)) && say "note: set influx.enabled: true, influx.username: lineside, influx.password: \${LINESIDE_INFLUX_PASSWORD}, influx.createDatabase: false"
    fi
    chmod 0640 "$CONFIG.tmp"
    mv -f "$CONFIG.tmp" "$CONFIG"
    CONFIG_CREATED=1
    say "created ${CONFIG#"$ROOT"} from the example: edit it for your line"
  fi
  chown_system root:lineside "$CONFIG"

  mkdir -p "$DATA_DIR"
  chmod 0750 "$DATA_DIR"
  chown_system lineside:lineside "$DATA_DIR"
}

# /etc/lineside/plant.yaml from the sample when absent (never overwritten), with storage.dir set
# to the unit's StateDirectory; /var/lib/lineside-plant for the history.
ensure_plant_config() {
  install_file "$APP_DIR/config/plant.yaml" "$ETC_DIR/plant.example.yaml" 0644 || true
  if [[ -f $PLANT_CONFIG ]]; then
    say "kept your ${PLANT_CONFIG#"$ROOT"}"
  else
    if ! "$NODE_BIN" "$HELPERS" adapt-plant-config --storage /var/lib/lineside-plant \
      <"$APP_DIR/config/plant.yaml" >"$PLANT_CONFIG.tmp"; then
      # The sample changed shape: install it as it is. A relative storage.dir still lands in
      # /var/lib/lineside-plant (the unit's WorkingDirectory).
      warn "could not set storage.dir in the new plant config; it stays relative to /var/lib/lineside-plant"
      cp "$APP_DIR/config/plant.yaml" "$PLANT_CONFIG.tmp"
    fi
    chmod 0640 "$PLANT_CONFIG.tmp"
    mv -f "$PLANT_CONFIG.tmp" "$PLANT_CONFIG"
    PLANT_CONFIG_CREATED=1
    say "created ${PLANT_CONFIG#"$ROOT"} from the sample: set the broker (mqtt.url), enterprise and sites"
  fi
  chown_system root:lineside "$PLANT_CONFIG"

  mkdir -p "$PLANT_DATA_DIR"
  chmod 0750 "$PLANT_DATA_DIR"
  chown_system lineside:lineside "$PLANT_DATA_DIR"
}

install_system_files() {
  local unit_changed=0
  if ((AGENT)); then install_file "$APP_DIR/deploy/lineside.service" "$UNIT" 0644 && unit_changed=1; fi
  if ((PLANT)); then install_file "$APP_DIR/deploy/lineside-plant.service" "$PLANT_UNIT" 0644 && unit_changed=1; fi
  # The command for people: runs the CLI with the service's secrets (when root can read them).
  write_file "$WRAPPER" 0755 <<'EOF' || true
#!/bin/sh
# Installed by Lineside's deploy/install.sh: `lineside check-config`, `lineside probe`, ...
# Loads /etc/lineside/secrets.env when readable (sudo), as the service does.
if [ -r /etc/lineside/secrets.env ]; then
  set -a
  . /etc/lineside/secrets.env
  set +a
fi
exec /usr/bin/env node /opt/lineside/bin/lineside.js "$@"
EOF
  if ((AGENT)) && install_file "$APP_DIR/deploy/60-lineside-gpio.rules" "$UDEV_RULE" 0644; then
    say "udev: /dev/gpiochip* belong to group gpio (${UDEV_RULE#"$ROOT"})"
    { run_system udevadm control --reload-rules && run_system udevadm trigger --subsystem-match=gpio; } ||
      warn "udevadm failed; the rule takes effect at the next boot"
  fi
  ((WITH_JOURNALD)) && setup_journald
  [[ -z $ROOT ]] && ((unit_changed)) && systemctl daemon-reload
  local units=()
  ((AGENT)) && units+=(lineside.service)
  ((PLANT)) && units+=(lineside-plant.service)
  if [[ -z $ROOT ]]; then
    systemctl enable "${units[@]}"
  else
    systemctl_tree enable "${units[@]}"
  fi
}

# start_unit NAME WAS_ACTIVE: (re)starts a service that ran before the upgrade, or all with --start.
start_unit() {
  local name=$1 was_active=$2
  if [[ -n $ROOT ]]; then
    ((START)) && say "would run: systemctl start $name"
    return 0
  fi
  if ((was_active)) || ((START)); then
    ((CODE_CHANGED)) || ! systemctl is-active --quiet "$name.service" || return 0
    say "starting $name"
    if ! systemctl restart "$name.service"; then
      systemctl status --no-pager --lines=30 "$name.service" >&2 || true
      die "$name did not start; the lines above say why (journalctl -u $name for more)"
    fi
    say "$name is running: systemctl status $name"
  fi
}

start_or_restart() {
  ((AGENT)) && start_unit lineside "$WAS_ACTIVE"
  ((PLANT)) && start_unit lineside-plant "$PLANT_WAS_ACTIVE"
  return 0
}

# ---------------------------------------------------------------------------------------------
if [[ $MODE == uninstall ]]; then
  uninstall
  exit 0
fi

if [[ $MODE == upgrade && ! -d $APP_DIR ]]; then
  die "--upgrade: Lineside is not installed in ${APP_DIR:-/opt/lineside}; run without --upgrade"
fi
if [[ ! -f $SOURCE_DIR/package.json ]] || ! grep -q '"name": "lineside"' "$SOURCE_DIR/package.json"; then
  die "$SOURCE_DIR does not look like a Lineside checkout (run deploy/install.sh from one)"
fi
[[ $SOURCE_DIR -ef $APP_DIR ]] &&
  die "this is the installed copy: install and upgrade from a source checkout; from here only --uninstall works"

if [[ -r /etc/os-release ]]; then
  # shellcheck source=/dev/null
  os_name=$(. /etc/os-release && printf '%s' "${PRETTY_NAME:-$ID}")
  say "system: $os_name, $(dpkg --print-architecture 2>/dev/null || uname -m)"
fi
check_node
((NO_DEPS)) || [[ -n $NODE_MODULES_FROM ]] || check_build_tools

CODE_CHANGED=0
WAS_ACTIVE=0
PLANT_WAS_ACTIVE=0
CONFIG_CREATED=0
PLANT_CONFIG_CREATED=0
((PLANT)) && say "plant server: yes (lineside-plant.service); line agent: $( ((AGENT)) && echo yes || echo "no (no /etc/lineside/config.yaml; --agent adds it)")"
ensure_user
install_code
ensure_config
((WITH_MOSQUITTO)) && setup_mosquitto
((WITH_INFLUXDB)) && setup_influxdb
install_system_files
start_or_restart

if ((CONFIG_CREATED && !START)); then
  say "next: edit /etc/lineside/config.yaml, check it with: sudo lineside check-config /etc/lineside/config.yaml"
  say "then start: sudo systemctl start lineside   (it also starts at every boot); logs: journalctl -u lineside -f"
fi
if ((PLANT_CONFIG_CREATED && !START)); then
  say "next: edit /etc/lineside/plant.yaml, check it with: sudo lineside check-config /etc/lineside/plant.yaml"
  say "then start: sudo systemctl start lineside-plant   (it also starts at every boot); logs: journalctl -u lineside-plant -f"
fi
say "done."

