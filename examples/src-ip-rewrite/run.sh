#!/usr/bin/env bash
# src-ip-rewrite example: clients in 10.0.0.0/24 reach the backends as 20.0.0.0/24 (same host
# bits), and answers find their way back. The backends print the client address they saw.
# The router sends traffic for 20.0.0.1 back toward the cube (a route via the client's real
# address), where the cube restores 10.0.0.1. An ICMP service is pinged through the rewrite too.
# Run as root: bash examples/src-ip-rewrite/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 1 1)
REQUESTS=${REQUESTS:-60}
RANGE=10.0.0.0/24
NEW_RANGE=20.0.0.0/24
CLIENT_NEW=20.0.0.1

ex_require
ex_step "topology: client, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 1
ex_say "\$ ip route add $CLIENT_NEW via ${EX_CLIENT_IPS[0]} dev r0   # router namespace"
ip -n "$EX_ROUTER_NS" route add "$CLIENT_NEW" via "${EX_CLIENT_IPS[0]}" dev r0
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

# seen: prints the client address in a backend's answer to one request.
seen() {
  ip netns exec "${EX_CLIENT_NS[0]}" curl -s -m 5 "http://$EX_VIP:$EX_VPORT/" | sed -n 's/.*client=\([0-9.]*\).*/\1/p'
}

ex_step "without src-ip-rewrite: the backends see the client's own address"
ex_curl "${EX_CLIENT_NS[0]}"
[ "$(seen)" = "${EX_CLIENT_IPS[0]}" ] || ex_die "expected the backend to see ${EX_CLIENT_IPS[0]}"

ex_step "with src-ip-rewrite $RANGE -> $NEW_RANGE"
ex_ctl "$EX_CUBE" src-ip-rewrite set ip-range="$RANGE" new_ip_range="$NEW_RANGE"
ex_ctl "$EX_CUBE" src-ip-rewrite show
ex_curl "${EX_CLIENT_NS[0]}"
[ "$(seen)" = "$CLIENT_NEW" ] || ex_die "expected the backend to see $CLIENT_NEW"
ex_say "the backends saw $CLIENT_NEW; the client got its answers from $EX_VIP"

ex_step "an ICMP service through the rewrite: the echo replies come back from $EX_VIP"
ex_ctl "$EX_CUBE" service add "$EX_VIP" 0 ICMP name=ping
for i in "${!EX_BACKEND_IPS[@]}"; do
  ex_ctl "$EX_CUBE" service "$EX_VIP" 0 ICMP backend add "${EX_BACKEND_IPS[i]}" port=0
done
ex_say "\$ ping -c 3 $EX_VIP"
replies=$(ip netns exec "${EX_CLIENT_NS[0]}" ping -n -c 3 -W 2 "$EX_VIP" | grep -c "bytes from $EX_VIP:" || true)
printf '%s echo replies from %s\n' "$replies" "$EX_VIP"
[ "$replies" = 3 ] || ex_die "expected 3 echo replies from $EX_VIP"

ex_step "$REQUESTS new connections, rewritten, across the backends"
ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"
ex_hold
