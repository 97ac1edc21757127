#!/usr/bin/env bash
# Three load balancers on one segment (Polycube's session table example): each of three hosts
# 10.0.0.1-3 sits behind its own SINGLE cube (lb1-lb3), whose BACKEND sides share one L2 segment
# with the router 10.0.0.254. Every cube has the same service 192.168.0.1:80 for ALL protocols
# whose backends are the hosts themselves (10.0.0.1 weight 50, 10.0.0.2 weight 1, 10.0.0.3
# weight 0). A request from host 3 is balanced by lb3, crosses the segment (through the router)
# and lb1 or lb2 untouched (it is not theirs), and the reply comes back through lb3, which alone
# holds the session and translates it back to the VIP. Run as root: bash examples/session-table/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
[ -z "$EX_URL" ] || ex_die "this example starts its own polycubed (EX_URL is not supported)"
REQUESTS=${REQUESTS:-100}
EX_VIP=192.168.0.1
EX_VPORT=80
EX_GATEWAY=10.0.0.254
EX_BACKEND_NAMES=(b1 b2 b3)
EX_BACKEND_IPS=(10.0.0.1 10.0.0.2 10.0.0.3)
WEIGHTS=(50 1 0)
EX_CUBE=lb3 # the cleanup deletes this one; the others go with polycubed and its namespace

ex_require
ex_step "topology: three hosts behind three cubes on one segment with the router (names start with $EX_ID)"
ex_lb_ns
ex_ns seg segment
ip -n "$seg" link add br0 type bridge
ip -n "$seg" link set br0 up
ex_addr "$seg" br0 "$EX_GATEWAY/24"
for k in net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.br0.send_redirects=0; do
  ip netns exec "$seg" sysctl -qw "$k"
done
for i in 1 2 3; do
  ex_ns ns "h$i"
  EX_CLIENT_NS+=("$ns")
  ex_link "$ns" eth0 "$EX_LB_NS" "fe$i"
  ex_addr "$ns" eth0 "10.0.0.$i/24" "$EX_GATEWAY"
  ex_link "$EX_LB_NS" "be$i" "$seg" "s$i"
  ip -n "$seg" link set "s$i" master br0
done
# Hosts 1 and 2 serve HTTP on port 80 (host 3 has weight 0: it serves nothing).
ex_backend "${EX_CLIENT_NS[0]}" b1 80
ex_backend "${EX_CLIENT_NS[1]}" b2 80
ex_wait_backends "${EX_CLIENT_NS[0]}:10.0.0.1:80" "${EX_CLIENT_NS[1]}:10.0.0.2:80"
ex_start_stack

ex_step "configuration: the same service on each cube (one file, three cubes)"
{
  for i in 1 2 3; do
    printf -- '---\nservice-name: lbrp\nname: lb%s\nport_mode: SINGLE\nports:\n' "$i"
    printf '  - { name: fe, type: FRONTEND, peer: fe%s }\n  - { name: be, type: BACKEND, peer: be%s }\nservice:\n' "$i" "$i"
    for p in "$EX_VPORT TCP" "$EX_VPORT UDP" "0 ICMP"; do
      read -r port proto <<<"$p"
      printf '  - vip: %s\n    vport: %s\n    proto: %s\n    name: web\n    backend:\n' "$EX_VIP" "$port" "$proto"
      for j in 0 1 2; do
        printf '      - { ip: %s, port: %s, weight: %s }\n' "${EX_BACKEND_IPS[j]}" "$EX_VPORT" "${WEIGHTS[j]}"
      done
    done
  done
} >"$EX_TMP/lbs.yaml"
[ "$EX_QUIET" = 1 ] || sed -n '1,24p' "$EX_TMP/lbs.yaml"
ex_say "  … (lb2 and lb3 the same, on fe2/be2 and fe3/be3)"
ex_ctl apply -f "$EX_TMP/lbs.yaml"

ex_step "host 3 to the VIP: balanced by lb3, answered through lb3"
ex_curl "${EX_CLIENT_NS[2]}"

ex_step "$REQUESTS new connections from host 3"
ex_traffic "${EX_CLIENT_NS[2]}" "$REQUESTS" "${WEIGHTS[@]}"

ex_step "the sessions are lb3's alone (lb1 and lb2 passed the frames untouched)"
for i in 1 2 3; do
  printf 'lb%s total-sessions %s\n' "$i" "$(ex_ctl_quiet "lb$i" service "$EX_VIP" "$EX_VPORT" TCP show total-sessions)"
done

ex_step "hosts 1 and 2 reach each other through two cubes, untouched; host 3 pings the VIP"
ip netns exec "${EX_CLIENT_NS[0]}" ping -n -c 2 -W 2 10.0.0.2 >/dev/null || ex_die "host 1 cannot reach host 2"
ex_say "host 1 → host 2: 2 echo replies"
replies=$(ip netns exec "${EX_CLIENT_NS[2]}" ping -n -c 3 -W 2 "$EX_VIP" | grep -c "bytes from $EX_VIP:" || true)
printf '%s echo replies from %s\n' "$replies" "$EX_VIP"
[ "$replies" = 3 ] || ex_die "expected 3 echo replies from $EX_VIP"

ex_step "10.0.0.2 removed from lb3's TCP service: every new connection goes to 10.0.0.1"
ex_ctl lb3 service "$EX_VIP" "$EX_VPORT" TCP backend del 10.0.0.2
ex_traffic "${EX_CLIENT_NS[2]}" 20 50 0 0
ex_hold
