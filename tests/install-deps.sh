#!/bin/sh
# Install what compactrace needs to build and to run every test on Debian 12.
# Needs root (run it with sudo, or as root in CI).
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	gcc libc6-dev pkg-config meson ninja-build \
	libtraceevent-dev libtracefs-dev libcjson-dev libncurses-dev libzstd-dev zlib1g-dev \
	python3 python3-jsonschema xz-utils clang libclang-rt-14-dev llvm \
	trace-cmd linux-perf tmux valgrind gdb libmicrohttpd-dev prometheus curl >/dev/null
echo "install-deps: done"
