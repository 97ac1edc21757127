#!/usr/bin/env bash
# SINGLE example: one client namespace, the lbrp cube in SINGLE port mode, three HTTP backends
# with weights 1, 2 and 3, configured with polycubectl word by word. Run as root:
#   bash examples/single/run.sh          (EX_URL=… to use a running polycubed, see ../README.md)
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 2 3)
REQUESTS=${REQUESTS:-300}

ex_require
ex_step "topology: client, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 1
ex_start_stack

ex_step "configuration"
ex_ctl lbrp add "$EX_CUBE" port_mode=SINGLE
ex_ctl "$EX_CUBE" ports add fe type=FRONTEND peer="${EX_FE_DEVS[0]}"
ex_ctl "$EX_CUBE" ports add be type=BACKEND peer="$EX_BE_DEV"
ex_ctl "$EX_CUBE" service add "$EX_VIP" "$EX_VPORT" TCP name=web
for i in "${!EX_BACKEND_IPS[@]}"; do
  ex_ctl "$EX_CUBE" service "$EX_VIP" "$EX_VPORT" TCP backend add "${EX_BACKEND_IPS[i]}" \
    port="$EX_BPORT" weight="${WEIGHTS[i]}" name="${EX_BACKEND_NAMES[i]}"
done
# (npm run demo holds the topology instead of the fixed run below.)
[ "$EX_QUIET" = 1 ] || [ -n "$EX_HOLD" ] || ex_ctl "$EX_CUBE" show

ex_step "one request from the client"
ex_curl "${EX_CLIENT_NS[0]}"

if [ -n "$EX_HOLD" ]; then
  ex_step "live traffic"
  ex_hold
else
  ex_step "$REQUESTS new connections: requests per backend beside each weight's share"
  ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"
fi
