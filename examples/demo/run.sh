#!/usr/bin/env bash
# `npm run demo`: builds the SINGLE example (examples/single/run.sh), then live.ts sends real
# traffic, draws requests per backend beside each weight's share, and changes backends with
# polycubectl while a long-lived session keeps flowing. Everything is removed at the end and on
# Ctrl-C. DEMO_STEP_SECONDS=2 makes it short. EX_HEALTH=1: the LB namespace also gets a route to
# the backends (examples/lib/topology.sh, ex_health_link) for the health-check steps.
set -euo pipefail
cd "$(dirname "$0")/../.."
printf '\033[1mlbrp demo\033[0m: one client, the lbrp cube (SINGLE, TC), three HTTP backends with weights 1, 2, 3\n'
export EX_HEALTH=1
export EX_HOLD='node --import tsx "$EX_REPO/examples/demo/live.ts"'
exec bash examples/single/run.sh
