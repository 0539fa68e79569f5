#!/usr/bin/env bash
# mesos-cluster-join ZK_URL: points this machine's Mesos agent at a cluster's masters and
# starts it. Baked into the slave image as /usr/local/sbin/mesos-cluster-join; the user
# data of every slave runs it on first boot. Safe to run twice: a second run with the same
# URL leaves a running agent alone.
#
# ZK_URL: zk://ip:port,ip:port,.../mesos (IPv4 addresses of the masters' ZooKeeper).
# MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main (unit tests).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail

# >>> inline lib/common.sh
MESOS_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f $MESOS_CLUSTER_DIR/lib/common.sh ]] || {
  echo "lib/common.sh not found beside $0; install the rendered script instead" >&2
  exit 1
}
# shellcheck source=lib/common.sh
source "$MESOS_CLUSTER_DIR/lib/common.sh"
# <<< inline lib/common.sh

# write_agent_join_config ROOT ZK_URL OWN_IP: the agent's environment file, which the
# package's unit reads: the masters' URL given explicitly (MESOS_MASTER), the agent's own
# address, and the flags every slave shares (lib/common.sh AGENT_*). /etc/mesos/zk gets the
# same URL for the init wrapper and the scripts.
write_agent_join_config() {
  local root=$1 zk=$2 own_ip=$3 conf name
  is_zk_url "$zk" || die "invalid zk URL: expected zk://ip:port,.../mesos"
  is_ipv4 "$own_ip" || die "invalid agent address '$own_ip'"
  conf=$(agent_conf_dir "$root")
  for name in "${AGENT_LEGACY_FLAG_FILES[@]}"; do rm -f "$root$conf/$name"; done
  write_file "$root" "$MESOS_CONF_DIR/zk" "$zk"
  write_file "$root" "$MESOS_AGENT_DEFAULTS_FILE" "$(
    printf 'MESOS_MASTER=%s\n' "$zk"
    printf 'MESOS_IP=%s\n' "$own_ip"
    # Slaves have no public address: the UI links to agents by their private one.
    printf 'MESOS_HOSTNAME=%s\n' "$own_ip"
    printf 'MESOS_HOSTNAME_LOOKUP=false\n'
    printf 'MESOS_WORK_DIR=%s\n' "$(agent_work_dir "$root")"
    printf 'MESOS_CONTAINERIZERS=%s\n' "$AGENT_CONTAINERIZERS"
    printf 'MESOS_ENABLE_CGROUPSV2=%s\n' "$AGENT_ENABLE_CGROUPSV2"
    printf 'MESOS_SYSTEMD_ENABLE_SUPPORT=%s\n' "$AGENT_SYSTEMD_ENABLE_SUPPORT"
    printf 'MESOS_DOCKER_SOCKET=%s\n' "$AGENT_DOCKER_SOCKET"
    printf 'MESOS_EXECUTOR_REGISTRATION_TIMEOUT=%s\n' "$AGENT_EXECUTOR_REGISTRATION_TIMEOUT"
  )"
}

# agent_failure AGENT: why the agent unit is not healthy, for the error message.
agent_failure() {
  local agent=$1 state restarts
  state=$(systemctl is-active "$agent" 2>/dev/null || true)
  restarts=$(systemctl show -p NRestarts --value "$agent" 2>/dev/null || true)
  printf 'unit %s is %s after %s restarts; last log lines: %s' "$agent" "${state:-unknown}" "${restarts:-?}" \
    "$(journalctl -u "$agent" -n 5 --no-pager -o cat 2>/dev/null | tr '\n' ' ' || true)"
}

# wait_for_agent OWN_IP AGENT: the agent answers its own /health (it runs, rather than
# restarting in a loop), at most AGENT_HEALTH_TIMEOUT seconds; fails with the reason.
wait_for_agent() {
  local own_ip=$1 agent=$2
  wait_for_http "http://$own_ip:$MESOS_AGENT_PORT/health" "$AGENT_HEALTH_TIMEOUT" ||
    die "the Mesos agent did not answer http://$own_ip:$MESOS_AGENT_PORT/health within ${AGENT_HEALTH_TIMEOUT}s: $(agent_failure "$agent")"
}

main() {
  local zk own_ip agent
  (($# == 1)) || die "usage: $(basename "$0") zk://ip:port,.../mesos"
  zk=$1
  is_zk_url "$zk" || die "invalid zk URL: expected zk://ip:port,.../mesos"
  require_root
  own_ip=$(own_private_ip)
  agent=$(agent_service) || die "no Mesos agent unit (${MESOS_AGENT_SERVICES[*]}) is installed"

  FILES_CHANGED=0
  write_agent_join_config "" "$zk" "$own_ip"
  if ((FILES_CHANGED == 0)) && systemctl is-active --quiet "$agent"; then
    systemctl enable "$agent" >/dev/null 2>&1 || true
    wait_for_agent "$own_ip" "$agent"
    log "agent $own_ip already runs against $zk"
    return 0
  fi

  systemctl stop "$agent" || true
  remove_agent_checkpoint ""
  # The agent's docker containerizer needs the daemon up before it starts.
  if unit_exists docker; then systemctl start docker || log "docker did not start; the agent will retry"; fi
  enable_restart "$agent"
  wait_for_agent "$own_ip" "$agent"
  log "agent $own_ip joined $zk: http://$own_ip:$MESOS_AGENT_PORT/health answers"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
