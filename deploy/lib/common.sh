# shellcheck shell=bash
# Shared helpers for deploy/install.sh: messages, the Node check, files written only when their
# content changes, and secrets.env handling. Sourced, never run.

readonly MIN_NODE_VERSION=20.19.0
# The PATH the systemd unit gives the agent (Environment=PATH= in lineside.service): the Node
# found here is the one that will run, so it is the one checked.
readonly SERVICE_PATH=/usr/local/bin:/usr/bin:/bin

say() { printf 'lineside-install: %s\n' "$*"; }
warn() { printf 'lineside-install: WARNING: %s\n' "$*" >&2; }
die() {
  printf 'lineside-install: ERROR: %s\n' "$*" >&2
  exit 1
}

# True when version $1 (x.y.z, no "v") is at least $2.
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

node_help() {
  cat >&2 <<'EOF'

  Lineside needs Node.js 20.19 or newer; the current LTS (Node 22) is recommended.
  Debian's and Raspberry Pi OS's own "nodejs" package is Node 18: too old.

  Either NodeSource (amd64, arm64 = 64-bit Raspberry Pi OS):
      curl -fsSL https://deb.nodesource.com/setup_22.x -o nodesource_setup.sh
      sudo bash nodesource_setup.sh
      sudo apt-get install -y nodejs

  Or the official tarball (any architecture; 32-bit Raspberry Pi OS = linux-armv7l):
      https://nodejs.org/dist/latest-v22.x/  ->  node-v22.*-linux-arm64.tar.xz (or -linux-armv7l)
      sudo tar -xJf node-v22.*-linux-*.tar.xz -C /usr/local --strip-components=1 \
          --exclude=CHANGELOG.md --exclude=LICENSE --exclude=README.md

  Node must end up in /usr/local/bin or /usr/bin: the service runs with
  PATH=/usr/local/bin:/usr/bin:/bin and cannot see a Node under /home (nvm). Details: docs/install.md
EOF
}

# Checks the Node the service will run (on SERVICE_PATH; with --root, the caller's PATH, since
# the tree is not the running system). Sets NODE_BIN and NODE_VERSION.
check_node() {
  local search_path=$SERVICE_PATH
  [[ -n $ROOT ]] && search_path=$PATH
  NODE_BIN=$(PATH=$search_path command -v node || true)
  if [[ -z $NODE_BIN ]]; then
    if command -v node >/dev/null 2>&1; then
      warn "node is at $(command -v node), which the service cannot use (its PATH is $SERVICE_PATH)"
    fi
    node_help
    die "Node.js not found on $search_path"
  fi
  NODE_VERSION=$("$NODE_BIN" --version 2>/dev/null || true)
  NODE_VERSION=${NODE_VERSION#v}
  if [[ ! $NODE_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || ! version_at_least "$NODE_VERSION" "$MIN_NODE_VERSION"; then
    node_help
    die "Node.js ${NODE_VERSION:-of unknown version} at $NODE_BIN is too old (need >= $MIN_NODE_VERSION)"
  fi
  case $(readlink -f "$NODE_BIN") in
    /home/* | /root/*) node_help; die "Node at $NODE_BIN lives in a home directory, which the service's ProtectHome= hides" ;;
  esac
  say "Node v$NODE_VERSION at $NODE_BIN"
}

# Native modules (better-sqlite3, serialport, epoll, unix-dgram) compile on the Pi.
check_build_tools() {
  local missing=() tool
  for tool in python3 make g++; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    die "native modules need a compiler: missing ${missing[*]}. Install with: sudo apt-get install -y python3 make g++"
  fi
}

# Node's own headers, so node-gyp compiles offline instead of downloading them (plants often
# have no internet). NodeSource ships them in /usr/include/node, the tarball in include/node.
node_headers_dir() {
  local prefix
  prefix=$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")
  [[ -f $prefix/include/node/node_version.h ]] && printf '%s\n' "$prefix"
  return 0
}

# Runs "$@" on the real system, or only reports it when installing into a --root tree.
run_system() {
  if [[ -n $ROOT ]]; then
    say "would run: $*"
  else
    "$@"
  fi
}

# install_file SRC DEST MODE: copies only when the content differs (keeps mtimes and makes
# re-runs report "unchanged"). Returns 0 when it wrote, 1 when DEST was already identical.
install_file() {
  local src=$1 dest=$2 mode=$3
  if [[ -f $dest ]] && cmp -s "$src" "$dest"; then
    chmod "$mode" "$dest"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  # Write beside, then rename: a power cut leaves the old or the new file, never half of one.
  cp "$src" "$dest.tmp.$$"
  chmod "$mode" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  return 0
}

# write_file DEST MODE < content: like install_file, from stdin.
write_file() {
  local dest=$1 mode=$2 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  local rc=0
  install_file "$tmp" "$dest" "$mode" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

# chown_system OWNER PATH...: on the real system only (a --root tree has no lineside user).
chown_system() {
  [[ -n $ROOT ]] && return 0
  chown "$@"
}

random_secret() {
  "$NODE_BIN" "$HELPERS" random-secret
}

# secret_get FILE KEY: the value of KEY=value in an EnvironmentFile (last one wins), or empty.
secret_get() {
  local file=$1 key=$2 value
  [[ -f $file ]] || return 0
  value=$(sed -n "s/^[[:space:]]*$key=//p" "$file" | tail -n 1)
  value=${value%\"}
  value=${value#\"}
  printf '%s' "$value"
}

# secret_ensure FILE KEY COMMENT: appends KEY=<random> unless KEY is already set. Never changes
# an existing value (re-runs and upgrades keep every secret). Prints the value.
secret_ensure() {
  local file=$1 key=$2 comment=$3 value
  value=$(secret_get "$file" "$key")
  if [[ -z $value ]]; then
    value=$(random_secret)
    printf '\n# %s\n%s=%s\n' "$comment" "$key" "$value" >>"$file"
    say "generated $key in ${file#"$ROOT"}" >&2
  fi
  printf '%s' "$value"
}

# A hash of everything installed under a code directory except its node_modules and install
# stamps: equal hashes mean a re-run would change nothing.
tree_hash() {
  local dir=$1
  [[ -d $dir ]] || { echo none; return 0; }
  (
    cd "$dir" || exit 1
    find . -path ./node_modules -prune -o -name '.install-*' -prune -o -type f -print0 | LC_ALL=C sort -z |
      xargs -0 -r sha256sum
    find . -path ./node_modules -prune -o -type f -perm -u+x -print | LC_ALL=C sort
  ) | sha256sum | cut -d' ' -f1
}
