# The examples' network (sourced after common.sh). All addresses live in namespaces of the run:
#
#   client ns (×N)           lb ns                      router ns                 backend ns ×3
#   eth0 10.0.0.<i>/24 ⇄ fe[i] ═[lb0]═ be ⇄ r0 10.0.0.254/24
#   (default via .254)        FRONTEND    BACKEND       br0 192.168.1.254/24 ⇄ eth0 192.168.1.10 b1
#                                                                           ⇄ eth0 192.168.1.11 b2
#                                                                           ⇄ eth0 192.168.1.12 b3
#
# The cube is a bump in the wire between the clients and their gateway, as in Polycube's own
# setups: it rewrites addresses, not MACs, so the router behind it carries packets to the
# backends and back. A client reaches the VIP 10.10.0.100:80 through its default route; the
# cube picks a backend (port 8080) and the router delivers.

EX_VIP=10.10.0.100
EX_VPORT=80
EX_BPORT=8080
EX_GATEWAY=10.0.0.254
EX_BACKEND_NAMES=(b1 b2 b3)
EX_BACKEND_IPS=(192.168.1.10 192.168.1.11 192.168.1.12)
EX_CLIENT_NS=()
EX_CLIENT_IPS=()
EX_FE_DEVS=()
EX_BACKEND_NS=()
EX_ROUTER_NS=
EX_BE_DEV=
# EX_HEALTH=1: also give the LB namespace a route to the backends for health probes (ex_health_link).
EX_HEALTH=${EX_HEALTH:-0}

# ex_build_topology N: N client namespaces (device fe for one client, fe1…feN for several), the
# LB namespace, the router and three backends running the example HTTP server.
ex_build_topology() {
  local n=$1 i ns
  ex_lb_ns
  ex_ns EX_ROUTER_NS router
  EX_BE_DEV=$(ex_lb_dev be)
  ex_link "$EX_LB_NS" "$EX_BE_DEV" "$EX_ROUTER_NS" r0
  ex_addr "$EX_ROUTER_NS" r0 "$EX_GATEWAY/24"
  ip netns exec "$EX_ROUTER_NS" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$EX_ROUTER_NS" link add br0 type bridge
  ip -n "$EX_ROUTER_NS" link set br0 up
  ex_addr "$EX_ROUTER_NS" br0 192.168.1.254/24
  for i in "${!EX_BACKEND_NAMES[@]}"; do
    ex_ns ns "${EX_BACKEND_NAMES[i]}"
    EX_BACKEND_NS+=("$ns")
    ex_link "$EX_ROUTER_NS" "r${EX_BACKEND_NAMES[i]}" "$ns" eth0
    ip -n "$EX_ROUTER_NS" link set "r${EX_BACKEND_NAMES[i]}" master br0
    ex_addr "$ns" eth0 "${EX_BACKEND_IPS[i]}/24" 192.168.1.254
    ex_backend "$ns" "${EX_BACKEND_NAMES[i]}" "$EX_BPORT"
  done
  for ((i = 1; i <= n; i++)); do
    ex_ns ns "c$i"
    EX_CLIENT_NS+=("$ns")
    EX_CLIENT_IPS+=("10.0.0.$i")
    if [ "$n" = 1 ]; then EX_FE_DEVS+=("$(ex_lb_dev fe)"); else EX_FE_DEVS+=("$(ex_lb_dev "fe$i")"); fi
    ex_link "$ns" eth0 "$EX_LB_NS" "${EX_FE_DEVS[i - 1]}"
    ex_addr "$ns" eth0 "10.0.0.$i/24" "$EX_GATEWAY"
  done
  local targets=()
  for i in "${!EX_BACKEND_NS[@]}"; do targets+=("${EX_BACKEND_NS[i]}:${EX_BACKEND_IPS[i]}:$EX_BPORT"); done
  ex_wait_backends "${targets[@]}"
  if [ "$EX_HEALTH" = 1 ]; then ex_health_link; fi
  export EX_VIP EX_VPORT EX_BPORT
  export EX_CLIENT_NSES="${EX_CLIENT_NS[*]}" EX_BACKENDS="${EX_BACKEND_NAMES[*]}" EX_BACKEND_ADDRS="${EX_BACKEND_IPS[*]}"
  export EX_BACKEND_NSES="${EX_BACKEND_NS[*]}"
}

# ex_health_link: health probes run from the daemon's namespace through its routes, and the LB
# namespace has none to the backends (only the cube's ports face them, and `be` has no address).
# This adds one veth LB ns (hl 172.31.255.1/30) ⇄ router (rh 172.31.255.2/30) and a route to
# 192.168.1.0/24 over it; the backends answer through their default gateway, the router. Client
# traffic does not use it (the clients' VIP route goes through the cube). Exports EX_HEALTH_LINK=1.
# With EX_URL the daemon is the host's, whose routes are not ours to change: nothing is added.
ex_health_link() {
  if [ -z "$EX_LB_NS" ]; then
    ex_say "no probe path added: with EX_URL, the host running polycubed must route to the backends"
    return 0
  fi
  ex_link "$EX_LB_NS" hl "$EX_ROUTER_NS" rh
  ex_addr "$EX_LB_NS" hl 172.31.255.1/30
  ex_addr "$EX_ROUTER_NS" rh 172.31.255.2/30
  ip -n "$EX_LB_NS" route add 192.168.1.0/24 via 172.31.255.2
  export EX_HEALTH_LINK=1
}

# ex_xdp_offloads: settings native XDP (XDP_DRV) needs on the veths that feed the cube and
# receive what it redirects (client eth0, router r0):
#   gro on  - a frame XDP-redirected into a veth is dropped unless the receiving end has GRO on
#             (or an XDP program of its own);
#   tx off  - a native-XDP redirect turns the skb into an xdp_frame, which cannot carry a partial
#             checksum: with TX checksum offload on, TCP arrives with bad checksums and is dropped.
# Attaching XDP changes a veth peer's features, so run it again after a cube is (re)created.
ex_xdp_offloads() {
  local ns
  for ns in "${EX_CLIENT_NS[@]}"; do ip netns exec "$ns" ethtool -K eth0 gro on tx off >/dev/null 2>&1; done
  ip netns exec "$EX_ROUTER_NS" ethtool -K r0 gro on tx off >/dev/null 2>&1
}

# ex_traffic NS COUNT [WEIGHTS…]: COUNT new HTTP sessions from NS to the VIP; prints a table of
# requests per backend beside each weight's share; fails when not every request was answered, or
# when a backend expected to get at least 10 of them got none (a backend expected to get 2 may get
# none by chance).
ex_traffic() {
  local ns=$1 count=$2
  shift 2
  local weights=("$@") total_w=0 w i got=() lines
  for w in "${weights[@]}"; do total_w=$((total_w + w)); done
  lines=$(ip netns exec "$ns" curl -s -m 30 "http://$EX_VIP:$EX_VPORT/[1-$count]" | awk '{print $1}' | sort | uniq -c)
  printf '%-8s %6s %9s %9s %7s\n' backend weight expected requests share
  local sum=0 ok=1
  for i in "${!EX_BACKEND_NAMES[@]}"; do
    got[i]=$(awk -v b="${EX_BACKEND_NAMES[i]}" '$2 == b {print $1}' <<<"$lines")
    got[i]=${got[i]:-0}
    sum=$((sum + got[i]))
  done
  for i in "${!EX_BACKEND_NAMES[@]}"; do
    w=${weights[i]:-0}
    printf '%-8s %6s %8.1f%% %9s %6.1f%%\n' "${EX_BACKEND_NAMES[i]}" "$w" \
      "$(awk -v w="$w" -v t="$total_w" 'BEGIN{print t ? 100*w/t : 0}')" "${got[i]}" \
      "$(awk -v g="${got[i]}" -v s="$sum" 'BEGIN{print s ? 100*g/s : 0}')"
    if [ $((w * count)) -ge $((10 * total_w)) ] && [ "${got[i]}" -eq 0 ]; then ok=0; fi
  done
  printf '%-8s %6s %9s %9s\n' total "$total_w" "" "$sum/$count"
  [ "$sum" -eq "$count" ] || ok=0
  [ $ok = 1 ] || { echo "traffic check failed: $sum of $count requests answered" >&2; return 1; }
}
