#!/usr/bin/env bash
# Polycube's own lbrp example, on our topology: one SINGLE cube at loglevel=TRACE, a service for
# ALL protocols on the VIP, then backends per protocol with weights 10, 100 and the default (TCP
# and UDP on port 8080, ICMP with a port given, which ICMP ignores); HTTP, UDP and ping to the VIP,
# a backend reached directly (untouched by the cube), and the per-packet TRACE lines the cube
# printed meanwhile. Run as root: bash examples/polycube/run.sh
EX_CUBE_LOGS=1
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(10 100 1) # the last backend gets no weight= (the default, 1)
REQUESTS=${REQUESTS:-200}

ex_require
ex_step "topology: client, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 1
ex_start_stack

ex_step "configuration"
ex_ctl lbrp add "$EX_CUBE" port_mode=SINGLE loglevel=TRACE
ex_ctl "$EX_CUBE" ports add fe type=FRONTEND peer="${EX_FE_DEVS[0]}"
ex_ctl "$EX_CUBE" ports add be type=BACKEND peer="$EX_BE_DEV"
ex_ctl "$EX_CUBE" service add "$EX_VIP" "$EX_VPORT" ALL name=web
for proto in TCP UDP; do
  ex_ctl "$EX_CUBE" service "$EX_VIP" "$EX_VPORT" "$proto" backend add "${EX_BACKEND_IPS[0]}" port="$EX_BPORT" weight=10
  ex_ctl "$EX_CUBE" service "$EX_VIP" "$EX_VPORT" "$proto" backend add "${EX_BACKEND_IPS[1]}" port="$EX_BPORT" weight=100
  ex_ctl "$EX_CUBE" service "$EX_VIP" "$EX_VPORT" "$proto" backend add "${EX_BACKEND_IPS[2]}" port="$EX_BPORT"
done
# ALL made the ICMP service on port 0; its backends take a port too (ignored for ICMP).
ex_ctl "$EX_CUBE" service "$EX_VIP" 0 ICMP backend add "${EX_BACKEND_IPS[0]}" port="$EX_BPORT" weight=10
ex_ctl "$EX_CUBE" service "$EX_VIP" 0 ICMP backend add "${EX_BACKEND_IPS[1]}" port="$EX_BPORT" weight=100
ex_ctl "$EX_CUBE" service "$EX_VIP" 0 ICMP backend add "${EX_BACKEND_IPS[2]}" port="$EX_BPORT"
[ "$EX_QUIET" = 1 ] || ex_ctl "$EX_CUBE" service show

ex_step "HTTP to the VIP"
ex_curl "${EX_CLIENT_NS[0]}"

ex_step "UDP to the VIP (the answer comes from $EX_VIP:$EX_VPORT)"
ex_say "\$ echo hi | nc -u $EX_VIP $EX_VPORT"
ip netns exec "${EX_CLIENT_NS[0]}" node -e "
const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>{console.error('no UDP answer');process.exit(1);},5000);
s.on('message',(m,r)=>{clearTimeout(t);process.stdout.write(m.toString().trim()+' (from '+r.address+':'+r.port+')\n');s.close();});
s.send('hi',$EX_VPORT,'$EX_VIP');" || ex_die "no UDP answer from the VIP"

ex_step "ping the VIP (the replies come from $EX_VIP)"
ex_say "\$ ping -c 3 $EX_VIP"
replies=$(ip netns exec "${EX_CLIENT_NS[0]}" ping -n -c 3 -W 2 "$EX_VIP" | grep -c "bytes from $EX_VIP:" || true)
printf '%s echo replies from %s\n' "$replies" "$EX_VIP"
[ "$replies" = 3 ] || ex_die "expected 3 echo replies from $EX_VIP"

ex_step "a backend reached directly: not a VIP, so the cube passes it untouched"
ex_say "\$ curl http://${EX_BACKEND_IPS[0]}:$EX_BPORT/"
ip netns exec "${EX_CLIENT_NS[0]}" curl -sS -m 5 "http://${EX_BACKEND_IPS[0]}:$EX_BPORT/"

ex_step "$REQUESTS new connections: requests per backend beside each weight's share"
ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"

ex_step "the cube's TRACE lines (polycubed's output; at most 1,000 a second are printed)"
sleep 0.5 # lines still in the ring
trace=$(grep -c "^\[$EX_CUBE\] TRACE " "$EX_TMP/polycubed.log" || true)
printf '%s TRACE lines; those of the first echo request and its reply:\n' "$trace"
# From the line before the first ICMP frame's own line (its decision comes first), four lines.
grep -E "^\[$EX_CUBE\] (TRACE|DEBUG) " "$EX_TMP/polycubed.log" |
  grep -B1 -A2 -m1 -E "TRACE rx port [0-9]+ proto 1: " || true
[ "$trace" -gt 0 ] || ex_die "the cube printed no TRACE line"
ex_hold
