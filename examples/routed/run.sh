#!/usr/bin/env bash
# ROUTED example: a load balancer host with one client-facing interface. The cube (port_mode=ROUTED,
# one FRONTEND port on the host's own eth0) balances the VIP; the host's routes (/32 routes over
# three links) carry the packets to the backends, and the replies come back through the host and
# are reverse-NATed as they leave eth0. The host's own service on eth0's address keeps working.
# Run as root: bash examples/routed/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 2 3)
REQUESTS=${REQUESTS:-300}
EX_LB_ADDR=10.0.0.254
EX_LB_SELF_PORT=8022

ex_require
[ -z "$EX_URL" ] || ex_die "the routed example needs its own LB namespace (it adds addresses and routes): unset EX_URL"

ex_step "topology: a client, the LB host with one interface toward it and a /32 route per backend"
ex_lb_ns
ip netns exec "$EX_LB_NS" sysctl -qw net.ipv4.ip_forward=1
ex_ns ns c1
EX_CLIENT_NS+=("$ns")
ex_link "$ns" eth0 "$EX_LB_NS" eth0
ex_addr "$ns" eth0 10.0.0.1/24 "$EX_LB_ADDR"
ex_addr "$EX_LB_NS" eth0 "$EX_LB_ADDR/24"
for i in "${!EX_BACKEND_NAMES[@]}"; do
  b=${EX_BACKEND_NAMES[i]}
  ex_ns ns "$b"
  EX_BACKEND_NS+=("$ns")
  ex_link "$EX_LB_NS" "to-$b" "$ns" eth0
  # The LB side borrows one address for every link; each backend is a /32 behind its link.
  ip -n "$EX_LB_NS" addr add 192.168.1.254/32 dev "to-$b"
  ip -n "$EX_LB_NS" route add "${EX_BACKEND_IPS[i]}/32" dev "to-$b"
  ip -n "$ns" addr add "${EX_BACKEND_IPS[i]}/32" dev eth0
  ip -n "$ns" route add 192.168.1.254/32 dev eth0
  ip -n "$ns" route add default via 192.168.1.254 dev eth0
  ex_backend "$ns" "$b" "$EX_BPORT"
done
# A service of the LB host itself, reached on eth0's own address (an ssh stand-in).
ex_backend "$EX_LB_NS" lbhost "$EX_LB_SELF_PORT"
targets=("$EX_LB_NS:$EX_LB_ADDR:$EX_LB_SELF_PORT")
for i in "${!EX_BACKEND_NS[@]}"; do targets+=("${EX_BACKEND_NS[i]}:${EX_BACKEND_IPS[i]}:$EX_BPORT"); done
ex_wait_backends "${targets[@]}"
export EX_VIP EX_VPORT EX_BPORT
ex_start_stack

ex_step "configuration"
ex_ctl lbrp add "$EX_CUBE" port_mode=ROUTED
ex_ctl "$EX_CUBE" ports add fe type=FRONTEND peer=eth0
ex_ctl "$EX_CUBE" service add "$EX_VIP" "$EX_VPORT" TCP name=web
for i in "${!EX_BACKEND_IPS[@]}"; do
  ex_ctl "$EX_CUBE" service "$EX_VIP" "$EX_VPORT" TCP backend add "${EX_BACKEND_IPS[i]}" \
    port="$EX_BPORT" weight="${WEIGHTS[i]}" name="${EX_BACKEND_NAMES[i]}"
done
[ "$EX_QUIET" = 1 ] || ex_ctl "$EX_CUBE" show

ex_step "one request from the client"
ex_curl "${EX_CLIENT_NS[0]}"

ex_step "the LB host's own service on $EX_LB_ADDR:$EX_LB_SELF_PORT, untouched by the cube"
ex_say "\$ curl http://$EX_LB_ADDR:$EX_LB_SELF_PORT/"
ip netns exec "${EX_CLIENT_NS[0]}" curl -sS -m 5 "http://$EX_LB_ADDR:$EX_LB_SELF_PORT/" ||
  ex_die "the LB host's own service does not answer"

ex_step "$REQUESTS new connections: requests per backend beside each weight's share"
ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"
