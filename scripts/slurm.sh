#!/usr/bin/env bash
# A single-machine Slurm cluster for the end-to-end tests: start | stop | status | env.
# From Debian's packages (slurm-wlm, munge), without systemd or cgroups: its own munge key and socket, a generated
# slurm.conf (linuxproc process tracking, no task plugin, cons_tres), one node with this machine's CPUs and eight
# count-only "npu" GRES, controller and node daemons on ports that leave Slurm's defaults alone, every file under
# $SLURM_TEST_DIR. Finished jobs stay in the controller for a day (MinJobAge), so squeue/scontrol answer for them
# without an accounting database; sacct is not configured. Writes $DIR/env (SLURM_CONF=…) for the tests.
# Idempotent: start on a running cluster that answers does nothing; every wait is bounded. start and stop hold a lock
# (concurrent test runs start it at once) and stop ends every munged serving this directory's socket, so no munged
# outlives its cluster. SLURM_TEST_LINK_ETC=0 leaves /etc/slurm alone (a second cluster beside the default one).
set -euo pipefail
DIR=${SLURM_TEST_DIR:-/tmp/ascend-train-slurm}
CTLD_PORT=${SLURM_TEST_CTLD_PORT:-16817}
SLURMD_PORT=${SLURM_TEST_SLURMD_PORT:-16818}
CONF=$DIR/slurm.conf

say() { echo "slurm.sh: $*"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# One start or stop at a time per directory: the lock file sits beside $DIR, which start re-creates.
lock() {
  exec 9>"$DIR.lock"
  flock -w 90 9 || { echo "slurm.sh: $DIR.lock is held by another start or stop for over 90 s" >&2; exit 1; }
}

# Every munged serving this directory's socket: the one in the pid file and any whose pid file was lost.
munged_pids() {
  { [ -f "$DIR/munge/munged.pid" ] && cat "$DIR/munge/munged.pid"; pgrep -f -- "--socket=$DIR/munge/munge.socket" || true; } |
    sort -u
}

# The controller runs and the node is up. sinfo retries a controller that is down for seconds: ask only a live one.
answers() {
  [ -f "$CONF" ] && pid_alive "$DIR/slurmctld.pid" &&
    SLURM_CONF=$CONF timeout 10 sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'
}

start() {
  for bin in munged slurmctld slurmd sbatch; do
    if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
      echo "Slurm is not installed ($bin missing): apt-get install -y slurm-wlm munge" >&2
      exit 3
    fi
  done
  if answers; then
    say "already running (SLURM_CONF=$CONF)"
    return 0
  fi
  stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  mkdir -p "$DIR"/{munge,state,spool,log}
  chmod 755 "$DIR"
  chmod 700 "$DIR/munge"
  local node cpus mem
  node=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 8 / 10 ))
  # munge: a fresh key and a socket of our own.
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$DIR/munge/munge.key"
  /usr/sbin/munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" 9>&-
  chmod 755 "$DIR/munge"
  say "munged started (socket $DIR/munge/munge.socket)"
  cat >"$CONF" <<CONF
# ascend-train test cluster (scripts/slurm.sh)
ClusterName=ascendtrain
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=npu
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=86400
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem Gres=npu:8 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  echo "NodeName=$node Name=npu Count=8" >"$DIR/gres.conf"
  # Clients (sbatch, squeue…) on this machine find the cluster through /etc/slurm/slurm.conf unless one that is not
  # ours is there already; SLURM_CONF in $DIR/env names it either way.
  mkdir -p /etc/slurm
  if [ "${SLURM_TEST_LINK_ETC:-1}" = 0 ]; then
    :
  elif [ ! -e /etc/slurm/slurm.conf ] || grep -q '^# ascend-train test cluster' /etc/slurm/slurm.conf 2>/dev/null; then
    ln -sfn "$CONF" /etc/slurm/slurm.conf
    ln -sfn "$DIR/gres.conf" /etc/slurm/gres.conf
    say "/etc/slurm/slurm.conf -> $CONF"
  fi
  # The daemons do not inherit the lock (fd 9): it is released when this script ends.
  SLURM_CONF=$CONF /usr/sbin/slurmctld -i 9>&-
  SLURM_CONF=$CONF /usr/sbin/slurmd 9>&-
  say "slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT) started; node $node, $cpus CPUs, npu:8"
  for _ in $(seq 1 100); do
    if answers; then
      printf 'SLURM_CONF=%s\nSLURM_TEST_NODE=%s\n' "$CONF" "$node" >"$DIR/env"
      say "ready: $(SLURM_CONF=$CONF sinfo -h -o '%P %D %T %N')"
      return 0
    fi
    sleep 0.2
  done
  echo "Slurm did not become ready within 20 s; logs:" >&2
  tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" "$DIR/log/munged.log" >&2 2>/dev/null || true
  exit 1
}

stop_daemon() {
  local name=$1 pidfile=$2
  pid_alive "$pidfile" || return 0
  stop_pid "$name" "$(cat "$pidfile")"
}

stop_pid() {
  local name=$1 pid=$2
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  say "$name stopped"
}

stop() {
  # Jobs still on the node go first, so no training outlives the cluster.
  if answers; then SLURM_CONF=$CONF timeout 10 scancel --full -u "$(id -un)" 2>/dev/null || true; fi
  stop_daemon slurmd "$DIR/slurmd.pid"
  stop_daemon slurmctld "$DIR/slurmctld.pid"
  local pid
  for pid in $(munged_pids); do stop_pid munged "$pid"; done
  rm -f "$DIR/env"
}

status() {
  if answers; then
    say "running: $(SLURM_CONF=$CONF sinfo -h -o '%P %D %T %N') (SLURM_CONF=$CONF)"
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  start) lock; start ;;
  stop) lock; stop ;;
  status) status ;;
  env) cat "$DIR/env" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
