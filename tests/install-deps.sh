#!/bin/sh
# Install what compactrace needs to build and to run every test on Debian 12.
# Run it as root (a fresh container has no sudo) or as a user who may sudo:
# it raises itself with sudo only when it is not root.
set -e
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo sh "$0" "$@"
	fi
	echo "install-deps: needs root: run it as root, or install sudo" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	gcc libc6-dev pkg-config meson ninja-build \
	libtraceevent-dev libtracefs-dev libcjson-dev libncurses-dev libzstd-dev zlib1g-dev \
	python3 python3-jsonschema xz-utils clang libclang-rt-14-dev llvm \
	trace-cmd linux-perf tmux valgrind gdb libmicrohttpd-dev prometheus curl \
	chromium fonts-dejavu-core python3-websocket python3-pil >/dev/null
echo "install-deps: done"
