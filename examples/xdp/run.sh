#!/usr/bin/env bash
# XDP example: the SINGLE example with the cube on XDP, generic (XDP_SKB) then native (XDP_DRV).
# Native XDP on veth drops frames redirected into a veth unless the receiving end has GRO on (or
# an XDP program of its own), and cannot carry partial checksums: this script turns GRO on and TX
# checksum offload off on the client's eth0 and the router's r0, the veths that feed the cube and
# receive what it redirects. Run as root: bash examples/xdp/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 2 3)
REQUESTS=${REQUESTS:-300}

ex_require
ex_step "topology: client, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 1
ex_start_stack

for type in XDP_SKB XDP_DRV; do
  ex_step "cube type $type"
  sed -e "s/^name: lb0\$/name: $EX_CUBE/" -e "s/^type: .*/type: $type/" \
    -e "s/peer: \(fe\|be\)\b/peer: $(ex_lb_dev '')\1/" "$(dirname "$0")/lb.yaml" >"$EX_TMP/lb.yaml"
  # The first apply creates the cube; the second changes its init-only type, hence --recreate.
  ex_ctl apply -f "$EX_TMP/lb.yaml" --recreate
  # After the attach: it changes the veth peers' features (see ex_xdp_offloads).
  ex_say "\$ ethtool -K eth0 gro on tx off   # client namespace: receives answers, sends requests"
  ex_say "\$ ethtool -K r0 gro on tx off     # router namespace: receives requests, sends answers"
  ex_xdp_offloads
  ex_ctl "$EX_CUBE" type show
  ex_curl "${EX_CLIENT_NS[0]}"
  ex_traffic "${EX_CLIENT_NS[0]}" "$REQUESTS" "${WEIGHTS[@]}"
done
ex_hold
