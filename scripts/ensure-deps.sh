#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine (as root): the Debian packages for the
# eBPF toolchain and test topology, then the npm packages. Idempotent and quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v clang >/dev/null || need+=(clang)
command -v llc >/dev/null || need+=(llvm)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
ls /usr/lib/*/libbpf.so.1 >/dev/null 2>&1 || need+=(libbpf1)
command -v bpftool >/dev/null || need+=(bpftool)
command -v ip >/dev/null || need+=(iproute2)
command -v ethtool >/dev/null || need+=(ethtool)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v ping >/dev/null || need+=(iputils-ping)
command -v curl >/dev/null || need+=(curl)
command -v bird >/dev/null || need+=(bird2) # BGP speaker of the cluster demo and tests (src/cluster)
command -v openssl >/dev/null || need+=(openssl)
command -v chromium >/dev/null || need+=(chromium) # the status page's browser test (puppeteer-core drives it)
command -v promtool >/dev/null || need+=(prometheus) # promtool checks /metrics in the status page test
[ -f /usr/include/linux/if_ether.h ] || need+=(linux-libc-dev)
[ -d /usr/include/x86_64-linux-gnu/asm ] || [ -d /usr/include/asm ] || need+=(linux-libc-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
