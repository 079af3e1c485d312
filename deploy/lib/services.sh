# shellcheck shell=bash
# Optional local services for deploy/install.sh: Mosquitto with a password file (no anonymous
# clients), InfluxDB 1.x with auth, and the journald size limits. Sourced, never run.
# Every function is idempotent: secrets are generated once and kept; files are rewritten only
# when their content would change; services restart only when their config changed.

readonly MOSQ_CONF=$ROOT/etc/mosquitto/conf.d/lineside.conf
readonly MOSQ_PASSWD=$ROOT/etc/mosquitto/lineside.passwd
readonly INFLUX_CONF=$ROOT/etc/influxdb/influxdb.conf
# InfluxDB's admin belongs to InfluxDB, not to the agent: its credentials live beside InfluxDB's
# config (root only) and survive --uninstall --purge, since the admin user does too.
readonly INFLUX_ADMIN_ENV=$ROOT/etc/influxdb/admin-credentials.env
readonly JOURNALD_DROPIN=$ROOT/etc/systemd/journald.conf.d/lineside.conf

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  say "apt-get install ${missing[*]}"
  # Package lists on a fresh image are often stale (404s): refresh once and retry.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } ||
    die "apt-get install ${missing[*]} failed (network? apt sources?)"
}

setup_mosquitto() {
  say "Mosquitto: local broker on $MQTT_LISTEN:$MQTT_PORT, password file, no anonymous clients"
  if [[ -z $ROOT ]]; then apt_install mosquitto mosquitto-clients; else say "would run: apt-get install mosquitto mosquitto-clients"; fi

  local password changed=0
  password=$(secret_ensure "$SECRETS" LINESIDE_MQTT_PASSWORD "MQTT password of user lineside on the local Mosquitto (install.sh --with-mosquitto)")

  # The password file may hold other users: add ours only when missing, never rewrite the rest.
  mkdir -p "$(dirname "$MOSQ_PASSWD")"
  if ! grep -q '^lineside:' "$MOSQ_PASSWD" 2>/dev/null; then
    # A hand-edited file may lack its final newline; ours must not be glued to the last user.
    if [[ -s $MOSQ_PASSWD && -n $(tail -c 1 "$MOSQ_PASSWD") ]]; then echo >>"$MOSQ_PASSWD"; fi
    HASH_USER=lineside HASH_PASSWORD=$password "$NODE_BIN" "$HELPERS" mosquitto-hash >>"$MOSQ_PASSWD"
    changed=1
  fi
  # Mosquitto 2 refuses world-readable password files in future releases and warns today.
  chmod 0640 "$MOSQ_PASSWD"
  chown_system root:mosquitto "$MOSQ_PASSWD"

  local others
  others=$(grep -lsE "^[[:space:]]*listener[[:space:]]+$MQTT_PORT([[:space:]]|$)" "$(dirname "$MOSQ_CONF")"/*.conf | grep -v "^$MOSQ_CONF$" || true)
  [[ -n $others ]] && warn "another Mosquitto config also listens on port $MQTT_PORT: $others (Mosquitto will not start until one goes)"

  write_file "$MOSQ_CONF" 0644 <<EOF && changed=1
# Written by Lineside's deploy/install.sh --with-mosquitto; removed by --uninstall --purge.
# A broker for the agent and plant systems: no anonymous clients, users in the password file
# (add one: sudo mosquitto_passwd /etc/mosquitto/lineside.passwd USER; then restart mosquitto).
listener $MQTT_PORT $MQTT_LISTEN
allow_anonymous false
password_file /etc/mosquitto/lineside.passwd
EOF
  if ((changed)); then
    run_system systemctl enable mosquitto.service
    run_system systemctl restart mosquitto.service
  else
    say "Mosquitto: unchanged"
  fi
}

setup_influxdb() {
  say "InfluxDB: local 1.x with authentication, database lineside, user lineside"
  if [[ -z $ROOT ]]; then apt_install influxdb; else say "would run: apt-get install influxdb"; fi

  local admin_password lineside_password changed=0
  lineside_password=$(secret_ensure "$SECRETS" LINESIDE_INFLUX_PASSWORD "InfluxDB password of user lineside (install.sh --with-influxdb)")
  # The admin password is not the agent's business: its own root-only file, not secrets.env.
  if [[ ! -f $INFLUX_ADMIN_ENV ]]; then
    mkdir -p "$(dirname "$INFLUX_ADMIN_ENV")"
    (umask 077 && printf '# InfluxDB admin, created by Lineside install.sh --with-influxdb. Not read by the agent.\nINFLUX_ADMIN_USER=admin\n' >"$INFLUX_ADMIN_ENV")
  fi
  chmod 0600 "$INFLUX_ADMIN_ENV"
  admin_password=$(secret_ensure "$INFLUX_ADMIN_ENV" INFLUX_ADMIN_PASSWORD "InfluxDB admin password")

  if [[ ! -f $INFLUX_CONF ]]; then
    mkdir -p "$(dirname "$INFLUX_CONF")"
    printf '# Minimal InfluxDB 1.x config written by Lineside install.sh (the package provides the full one).\n' >"$INFLUX_CONF"
  fi
  [[ $("$NODE_BIN" "$HELPERS" influx-auth "$INFLUX_CONF") == changed ]] && changed=1

  if [[ -n $ROOT ]]; then
    say "would run: systemctl enable --now influxdb; then create admin, database lineside (90d) and user lineside"
    return 0
  fi
  systemctl enable influxdb.service
  if ((changed)) || ! systemctl is-active --quiet influxdb.service; then systemctl restart influxdb.service; fi
  local url=http://127.0.0.1:8086 i
  for i in $(seq 1 60); do
    "$NODE_BIN" -e "fetch('$url/ping').then((r) => process.exit(r.status === 204 ? 0 : 1), () => process.exit(1))" && break
    ((i == 60)) && die "InfluxDB did not answer on $url/ping within 60 s (journalctl -u influxdb)"
    sleep 1
  done
  INFLUX_ADMIN_USER=$(secret_get "$INFLUX_ADMIN_ENV" INFLUX_ADMIN_USER) INFLUX_ADMIN_PASSWORD=$admin_password \
    LINESIDE_INFLUX_PASSWORD=$lineside_password "$NODE_BIN" "$HELPERS" influx-provision "$url"
}

setup_journald() {
  if install_file "$SOURCE_DIR/deploy/journald-lineside.conf" "$JOURNALD_DROPIN" 0644; then
    say "journald: size limits installed in ${JOURNALD_DROPIN#"$ROOT"}"
    run_system mkdir -p /var/log/journal
    run_system systemctl restart systemd-journald.service
  else
    say "journald: limits unchanged"
  fi
}

# --uninstall --purge: our broker config and password file go; InfluxDB keeps auth on (turning
# it off would open the database) and keeps its data (dropping history is a person's decision).
purge_services() {
  if [[ -f $MOSQ_CONF || -f $MOSQ_PASSWD ]]; then
    rm -f "$MOSQ_CONF" "$MOSQ_PASSWD"
    say "removed Mosquitto config ${MOSQ_CONF#"$ROOT"} and ${MOSQ_PASSWD#"$ROOT"}"
    if [[ -z $ROOT ]]; then systemctl try-restart mosquitto.service || true; fi
  fi
  if [[ -f $INFLUX_CONF ]] && grep -q '^[[:space:]]*auth-enabled = true' "$INFLUX_CONF"; then
    say "InfluxDB keeps its data, users and auth (admin credentials: ${INFLUX_ADMIN_ENV#"$ROOT"}); to drop Lineside's: influx -username admin -password ... -execute 'DROP DATABASE lineside; DROP USER lineside'"
  fi
}
