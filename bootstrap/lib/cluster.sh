#!/usr/bin/env bash
# What the scaling scripts share: the cluster id a master publishes its metrics under,
# finding the leading Mesos master among those of /etc/mesos/zk, and HTTP calls to it.
# Sourced after lib/common.sh (it uses its settings, logging and validation); inlined into
# the SSM documents by bootstrap/render-document-script.ts.
# shellcheck disable=SC2154  # MESOS_CONF_DIR and the other settings come from lib/common.sh

# ---- Settings. -----------------------------------------------------------------------------
# shellcheck disable=SC2034  # read by the scripts that source this file
{
  # The cluster id (the mesos-cluster:id tag), written by configure-master from CLUSTER_ID.
  CLUSTER_ID_FILE=/etc/mesos-cluster/cluster-id
  # Bounds of one HTTP call to a master.
  MESOS_HTTP_CONNECT_TIMEOUT=3
  MESOS_HTTP_MAX_TIME=20
}
# ------------------------------------------------------------------------------------------

# is_cluster_id VALUE: a cluster id: lowercase letters, digits and hyphens, 1 to 63 characters.
is_cluster_id() {
  [[ $1 =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]]
}

# read_cluster_id ROOT: the id in CLUSTER_ID_FILE under ROOT; fails when missing or malformed.
read_cluster_id() {
  local root=$1 id
  [[ -s $root$CLUSTER_ID_FILE ]] || return 1
  id=$(head -n 1 "$root$CLUSTER_ID_FILE")
  is_cluster_id "$id" || {
    log "$CLUSTER_ID_FILE does not hold a valid cluster id"
    return 1
  }
  printf '%s\n' "$id"
}

# is_mesos_path VALUE: an HTTP path of the Mesos API (no query, no spaces).
is_mesos_path() {
  [[ $1 =~ ^/[A-Za-z0-9/_-]+$ ]]
}

# mesos_get HOST PORT PATH: the body of GET http://HOST:PORT/PATH.
mesos_get() {
  local host=$1 port=$2 path=$3
  if ! is_ipv4 "$host" || ! is_port "$port" || ! is_mesos_path "$path"; then die "invalid Mesos address $host:$port$path"; fi
  curl -fsS --connect-timeout "$MESOS_HTTP_CONNECT_TIMEOUT" --max-time "$MESOS_HTTP_MAX_TIME" "http://$host:$port$path"
}

# mesos_post_json HOST PORT PATH: POSTs the JSON on stdin; prints the answer.
mesos_post_json() {
  local host=$1 port=$2 path=$3
  if ! is_ipv4 "$host" || ! is_port "$port" || ! is_mesos_path "$path"; then die "invalid Mesos address $host:$port$path"; fi
  curl -fsS --connect-timeout "$MESOS_HTTP_CONNECT_TIMEOUT" --max-time "$MESOS_HTTP_MAX_TIME" \
    -X POST -H 'Content-Type: application/json' --data-binary @- "http://$host:$port$path"
}

# is_elected: reads a /metrics/snapshot JSON on stdin; succeeds when that master is the
# elected one (`"master/elected":1`, or `1.0`; Mesos may write the slash as `\/`). A bash
# match, not python: the leader search runs it for every master, on every call.
is_elected() {
  local snapshot pattern='"master\\?/elected"[[:space:]]*:[[:space:]]*1(\.0*)?[[:space:]]*[,}]'
  snapshot=$(cat)
  [[ $snapshot =~ $pattern ]]
}

# leading_master ROOT PORT: the host of the elected master among those of /etc/mesos/zk
# (this one included); fails when none answers as elected.
leading_master() {
  local root=$1 port=$2 zk host snapshot
  [[ -s $root$MESOS_CONF_DIR/zk ]] || die "$MESOS_CONF_DIR/zk is missing: is this a configured master?"
  zk=$(head -n 1 "$root$MESOS_CONF_DIR/zk")
  is_zk_url "$zk" || die "$MESOS_CONF_DIR/zk does not hold a valid zk URL"
  is_port "$port" || die "invalid port '$port'"
  while read -r host; do
    snapshot=$(mesos_get "$host" "$port" /metrics/snapshot 2>/dev/null) || {
      log "master $host did not answer"
      continue
    }
    if is_elected <<<"$snapshot" 2>/dev/null; then
      printf '%s\n' "$host"
      return 0
    fi
  done < <(zk_url_hosts "$zk")
  return 1
}
