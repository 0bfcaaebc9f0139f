#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1 for the end-to-end tests: start | stop | env.
# Logs in as an unprivileged user (default sshtest) with a generated key; writes $DIR/env for the tests.
set -euo pipefail
DIR=${SSHD_TEST_DIR:-/tmp/ascend-train-sshd}
PORT=${SSHD_TEST_PORT:-2222}
USER_NAME=${SSHD_TEST_USER:-sshtest}

start() {
  local sshd
  sshd=$(command -v sshd || true)
  [ -n "$sshd" ] || sshd=/usr/sbin/sshd
  if [ ! -x "$sshd" ]; then
    echo "openssh-server is not installed: apt-get install -y openssh-server" >&2
    exit 3
  fi
  stop >/dev/null 2>&1 || true
  rm -rf "$DIR" && mkdir -p "$DIR" /run/sshd && chmod 711 "$DIR"
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$USER_NAME"
  fi
  usermod -p '*' "$USER_NAME"
  ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_ed25519"
  cp "$DIR/client_ed25519.pub" "$DIR/authorized_keys"
  chown "$USER_NAME" "$DIR/authorized_keys" && chmod 600 "$DIR/authorized_keys"
  cat > "$DIR/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $PORT
HostKey $DIR/host_ed25519
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $USER_NAME
UsePAM no
StrictModes no
MaxSessions 20
MaxStartups 50:30:100
LogLevel VERBOSE
CFG
  "$sshd" -t -f "$DIR/sshd_config"
  "$sshd" -D -e -f "$DIR/sshd_config" >"$DIR/sshd.log" 2>&1 &
  echo $! >"$DIR/sshd.pid"
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$DIR/host_ed25519.pub")" >"$DIR/known_hosts"
      cat >"$DIR/env" <<ENV
SSH_TEST_HOST=127.0.0.1
SSH_TEST_PORT=$PORT
SSH_TEST_USER=$USER_NAME
SSH_TEST_KEY=$DIR/client_ed25519
SSH_TEST_KNOWN_HOSTS=$DIR/known_hosts
SSH_TEST_HOSTKEY_PUB=$DIR/host_ed25519.pub
SSHD_BIN=$sshd
SSHD_CONFIG=$DIR/sshd_config
ENV
      echo "sshd listening on 127.0.0.1:$PORT (user $USER_NAME)"
      return 0
    fi
    sleep 0.1
  done
  echo "sshd did not start; its log:" >&2
  cat "$DIR/sshd.log" >&2
  exit 1
}

stop() {
  [ -f "$DIR/sshd.pid" ] || return 0
  local pid
  pid=$(cat "$DIR/sshd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$DIR/sshd.pid" "$DIR/env"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) cat "$DIR/env" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
