#!/usr/bin/env bash
# CI: install Debian's docker.io and start dockerd with no bridge and no iptables (loopback only); never fails the run.
# Idempotent. When the engine cannot start, prints ONE loud line and exits 0 so the Docker tests skip (they say why too).
set -uo pipefail

say_skip() {
  echo "!!!!! DOCKER TESTS WILL BE SKIPPED: $* !!!!!"
  exit 0
}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)

if docker info >/dev/null 2>&1; then
  echo "docker engine already running: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "installing Debian package docker.io"
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends docker.io >/dev/null 2>&1 ||
    say_skip "apt-get install docker.io failed"
fi
command -v dockerd >/dev/null 2>&1 || say_skip "dockerd is not installed"

# Everything of this engine lives under one directory, so a CI container's overlayfs root is never stacked on.
root="${AIRLOCK_DOCKER_ROOT:-/tmp/airlock-docker}"
"${sudo_cmd[@]}" mkdir -p "$root/data" "$root/exec"
log="$root/dockerd.log"

# overlay2 on top of the CI's own overlay root often fails; vfs always works (slower, fine for tiny images).
driver="${AIRLOCK_DOCKER_STORAGE:-}"
if [ -z "$driver" ]; then
  if [ "$(stat -f -c %T "$root" 2>/dev/null)" = "overlayfs" ]; then driver=vfs; else driver=overlay2; fi
fi

start_engine() {
  # --bridge=none: no docker0, no container ever gets an address beyond its own loopback unless told;
  # --iptables/--ip6tables=false: the engine never touches the host's firewall.
  "${sudo_cmd[@]}" nohup dockerd \
    --host unix:///var/run/docker.sock \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --storage-driver="$1" \
    --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/dockerd.pid" \
    >"$log" 2>&1 &
}

wait_engine() {
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    if [ -f "$root/dockerd.pid" ] && ! kill -0 "$(cat "$root/dockerd.pid")" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 1
}

stop_engine() {
  if [ -f "$root/dockerd.pid" ]; then
    "${sudo_cmd[@]}" kill "$(cat "$root/dockerd.pid")" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$(cat "$root/dockerd.pid")" 2>/dev/null || break; sleep 0.5; done
    "${sudo_cmd[@]}" rm -f "$root/dockerd.pid"
  fi
}

start_engine "$driver"
if ! wait_engine; then
  if [ "$driver" != vfs ]; then
    echo "dockerd did not start with storage driver $driver; retrying with vfs"
    stop_engine
    driver=vfs
    start_engine "$driver"
    wait_engine || say_skip "dockerd did not start (last log line: $(tail -n 1 "$log" 2>/dev/null))"
  else
    say_skip "dockerd did not start (last log line: $(tail -n 1 "$log" 2>/dev/null))"
  fi
fi
echo "docker engine running: $(docker version --format '{{.Server.Version}}' 2>/dev/null), storage $driver, no bridge, no iptables (log $log)"
