#!/bin/sh
# Starts the server as the unprivileged `slipway` user with the Docker
# socket's group, whatever gid that group has on this host. Run with --user
# (any non-root uid), it starts the command as given instead.
set -eu

if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

data="${SLIPWAY_DATA_DIR:-/data}"
mkdir -p "$data"
# A fresh bind-mounted directory belongs to root: hand the top over (its
# contents are the server's own once it writes them; nothing is chowned recursively).
if [ "$(stat -c %u "$data")" = 0 ]; then
  chown slipway:slipway "$data"
fi

# The engine's socket: DOCKER_HOST=unix://<path>, else the default path.
socket=/var/run/docker.sock
case "${DOCKER_HOST:-}" in
  unix://*) socket="${DOCKER_HOST#unix://}" ;;
esac
groups=10001
if [ -S "$socket" ]; then
  groups="$groups,$(stat -c %g "$socket")"
fi

exec setpriv --reuid=10001 --regid=10001 --groups="$groups" -- "$@"
