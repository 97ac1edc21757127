#!/usr/bin/env bash
# MULTI example: three client namespaces, each behind its own FRONTEND port with ip=<client>,
# as in Polycube's Kubernetes use; configured declaratively with `polycubectl apply -f lb.yaml`
# (applied twice: the second run has nothing to do). Run as root: bash examples/multi/run.sh
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/topology.sh"
WEIGHTS=(1 1 2)
REQUESTS=${REQUESTS:-120}

ex_require
ex_step "topology: three clients, lb, router and three backends (names start with $EX_ID)"
ex_build_topology 3
ex_start_stack

ex_step "configuration: polycubectl apply -f lb.yaml"
# Same file, with the cube and LB-side device names of this run.
sed -e "s/^name: lb0\$/name: $EX_CUBE/" -e "s/peer: \(fe[0-9]\|be\)\b/peer: $(ex_lb_dev '')\1/" \
  "$(dirname "$0")/lb.yaml" >"$EX_TMP/lb.yaml"
ex_ctl apply -f "$EX_TMP/lb.yaml" --dry-run
ex_ctl apply -f "$EX_TMP/lb.yaml"
ex_ctl apply -f "$EX_TMP/lb.yaml"

for i in "${!EX_CLIENT_NS[@]}"; do
  ex_step "client ${EX_CLIENT_IPS[i]} (behind port fe$((i + 1))): $REQUESTS new connections"
  ex_curl "${EX_CLIENT_NS[i]}"
  ex_traffic "${EX_CLIENT_NS[i]}" "$REQUESTS" "${WEIGHTS[@]}"
done
ex_hold
