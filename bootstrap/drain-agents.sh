#!/usr/bin/env bash
# Takes Mesos agents out of service before their instances are terminated. Runs on a master
# through the drain-agents SSM document. Safe to run twice.
#
# 1. Replaces the maintenance schedule with one window for the machines of AGENT_IPS
#    (machine id = hostname and IP, both the agent's private address, as the join script
#    sets them). Frameworks get inverse offers for them and place no new work there.
# 2. Drains each registered agent among them (operator API DRAIN_AGENT, Mesos 1.9+): Mesos
#    kills its tasks with a grace period and sends it no new ones, so Marathon restarts the
#    tasks on the other agents. An agent Mesos refuses to drain is logged, not fatal.
# An empty AGENT_IPS clears the schedule (for after the drained instances are gone, so
# that a new slave that reuses an address does not start in maintenance).
#
# Environment (the document exports its parameter):
#   AGENT_IPS   comma-separated private IPv4 addresses of the agents, at most 50; may be empty
# MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main (unit tests).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail

# >>> inline lib/common.sh
MESOS_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f $MESOS_CLUSTER_DIR/lib/common.sh ]] || {
  echo "lib/common.sh not found beside $0; run the rendered document script instead" >&2
  exit 1
}
# shellcheck source=lib/common.sh
source "$MESOS_CLUSTER_DIR/lib/common.sh"
# <<< inline lib/common.sh
# >>> inline lib/cluster.sh
# shellcheck source=lib/cluster.sh
source "$MESOS_CLUSTER_DIR/lib/cluster.sh"
# <<< inline lib/cluster.sh

# The unavailability announced to frameworks, from now.
DRAIN_WINDOW_SECONDS=3600
# How long the tasks of a drained agent get to stop (DRAIN_AGENT max_grace_period).
DRAIN_GRACE_SECONDS=60
MAX_DRAIN_AGENTS=50

# is_agent_ips VALUE: empty, or a list of at most MAX_DRAIN_AGENTS distinct IPv4 addresses.
is_agent_ips() {
  local -a addrs
  [[ -z $1 ]] && return 0
  is_ipv4_list "$1" || return 1
  IFS=, read -r -a addrs <<<"$1"
  ((${#addrs[@]} <= MAX_DRAIN_AGENTS))
}

validate_drain_env() {
  [[ -v AGENT_IPS ]] || die "environment variable AGENT_IPS is required (it may be empty)"
  is_agent_ips "$AGENT_IPS" || die "invalid AGENT_IPS: need at most $MAX_DRAIN_AGENTS distinct IPv4 addresses, comma-separated"
}

# maintenance_schedule IPS: the /maintenance/schedule body: one window starting now for
# the machines of IPS, or no window at all when IPS is empty.
# (python3 -S: the standard library is all the scripts use; without site-packages it starts faster.)
maintenance_schedule() {
  python3 -S -c '
import json, sys, time
ips = [ip for ip in sys.argv[1].split(",") if ip]
windows = []
if ips:
    windows.append({
        "machine_ids": [{"hostname": ip, "ip": ip} for ip in ips],
        "unavailability": {
            "start": {"nanoseconds": time.time_ns()},
            "duration": {"nanoseconds": int(sys.argv[2]) * 1000000000},
        },
    })
print(json.dumps({"windows": windows}))
' "$1" "$DRAIN_WINDOW_SECONDS"
}

# drain_calls IPS: reads /master/slaves on stdin; prints `<ip> <agent-id> <call>` for each
# listed agent, where <call> is the JSON of the operator API call that drains it.
drain_calls() {
  python3 -S -c '
import json, re, sys
wanted = set(ip for ip in sys.argv[1].split(",") if ip)
grace = int(sys.argv[2]) * 1000000000
for agent in json.load(sys.stdin).get("slaves", []):
    pid = re.match(r"^[^@]*@([0-9.]+):[0-9]+$", str(agent.get("pid", "")))
    ip = pid.group(1) if pid else str(agent.get("hostname", ""))
    agent_id = str(agent.get("id", ""))
    if ip in wanted and re.match(r"^[A-Za-z0-9._-]{1,128}$", agent_id):
        call = {"type": "DRAIN_AGENT", "drain_agent": {"agent_id": {"value": agent_id}, "max_grace_period": {"nanoseconds": grace}}}
        print(ip, agent_id, json.dumps(call, separators=(",", ":")))
' "$1" "$DRAIN_GRACE_SECONDS"
}

# drain_agents ROOT PORT IPS: schedules the maintenance and drains the agents; prints a summary.
drain_agents() {
  local root=$1 port=$2 ips=$3 leader slaves ip id call drained=0 machines=0
  is_agent_ips "$ips" || die "invalid agent list '$ips'"
  leader=$(leading_master "$root" "$port") || die "no elected Mesos master answered"
  maintenance_schedule "$ips" | mesos_post_json "$leader" "$port" /maintenance/schedule >/dev/null ||
    die "the leading master $leader refused the maintenance schedule"
  if [[ -z $ips ]]; then
    printf 'cleared the maintenance schedule\n'
    return 0
  fi
  machines=$(tr ',' '\n' <<<"$ips" | wc -l)
  slaves=$(mesos_get "$leader" "$port" /master/slaves) || die "the leading master $leader did not answer /master/slaves"
  while read -r ip id call; do
    if printf '%s' "$call" | mesos_post_json "$leader" "$port" /api/v1 >/dev/null; then
      drained=$((drained + 1))
    else
      log "could not drain agent $id ($ip); its tasks leave only if their framework honours the maintenance"
    fi
  done < <(drain_calls "$ips" <<<"$slaves")
  printf 'scheduled maintenance for %d machines; draining %d agents\n' "$machines" "$drained"
}

main() {
  validate_drain_env
  drain_agents "" "$MESOS_MASTER_PORT" "$AGENT_IPS"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
