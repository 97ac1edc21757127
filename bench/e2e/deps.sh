#!/usr/bin/env bash
# Installs the end-to-end bench's own tools when missing (Debian, as root): the kernel load
# balancers' front ends (iptables, nftables, ipvsadm), iperf3, and gcc/curl/ethtool used by the
# harness. Idempotent and quiet when everything is there.
set -euo pipefail
need=()
command -v iptables-restore >/dev/null || need+=(iptables)
command -v nft >/dev/null || need+=(nftables)
command -v ipvsadm >/dev/null || need+=(ipvsadm)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v curl >/dev/null || need+=(curl)
command -v ethtool >/dev/null || need+=(ethtool)
command -v taskset >/dev/null || need+=(util-linux)
command -v ping >/dev/null || need+=(iputils-ping)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench:e2e: missing Debian packages: ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "bench:e2e: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
