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

# write_agent_join_config ROOT ZK_URL OWN_IP: the masters' URL and the agent's own address.
write_agent_join_config() {
  local root=$1 zk=$2 own_ip=$3 conf
  is_zk_url "$zk" || die "invalid zk URL: expected zk://ip:port,.../mesos"
  is_ipv4 "$own_ip" || die "invalid agent address '$own_ip'"
  conf=$(agent_conf_dir "$root")
  write_file "$root" "$MESOS_CONF_DIR/zk" "$zk"
  write_file "$root" "$conf/ip" "$own_ip"
  # Slaves have no public address: the UI links to agents by their private one.
  write_file "$root" "$conf/hostname" "$own_ip"
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
    log "agent $own_ip already runs against $zk"
    return 0
  fi

  systemctl stop "$agent" || true
  remove_agent_checkpoint ""
  # The agent's docker containerizer needs the daemon up before it starts.
  if unit_exists docker; then systemctl start docker || log "docker did not start; the agent will retry"; fi
  enable_restart "$agent"
  log "agent $own_ip joined $zk"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
