#!/usr/bin/env bash
# Two lbrp cubes chained port to port: lb0 faces the client, lb1 the router and the backends, and
# `polycubectl connect lb0:to1 lb1:from0` links lb0's BACKEND port to lb1's FRONTEND port. Each
# cube balances its own VIP (lb0 10.10.0.100, lb1 10.10.0.200) and passes the other's traffic
# untouched. EX_TYPE=XDP_DRV (or XDP_SKB) makes both cubes XDP. Run as root: bash examples/chain/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 2 3)
REQUESTS=${REQUESTS:-120}
VIP_B=10.10.0.200
EX_TYPE=${EX_TYPE:-TC}

ex_require
ex_step "topology: client, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 1
ex_start_stack

ex_step "configuration: two cubes, then the link between them"
ex_ctl lbrp add lb0 port_mode=SINGLE type="$EX_TYPE"
ex_ctl lb0 ports add fe type=FRONTEND peer="${EX_FE_DEVS[0]}"
ex_ctl lb0 ports add to1 type=BACKEND
ex_ctl lbrp add lb1 port_mode=SINGLE type="$EX_TYPE"
ex_ctl lb1 ports add from0 type=FRONTEND
ex_ctl lb1 ports add be type=BACKEND peer="$EX_BE_DEV"
ex_ctl connect lb0:to1 lb1:from0
# Native XDP on the veths around the cubes needs GRO on and TX checksum offload off (topology.sh).
if [ "$EX_TYPE" = XDP_DRV ]; then ex_xdp_offloads; fi
for cube_vip in "lb0 $EX_VIP" "lb1 $VIP_B"; do
  read -r cube vip <<<"$cube_vip"
  ex_ctl "$cube" service add "$vip" "$EX_VPORT" TCP name=web
  for i in "${!EX_BACKEND_IPS[@]}"; do
    ex_ctl "$cube" service "$vip" "$EX_VPORT" TCP backend add "${EX_BACKEND_IPS[i]}" \
      port="$EX_BPORT" weight="${WEIGHTS[i]}" name="${EX_BACKEND_NAMES[i]}"
  done
done
if [ "$EX_QUIET" != 1 ]; then
  ex_ctl lb0 ports show
  ex_ctl lb1 ports show
fi

for cube_vip in "lb0 $EX_VIP" "lb1 $VIP_B"; do
  read -r cube vip <<<"$cube_vip"
  ex_step "$REQUESTS new connections to $vip, balanced by $cube"
  EX_VIP=$vip ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"
  printf '%s total-sessions %s\n' "$cube" "$(ex_ctl_quiet "$cube" service "$vip" "$EX_VPORT" TCP show total-sessions)"
done

ex_step "disconnected: nothing crosses any more"
ex_ctl disconnect lb0:to1 lb1:from0
if ip netns exec "${EX_CLIENT_NS[0]}" curl -s -m 2 "http://$VIP_B:$EX_VPORT/" >/dev/null; then
  ex_die "$VIP_B answered through a disconnected link"
fi
printf 'no answer from %s after disconnect\n' "$VIP_B"
ex_hold
