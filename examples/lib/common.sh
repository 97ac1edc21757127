# Shared helpers of the runnable examples (sourced, not run). Each example builds its own network
# namespaces with names starting with $EX_ID, starts polycubed and the lbrp service inside its
# "lb" namespace (REST on that namespace's 127.0.0.1:9000, so nothing on the host is touched or
# reachable), configures the cube with our polycubectl, sends traffic, and removes everything on
# exit, Ctrl-C included (trap).
#
# Environment:
#   EX_ID          name prefix (default lbx<pid>); every namespace, device and file of the run has it
#   EX_URL         use an already running polycubed (with the lbrp service) at this base URL
#                  instead of starting one; the LB-side devices are then created in the host
#                  namespace, where that polycubed runs, and the cube is named after $EX_ID
#   EX_QUIET=1     print only the results
#   EX_HOLD="cmd"  after configuring, run cmd (with the EX_* variables exported) before cleaning up
#   EX_LBRP_MAIN   entry of the lbrp service (default src/lbrp/main.ts)
#   EX_CUBE_LOGS=1 polycubed prints the cubes' log lines too (into $EX_TMP/polycubed.log)

set -Eeuo pipefail

EX_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EX_ID=${EX_ID:-lbx$$}
EX_ID=${EX_ID:0:10} # device names are at most 15 characters: <id><3-5 chars>
EX_TMP=/tmp/$EX_ID
EX_URL=${EX_URL:-}
EX_QUIET=${EX_QUIET:-0}
EX_HOLD=${EX_HOLD:-}
EX_CUBE_LOGS=${EX_CUBE_LOGS:-0}
EX_BPF_CACHE=$EX_REPO/.cache/examples/bpf
EX_LBRP_MAIN=${EX_LBRP_MAIN:-$EX_REPO/src/lbrp/main.ts}
EX_REST_PORT=9000
# The LB namespace (empty = the host's, with EX_URL) and the cube's name.
EX_LB_NS=
EX_CUBE=lb0
if [ -n "$EX_URL" ]; then EX_CUBE=$EX_ID; fi

_ex_namespaces=()
_ex_pids=()
_ex_host_devs=()
_ex_cleaned=0

ex_say() { [ "$EX_QUIET" = 1 ] || printf '%s\n' "$*"; }
ex_step() { [ "$EX_QUIET" = 1 ] || printf '\n\033[1m== %s\033[0m\n' "$*"; }
ex_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

_ex_failed() { # status command
  trap - ERR
  # 130/143: interrupted (Ctrl-C, TERM); the cleanup says enough.
  [ "$1" = 130 ] || [ "$1" = 143 ] || printf 'error: command failed (%s): %s\n' "$1" "$2" >&2
}

ex_require() {
  [ "$(id -u)" -eq 0 ] || ex_die "the examples need root (network namespaces, eBPF)"
  local c
  for c in ip curl node ethtool; do
    command -v "$c" >/dev/null || ex_die "$c is missing (run: bash scripts/ensure-deps.sh)"
  done
  [ -d "$EX_REPO/node_modules" ] || ex_die "npm packages are missing (run: bash scripts/ensure-deps.sh)"
  if [ -z "$EX_URL" ] && [ ! -f "$EX_LBRP_MAIN" ]; then
    ex_die "the lbrp service ($EX_LBRP_MAIN) is not in this tree yet"
  fi
  mkdir -p "$EX_TMP" "$EX_BPF_CACHE"
  trap ex_cleanup EXIT
  trap '_ex_failed $? "$BASH_COMMAND"' ERR
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ex_ns VAR NAME: creates namespace $EX_ID-NAME with loopback up and stores its name in VAR.
ex_ns() {
  local _ex_name=$EX_ID-$2
  ip netns add "$_ex_name"
  _ex_namespaces+=("$_ex_name")
  ip -n "$_ex_name" link set lo up
  printf -v "$1" '%s' "$_ex_name"
}

# ex_in NS CMD…: runs CMD inside NS (the host namespace when NS is empty).
ex_in() {
  local ns=$1
  shift
  if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# ex_link NS_A DEV_A NS_B DEV_B: a veth pair with one end in each namespace (empty = host), both up.
ex_link() {
  local ns_a=$1 dev_a=$2 ns_b=$3 dev_b=$4
  local tmp_a=${EX_ID}t${#_ex_host_devs[@]}
  ip link add "$tmp_a" type veth peer name "${tmp_a}p"
  _ex_host_devs+=("$tmp_a")
  _ex_move "$tmp_a" "$ns_a" "$dev_a"
  _ex_move "${tmp_a}p" "$ns_b" "$dev_b"
}

_ex_move() {
  local dev=$1 ns=$2 name=$3
  if [ -n "$ns" ]; then
    ip link set "$dev" netns "$ns" name "$name"
    ip -n "$ns" link set "$name" up
  else
    ip link set "$dev" name "$name"
    ip link set "$name" up
    _ex_host_devs+=("$name")
  fi
}

# ex_addr NS DEV CIDR [GATEWAY]: an address (and a default route) inside NS.
ex_addr() {
  ip -n "$1" addr add "$3" dev "$2"
  if [ -n "${4:-}" ]; then ip -n "$1" route add default via "$4"; fi
}

# ex_lb_dev NAME: the LB-side device name (unique in the host namespace when EX_URL is used).
ex_lb_dev() {
  if [ -n "$EX_URL" ]; then printf '%s%s' "$EX_ID" "$1"; else printf '%s' "$1"; fi
}

# ex_lb_ns: creates the LB namespace (unless EX_URL points at a running polycubed).
ex_lb_ns() {
  if [ -z "$EX_URL" ]; then ex_ns EX_LB_NS lb; fi
}

_ex_spawn() { # log-name ns cmd…
  local log=$EX_TMP/$1.log ns=$2
  shift 2
  if [ -n "$ns" ]; then
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
  else
    "$@" >"$log" 2>&1 &
  fi
  _ex_pids+=("$!")
  _ex_last_pid=$!
}

_ex_rest_status() { # path → HTTP status of GET <base>path
  ex_in "$EX_LB_NS" curl -s -o /dev/null -m 5 -w '%{http_code}' "${EX_BASE}$1" || true
}

_ex_wait_rest() { # path what pid
  local deadline=$((SECONDS + 90))
  until [ "$(_ex_rest_status "$1")" = 200 ]; do
    if ! kill -0 "$3" 2>/dev/null; then
      tail -n 20 "$EX_TMP"/*.log >&2 || true
      ex_die "$2 exited while starting (logs above)"
    fi
    [ $SECONDS -lt $deadline ] || ex_die "$2: not ready after 90 s"
    sleep 0.3
  done
}

# ex_start_stack: polycubed + the lbrp service inside the LB namespace, or checks EX_URL.
ex_start_stack() {
  mkdir -p "$EX_TMP/home/.config/polycube"
  if [ -n "$EX_URL" ]; then
    EX_BASE=$EX_URL
  else
    EX_BASE=http://127.0.0.1:$EX_REST_PORT/polycube/v1/
    ex_say "starting polycubed and the lbrp service in namespace $EX_LB_NS (REST on its 127.0.0.1:$EX_REST_PORT)"
    local node=(node --import tsx)
    _ex_spawn polycubed "$EX_LB_NS" "${node[@]}" "$EX_REPO/src/polycubed/main.ts" \
      --grpc-socket "$EX_TMP/polycubed.sock" --pin-root "$EX_TMP/bpf" --no-persistence \
      --cache-dir "$EX_BPF_CACHE" $([ "$EX_CUBE_LOGS" = 1 ] || echo --quiet) --addr 127.0.0.1 --port "$EX_REST_PORT"
    _ex_wait_rest '' polycubed "$_ex_last_pid"
    _ex_spawn lbrp "$EX_LB_NS" "${node[@]}" "$EX_LBRP_MAIN" --polycubed "unix:$EX_TMP/polycubed.sock"
    _ex_wait_rest 'lbrp/' 'the lbrp service' "$_ex_last_pid"
  fi
  [ "$(_ex_rest_status 'lbrp/')" = 200 ] || ex_die "no lbrp service behind $EX_BASE"
  printf 'url: %s\n' "$EX_BASE" >"$EX_TMP/home/.config/polycube/polycubectl_config.yaml"
  export EX_ID EX_TMP EX_BASE EX_LB_NS EX_CUBE EX_REPO
}

# ex_ctl ARGS…: our polycubectl against the example's polycubed (printed, then run).
ex_ctl() {
  ex_say "\$ polycubectl $*"
  ex_ctl_quiet "$@"
}

# ex_ctl_quiet ARGS…: the same, not printed.
ex_ctl_quiet() {
  # POLYCUBECTL_TIMEOUT_MS (our client's extension) so that a stuck daemon cannot hang a run.
  ex_in "$EX_LB_NS" env HOME="$EX_TMP/home" POLYCUBECTL_TIMEOUT_MS="${EX_CTL_TIMEOUT_MS:-60000}" \
    node "$EX_REPO/bin/polycubectl.js" "$@"
}

# ex_backend NS NAME [PORT]: the example HTTP server inside NS, answering with its name.
ex_backend() {
  _ex_spawn "backend-$2" "$1" node "$EX_REPO/examples/lib/http-backend.js" "$2" "${3:-8080}"
}

# ex_wait_backends NS:IP:PORT…: waits until each backend answers locally.
ex_wait_backends() {
  local b ns addr port deadline=$((SECONDS + 20))
  for b in "$@"; do
    IFS=: read -r ns addr port <<<"$b"
    until ip netns exec "$ns" curl -s -o /dev/null -m 1 "http://$addr:$port/"; do
      [ $SECONDS -lt $deadline ] || ex_die "backend $addr:$port in $ns does not answer"
      sleep 0.2
    done
  done
}

# ex_curl NS [PATH]: one request from NS to the VIP (printed, then run); fails clearly.
ex_curl() {
  ex_say "\$ curl http://$EX_VIP${2:-/}"
  ip netns exec "$1" curl -sS -m 5 "http://$EX_VIP:$EX_VPORT${2:-/}" ||
    ex_die "no answer from the VIP $EX_VIP:$EX_VPORT"
}

# ex_hold: runs $EX_HOLD (the demo) with the topology up.
ex_hold() {
  if [ -n "$EX_HOLD" ]; then bash -c "$EX_HOLD"; fi
}

# ex_cleanup: deletes the cube, stops every process, removes namespaces, devices and files.
ex_cleanup() {
  local rc=$? i
  [ "$_ex_cleaned" = 1 ] && return
  _ex_cleaned=1
  trap - INT TERM
  if [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; then
    for i in "$EX_TMP"/polycubed.log "$EX_TMP"/lbrp.log; do
      [ -s "$i" ] && { printf -- '--- last lines of %s\n' "${i##*/}" >&2; tail -n 15 "$i" >&2; }
    done
  fi
  ex_say ""
  ex_say "cleaning up $EX_ID"
  # The cube's name is ours alone (lb0 in our own polycubed, $EX_ID in a running one).
  if [ -n "${EX_BASE:-}" ]; then
    EX_CTL_TIMEOUT_MS=10000 ex_ctl_quiet lbrp del "$EX_CUBE" >/dev/null 2>&1 || true
  fi
  for ((i = ${#_ex_pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${_ex_pids[i]}" 2>/dev/null || true
  done
  for i in "${_ex_pids[@]}"; do
    local waited=0
    while kill -0 "$i" 2>/dev/null && [ $waited -lt 50 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$i" 2>/dev/null || true
  done
  # Anything still running inside the run's own namespaces (a server the demo started) goes too:
  # a process would keep a deleted namespace alive.
  for i in "${_ex_namespaces[@]}"; do
    ip netns pids "$i" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  for i in "${_ex_host_devs[@]}"; do ip link del "$i" 2>/dev/null || true; done
  for i in "${_ex_namespaces[@]}"; do ip netns del "$i" 2>/dev/null || true; done
  rm -rf "$EX_TMP"
  exit "$rc"
}
