#!/usr/bin/env bash
# Shared helpers of the bootstrap scripts: logging, apt with bounded waits and retries,
# IMDSv2, input validation, and the config values that functions/shared/render.ts renders
# (the unit tests compare both). Sourced by the scripts beside it; inlined into the SSM
# documents by bootstrap/render-document-script.ts.

# ---- Settings: every path, package and port of the cluster machines. Edit here. ----------
# shellcheck disable=SC2034  # read by the scripts that source this file
{
  # Package names. Mesos and Marathon come from the project's package mirror (PACKAGE_SOURCE
  # mirror: .deb files that the document downloads from the stack's S3 bucket, each checked
  # against the SHA256 of the project's manifest) or from PACKAGE_REPOSITORY (PACKAGE_SOURCE
  # vendor, pinned to MESOS_VERSION / MARATHON_VERSION); everything else from Ubuntu's archive.
  MESOS_PACKAGE=aventer-mesos
  MARATHON_PACKAGE=marathon
  # Marathon 1.11 runs on Java 11; Ubuntu's default JRE (21 on 24.04) is too new for it.
  JAVA_PACKAGE=openjdk-11-jre-headless
  ZOOKEEPER_PACKAGES=(zookeeper zookeeperd)
  DOCKER_PACKAGE=docker.io
  BASE_PACKAGES=(ca-certificates curl python3)
  # apt source of the Mesos/Marathon repository: deb [signed-by=KEY] REPOSITORY SUITE COMPONENT.
  # The suite is the Ubuntu codename (jammy, noble) unless PACKAGE_SUITE is set here.
  PACKAGE_SUITE=
  PACKAGE_COMPONENT=main
  APT_KEYRING_DIR=/etc/apt/keyrings
  APT_KEY_BASENAME=mesos-cluster-packages
  APT_SOURCE_FILE=/etc/apt/sources.list.d/mesos-cluster.list
  APT_PREFERENCES_FILE=/etc/apt/preferences.d/mesos-cluster
  # Where the configure documents' aws:downloadContent steps put the mirrored .deb files.
  PACKAGE_DOWNLOAD_DIR=/var/lib/mesos-cluster/packages
  # Bounds of the apt waits and retries (a fresh Ubuntu runs cloud-init and apt timers at boot).
  APT_LOCK_TIMEOUT=600
  APT_ATTEMPTS=4
  APT_RETRY_DELAY=20
  # ZooKeeper (Debian/Ubuntu layout: /etc/zookeeper/conf is an alternatives link).
  ZOO_CONF_DIR=/etc/zookeeper/conf
  ZOO_DATA_DIR=/var/lib/zookeeper
  ZOO_CLIENT_PORT=2181
  ZOO_PEER_PORT=2888
  ZOO_ELECTION_PORT=3888
  # Mesos: one file per flag, read by the package's init wrapper.
  MESOS_CONF_DIR=/etc/mesos
  MESOS_MASTER_CONF_DIR=/etc/mesos-master
  # Agent flags go to the first of these that the package created (AVENTER ships
  # /etc/mesos-agent; the Mesosphere layout used /etc/mesos-slave).
  MESOS_AGENT_CONF_DIRS=(/etc/mesos-agent /etc/mesos-slave)
  MESOS_MASTER_WORK_DIR=/var/lib/mesos/master
  MESOS_AGENT_WORK_DIR=/var/lib/mesos
  MESOS_MASTER_PORT=5050
  MESOS_AGENT_PORT=5051
  MESOS_MASTER_SERVICE=mesos-master
  MESOS_AGENT_SERVICES=(mesos-agent mesos-slave)
  # The environment files that the Mesos package's units read (MESOS_<FLAG>=value), as the
  # vendor's own Ubuntu 24.04 image configures them (AVENTER-UG/mesos-mini, mesos/*_environment).
  MESOS_MASTER_DEFAULTS_FILE=/etc/default/mesos-master
  MESOS_AGENT_DEFAULTS_FILE=/etc/default/mesos-agent
  # Agent flags of every slave. Ubuntu 22.04 and 24.04 boot with cgroup v2 only: the agent
  # runs the Docker containerizer alone, with cgroup v2 support on and systemd support off,
  # as AVENTER's maintained 24.04 packages run it (see docs/nodes.md for the sources).
  AGENT_CONTAINERIZERS=docker
  AGENT_ENABLE_CGROUPSV2=true
  AGENT_SYSTEMD_ENABLE_SUPPORT=false
  # Docker image pulls can take minutes; the default (1mins) fails such tasks.
  AGENT_EXECUTOR_REGISTRATION_TIMEOUT=5mins
  AGENT_DOCKER_SOCKET=/var/run/docker.sock
  # Flag files of older images that the environment file replaces (a flag given twice fails).
  AGENT_LEGACY_FLAG_FILES=(containerizers executor_registration_timeout ip hostname)
  # How long the join script waits for the agent's own /health before it reports failure.
  AGENT_HEALTH_TIMEOUT=300
  ZOOKEEPER_SERVICE=zookeeper
  # Marathon 1.5+ reads MARATHON_* variables from this file.
  MARATHON_DEFAULTS_FILE=/etc/default/marathon
  MARATHON_SERVICE=marathon
  MARATHON_PORT=8080
  # The Marathon unit runs as this user, reads MARATHON_DEFAULTS_FILE (not optional) and
  # works in its runtime directory.
  MARATHON_USER=marathon
  MARATHON_RUN_DIR=/run/marathon
  MARATHON_TMPFILES_FILE=/etc/tmpfiles.d/marathon.conf
  # Re-running configure-master on a live ensemble restarts one master at a time: master k
  # starts its turn (k-1) slots after the others, and only once every other ZooKeeper
  # serves, so a quorum always remains.
  ROLLING_RESTART_SLOT=120
  ROLLING_QUORUM_TIMEOUT=600
  # The join script baked into the slave image; slaves' user data runs it.
  JOIN_SCRIPT_PATH=/usr/local/sbin/mesos-cluster-join
  # What the image was built from, for people inspecting an AMI.
  IMAGE_INFO_FILE=/etc/mesos-cluster/image.env
  # Instance metadata service (IMDSv2).
  IMDS_ENDPOINT=http://169.254.169.254
  IMDS_TOKEN_TTL=300
  # Bounded wait for the services to answer after a restart.
  SERVICE_WAIT_TIMEOUT=600
  SERVICE_WAIT_INTERVAL=5
}
# ------------------------------------------------------------------------------------------

MESOS_CLUSTER_SCRIPT=${MESOS_CLUSTER_SCRIPT:-$(basename "$0")}
# Command substitutions fail like the commands they run.
shopt -s inherit_errexit

# Logs go to stderr: stdout is reserved for results (count-agents prints a number).
log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$MESOS_CLUSTER_SCRIPT" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

require_root() {
  [[ ${EUID:-$(id -u)} -eq 0 ]] || die "must run as root"
}

# require_env VAR...: every variable is set and non-empty.
require_env() {
  local name
  for name in "$@"; do
    [[ $name =~ ^[A-Z_][A-Z0-9_]*$ ]] || die "invalid variable name '$name'"
    [[ -n ${!name:-} ]] || die "environment variable $name is required"
  done
}

# retry ATTEMPTS DELAY COMMAND...: runs COMMAND until it succeeds, at most ATTEMPTS times.
retry() {
  local attempts=$1 delay=$2 n=1
  shift 2
  until "$@"; do
    if ((n >= attempts)); then
      log "giving up after $n attempts: $*"
      return 1
    fi
    log "attempt $n of $attempts failed: $*; retrying in ${delay}s"
    sleep "$delay"
    n=$((n + 1))
  done
}

# ---- Validation: the document patterns already restrict every value; check again. -------

# is_ipv4 VALUE: dotted quad, each octet 0-255 without leading zeros.
is_ipv4() {
  local value=$1 octet
  [[ $value =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
  for octet in "${BASH_REMATCH[@]:1}"; do
    [[ $octet =~ ^(0|[1-9][0-9]*)$ ]] || return 1
    ((octet <= 255)) || return 1
  done
}

# is_ipv4_list VALUE: comma-separated IPv4 addresses, at least one, no duplicates.
is_ipv4_list() {
  local value=$1 ip
  local -a addrs
  [[ -n $value && $value =~ ^[0-9.,]+$ ]] || return 1
  [[ $value != *, && $value != ,* && $value != *,,* ]] || return 1
  IFS=, read -r -a addrs <<<"$value"
  for ip in "${addrs[@]}"; do
    is_ipv4 "$ip" || return 1
  done
  [[ $(printf '%s\n' "${addrs[@]}" | sort -u | wc -l) -eq ${#addrs[@]} ]]
}

# is_master_ips VALUE: an IPv4 list of an odd number of masters (so a ZooKeeper majority
# survives the loss of one).
is_master_ips() {
  local -a addrs
  is_ipv4_list "$1" || return 1
  IFS=, read -r -a addrs <<<"$1"
  ((${#addrs[@]} % 2 == 1))
}

# is_version VALUE: a Debian package version (same rule as the cluster spec).
is_version() {
  [[ $1 =~ ^[A-Za-z0-9.+~:-]{1,64}$ ]]
}

# is_https_url VALUE: an https URL without query, credentials or spaces (same rule as the spec).
is_https_url() {
  [[ $1 =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?$ ]]
}

# is_package_source VALUE: where Mesos and Marathon come from: mirror or vendor.
is_package_source() {
  [[ $1 == mirror || $1 == vendor ]]
}

# is_sha256 VALUE: 64 lowercase hex digits.
is_sha256() {
  [[ $1 =~ ^[0-9a-f]{64}$ ]]
}

# is_package_key VALUE: the S3 key of a mirrored .deb (pool/<suite>/<file>.deb).
is_package_key() {
  [[ $1 =~ ^pool/[a-z0-9.-]+/[A-Za-z0-9.+~_-]+\.deb$ ]]
}

# is_cluster_name VALUE: a lowercase DNS label of 3 to 32 characters (same rule as the spec).
is_cluster_name() {
  [[ $1 =~ ^[a-z][a-z0-9-]{1,30}[a-z0-9]$ ]]
}

# is_port VALUE: 1-65535.
is_port() {
  [[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (($1 <= 65535))
}

# is_zk_url VALUE: zk://ip:port,ip:port,.../mesos with IPv4 hosts.
is_zk_url() {
  local value=$1 hosts entry host port
  local -a entries
  [[ $value =~ ^zk://([0-9.:,]+)/mesos$ ]] || return 1
  hosts=${BASH_REMATCH[1]}
  [[ $hosts != *, && $hosts != ,* && $hosts != *,,* ]] || return 1
  IFS=, read -r -a entries <<<"$hosts"
  ((${#entries[@]} >= 1)) || return 1
  for entry in "${entries[@]}"; do
    [[ $entry =~ ^([0-9.]+):([0-9]+)$ ]] || return 1
    host=${BASH_REMATCH[1]}
    port=${BASH_REMATCH[2]}
    is_ipv4 "$host" || return 1
    is_port "$port" || return 1
  done
}

# zk_url_hosts ZK_URL: the IPv4 hosts of a valid zk URL, one a line.
zk_url_hosts() {
  local hosts=${1#zk://}
  hosts=${hosts%/mesos}
  tr ',' '\n' <<<"$hosts" | cut -d: -f1
}

# ---- Config values; the same as functions/shared/render.ts. -------------------------------

# split_ips LIST: one address a line.
split_ips() {
  tr ',' '\n' <<<"$1"
}

# zk_url MASTER_IPS [CLIENT_PORT]: zk://ip1:2181,ip2:2181/mesos (the value of /etc/mesos/zk).
zk_url() {
  local ips=$1 port=${2:-$ZOO_CLIENT_PORT}
  is_port "$port" || die "invalid port '$port'"
  is_master_ips "$ips" || die "invalid master list '$ips': need an odd number of distinct IPv4 addresses"
  printf 'zk://%s/mesos\n' "$(split_ips "$ips" | sed "s/\$/:$port/" | paste -sd, -)"
}

# mesos_quorum MASTER_IPS: a majority of the masters, floor(n/2)+1.
mesos_quorum() {
  local -a addrs
  is_master_ips "$1" || die "invalid master list '$1': need an odd number of distinct IPv4 addresses"
  IFS=, read -r -a addrs <<<"$1"
  printf '%d\n' $((${#addrs[@]} / 2 + 1))
}

# zoo_server_lines MASTER_IPS [PEER_PORT] [ELECTION_PORT]: server.N=ip:peer:election, N 1-based.
zoo_server_lines() {
  local ips=$1 peer=${2:-$ZOO_PEER_PORT} election=${3:-$ZOO_ELECTION_PORT} ip n=0
  is_master_ips "$ips" || die "invalid master list '$ips': need an odd number of distinct IPv4 addresses"
  while read -r ip; do
    n=$((n + 1))
    printf 'server.%d=%s:%s:%s\n' "$n" "$ip" "$peer" "$election"
  done < <(split_ips "$ips")
}

# zoo_myid MASTER_IPS OWN_IP: the 1-based position of OWN_IP in the list.
zoo_myid() {
  local ips=$1 own=$2 ip n=0
  while read -r ip; do
    n=$((n + 1))
    if [[ $ip == "$own" ]]; then
      printf '%d\n' "$n"
      return 0
    fi
  done < <(split_ips "$ips")
  die "$own is not one of the masters $ips"
}

# render_zoo_cfg MASTER_IPS [DATA_DIR] [CLIENT_PORT]: the whole zoo.cfg.
render_zoo_cfg() {
  local ips=$1 data_dir=${2:-$ZOO_DATA_DIR} client_port=${3:-$ZOO_CLIENT_PORT}
  local -a list
  is_master_ips "$ips" || die "invalid master list '$ips': need an odd number of distinct IPv4 addresses"
  IFS=, read -r -a list <<<"$ips"
  printf '%s\n' \
    'tickTime=2000' \
    "dataDir=$data_dir" \
    "clientPort=$client_port" \
    'initLimit=10' \
    'syncLimit=5' \
    'admin.enableServer=false' \
    '4lw.commands.whitelist=srvr,ruok,mntr'
  if ((${#list[@]} > 1)); then
    zoo_server_lines "$ips"
  fi
}

# ---- Files, services, apt, metadata. -------------------------------------------------------

# write_file ROOT PATH CONTENT [MODE]: writes ROOT/PATH atomically when its content differs;
# counts changes in FILES_CHANGED. CONTENT gets a final newline.
FILES_CHANGED=0
write_file() {
  local root=$1 path=$2 content=$3 mode=${4:-0644} target tmp
  target="$root$path"
  mkdir -p "$(dirname "$target")"
  if [[ -f $target && ! -L $target ]] && [[ $(cat "$target") == "$content" ]]; then
    return 0
  fi
  tmp=$(mktemp "$(dirname "$target")/.tmp.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
  FILES_CHANGED=$((FILES_CHANGED + 1))
  log "wrote $path"
}

# first_existing_dir ROOT DIR...: the first DIR that exists under ROOT, else the last one.
first_existing_dir() {
  local root=$1 dir
  shift
  for dir in "$@"; do
    if [[ -d $root$dir ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  printf '%s\n' "${!#}"
}

# agent_conf_dir ROOT: where the agent's flag files live on this machine.
agent_conf_dir() {
  first_existing_dir "$1" "${MESOS_AGENT_CONF_DIRS[@]}"
}

# agent_work_dir ROOT: the agent's work_dir flag if the package set one, else the default.
agent_work_dir() {
  local root=$1 file
  file="$root$(agent_conf_dir "$root")/work_dir"
  if [[ -s $file ]]; then
    head -n 1 "$file"
  else
    printf '%s\n' "$MESOS_AGENT_WORK_DIR"
  fi
}

# remove_agent_checkpoint ROOT: forget the agent's identity, so that the next start
# registers as a new agent. A clone that keeps it fails with "Incompatible agent info".
remove_agent_checkpoint() {
  local root=$1 dir
  for dir in "$(agent_work_dir "$root")" "$MESOS_AGENT_WORK_DIR"; do
    if [[ -e $root$dir/meta/slaves/latest || -L $root$dir/meta/slaves/latest ]]; then
      rm -f "$root$dir/meta/slaves/latest"
      log "removed $dir/meta/slaves/latest"
    fi
  done
}

# unit_exists NAME: a systemd unit (or SysV script) NAME is installed.
unit_exists() {
  systemctl list-unit-files --no-legend "$1.service" 2>/dev/null | grep -q "^$1\.service" || [[ -x /etc/init.d/$1 ]]
}

# agent_service: the agent unit the Mesos package installed (mesos-agent or mesos-slave).
agent_service() {
  local name
  for name in "${MESOS_AGENT_SERVICES[@]}"; do
    if unit_exists "$name"; then
      printf '%s\n' "$name"
      return 0
    fi
  done
  return 1
}

# disable_service NAME: stop it now and keep it off after reboots; absent units are fine.
disable_service() {
  if unit_exists "$1"; then
    systemctl disable --now "$1" >/dev/null 2>&1 || systemctl stop "$1" || true
    log "disabled $1"
  fi
}

# enable_restart NAME: enable at boot and (re)start now.
enable_restart() {
  systemctl enable "$1" >/dev/null 2>&1 || true
  systemctl restart "$1" || die "could not start $1: $(systemctl status --no-pager "$1" 2>&1 | tail -n 5)"
  log "started $1"
}

# wait_for_http URL TIMEOUT: until URL answers 2xx, at most TIMEOUT seconds.
wait_for_http() {
  local url=$1 timeout=$2 deadline
  deadline=$((SECONDS + timeout))
  until curl -fsS -o /dev/null --connect-timeout 3 --max-time 10 "$url"; do
    ((SECONDS < deadline)) || return 1
    sleep "$SERVICE_WAIT_INTERVAL"
  done
  log "$url answers"
}

APT_LOG=/var/log/mesos-cluster-bootstrap-apt.log

# wait_for_apt: cloud-init finished and no one holds the dpkg/apt locks (bounded).
wait_for_apt() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) status=0
  if command -v cloud-init >/dev/null 2>&1; then
    # Exit code 2 means "done, with recoverable errors": not ours to fail on.
    timeout "$APT_LOCK_TIMEOUT" cloud-init status --wait >/dev/null 2>&1 || status=$?
    ((status == 0 || status == 2)) || log "cloud-init status --wait ended with $status; going on"
  fi
  if command -v fuser >/dev/null 2>&1; then
    while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
      ((SECONDS < deadline)) || die "the dpkg lock is still held after ${APT_LOCK_TIMEOUT}s"
      sleep 5
    done
  fi
}

# apt_get ARGS...: non-interactive apt-get that also waits for the dpkg lock itself.
apt_get() {
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get -q -y \
    -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$@" >>"$APT_LOG" 2>&1 || rc=$?
  if ((rc != 0)); then
    log "apt-get $* failed ($rc); last lines of $APT_LOG:"
    tail -n 15 "$APT_LOG" >&2 || true
  fi
  return "$rc"
}

apt_update() {
  wait_for_apt
  retry "$APT_ATTEMPTS" "$APT_RETRY_DELAY" apt_get update
}

# apt_install PACKAGE[=VERSION]...: bounded retries for transient mirror failures.
apt_install() {
  wait_for_apt
  log "installing $*"
  retry "$APT_ATTEMPTS" "$APT_RETRY_DELAY" _apt_install_once "$@"
}

_apt_install_once() {
  apt_get install --no-install-recommends "$@" && return 0
  apt_get update || true
  return 1
}

# pick_version WANT < CANDIDATES: the candidate equal to WANT, else the first one (apt lists
# the newest first) that is WANT plus a Debian revision or suffix (1.11.30 -> 1.11.30-1).
pick_version() {
  local want=$1 line first=
  while read -r line; do
    [[ -n $line ]] || continue
    if [[ $line == "$want" ]]; then
      printf '%s\n' "$line"
      return 0
    fi
    if [[ -z $first && ${line:0:${#want}} == "$want" && ${line:${#want}:1} =~ ^[-+~.]$ ]]; then
      first=$line
    fi
  done
  [[ -n $first ]] || return 1
  printf '%s\n' "$first"
}

# resolve_version PACKAGE WANT: the exact version apt should install for a pinned WANT.
resolve_version() {
  local package=$1 want=$2 available
  available=$(apt-cache madison "$package" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}')
  pick_version "$want" <<<"$available" ||
    die "$package $want is not in the package sources; available: $(paste -sd' ' <<<"$available")"
}

# os_codename: the Ubuntu codename (jammy, noble).
os_codename() {
  # shellcheck disable=SC1091  # provided by the OS
  (. /etc/os-release && printf '%s\n' "${VERSION_CODENAME:?}")
}

# url_host URL: the host part of an https URL.
url_host() {
  local rest=${1#https://}
  rest=${rest%%/*}
  printf '%s\n' "${rest%%:*}"
}

# add_package_repository REPOSITORY KEY_URL: the Mesos/Marathon apt source, signed by its
# own key in APT_KEYRING_DIR, with a low pin so it only supplies what Ubuntu lacks.
add_package_repository() {
  local repository=$1 key_url=$2 suite key_file tmp host
  is_https_url "$repository" || die "invalid package repository '$repository'"
  is_https_url "$key_url" || die "invalid package key URL '$key_url'"
  suite=${PACKAGE_SUITE:-$(os_codename)}
  [[ $suite =~ ^[a-z0-9.-]+$ ]] || die "invalid apt suite '$suite'"
  install -d -m 0755 "$APT_KEYRING_DIR"
  tmp=$(mktemp)
  retry 5 10 curl -fsSL --proto '=https' --connect-timeout 10 --max-time 60 -o "$tmp" "$key_url" ||
    die "could not download the package key $key_url"
  if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$tmp"; then
    key_file="$APT_KEYRING_DIR/$APT_KEY_BASENAME.asc"
  else
    key_file="$APT_KEYRING_DIR/$APT_KEY_BASENAME.gpg"
  fi
  install -m 0644 "$tmp" "$key_file"
  rm -f "$tmp"
  host=$(url_host "$repository")
  write_file "" "$APT_SOURCE_FILE" \
    "deb [arch=$(dpkg --print-architecture) signed-by=$key_file] $repository $suite $PACKAGE_COMPONENT"
  write_file "" "$APT_PREFERENCES_FILE" "$(printf 'Package: *\nPin: origin "%s"\nPin-Priority: 100' "$host")"
}

# imds_get PATH: GET /latest/meta-data/PATH with an IMDSv2 session token.
imds_get() {
  local path=$1 token
  [[ $path =~ ^[a-z0-9/-]+$ ]] || die "invalid metadata path '$path'"
  token=$(curl -fsS -X PUT --connect-timeout 2 --max-time 5 --retry 3 --retry-connrefused \
    -H "X-aws-ec2-metadata-token-ttl-seconds: $IMDS_TOKEN_TTL" "$IMDS_ENDPOINT/latest/api/token") || return 1
  curl -fsS --connect-timeout 2 --max-time 5 --retry 3 --retry-connrefused \
    -H "X-aws-ec2-metadata-token: $token" "$IMDS_ENDPOINT/latest/meta-data/$path"
}

# own_private_ip: this instance's private IPv4 address (IMDSv2 local-ipv4).
own_private_ip() {
  local ip
  ip=$(imds_get local-ipv4) || die "could not read local-ipv4 from the instance metadata"
  is_ipv4 "$ip" || die "the instance metadata returned an invalid local-ipv4 '$ip'"
  printf '%s\n' "$ip"
}

# own_public_ip_or PRIVATE_IP: the public IPv4 address, or PRIVATE_IP when there is none.
own_public_ip_or() {
  local ip
  if ip=$(imds_get public-ipv4 2>/dev/null) && is_ipv4 "$ip"; then
    printf '%s\n' "$ip"
  else
    printf '%s\n' "$1"
  fi
}

# ---- The package mirror. ------------------------------------------------------------------

# mirrored_package_file KEY: where the document's aws:downloadContent step put the .deb of KEY.
mirrored_package_file() {
  printf '%s/%s\n' "$PACKAGE_DOWNLOAD_DIR" "${1##*/}"
}

# verify_mirrored_package ROOT NAME KEY SHA256: the downloaded .deb of KEY is there and its
# sha256 is the one the project's manifest records; prints its path. Fails naming the package
# and the expected hash (PackageMissing / PackageChecksumMismatch), installing nothing.
verify_mirrored_package() {
  local root=$1 name=$2 key=$3 expected=$4 file actual
  is_package_key "$key" || die "invalid package key for $name: '$key'"
  is_sha256 "$expected" || die "invalid SHA256 for $name: '$expected'"
  file=$root$(mirrored_package_file "$key")
  [[ -f $file ]] ||
    die "PackageMissing: $name is not in the package mirror ($key); expected sha256 $expected; fill it with mesos-cluster mirror --from DIR"
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  [[ $actual == "$expected" ]] ||
    die "PackageChecksumMismatch: $name has sha256 $actual, the manifest expects $expected ($key)"
  printf '%s\n' "$file"
}

# ---- ZooKeeper probes (four-letter words, allowed by zoo.cfg's whitelist). ----------------

# zk_mode HOST [PORT]: the server's mode (leader, follower, standalone) from `srvr`; fails
# when it does not answer or serves no quorum.
zk_mode() {
  local host=$1 port=${2:-$ZOO_CLIENT_PORT} answer mode
  is_ipv4 "$host" || return 1
  # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
  answer=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf srvr >&3 && cat <&3' zk_mode "$host" "$port" 2>/dev/null) || return 1
  mode=$(sed -n 's/^Mode: *//p' <<<"$answer")
  [[ $mode == leader || $mode == follower || $mode == standalone ]] || return 1
  printf '%s\n' "$mode"
}

# others_serve MASTER_IPS OWN_IP [PORT]: every other master's ZooKeeper is a leader or a follower.
others_serve() {
  local ips=$1 own=$2 port=${3:-$ZOO_CLIENT_PORT} ip mode
  while read -r ip; do
    [[ $ip == "$own" ]] && continue
    mode=$(zk_mode "$ip" "$port") || return 1
    [[ $mode == leader || $mode == follower ]] || return 1
  done < <(split_ips "$ips")
}
