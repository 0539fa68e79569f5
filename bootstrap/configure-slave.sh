#!/usr/bin/env bash
# Prepares the template slave whose disk becomes the slave image (AMI): Mesos agent and
# Docker installed, the join script in place, and no state that clones must not share.
# Runs once through the configure-slave SSM document, before the image is baked. Safe to
# run twice. The agent is left stopped and disabled: each slave's user data runs
# mesos-cluster-join, which enables it.
#
# Environment (the document exports its parameters):
#   CLUSTER_NAME        the cluster's name (recorded in the image)
#   MESOS_VERSION       pinned version of the Mesos package
#   PACKAGE_SOURCE      mirror (the .deb the document downloaded from the stack's bucket,
#                       checked against MESOS_PACKAGE_SHA256) or vendor (PACKAGE_REPOSITORY);
#                       optional, vendor when empty
#   MESOS_PACKAGE_KEY, MESOS_PACKAGE_SHA256   the mirrored .deb and its SHA256 (mirror only)
#   PACKAGE_REPOSITORY  https URL of the apt repository with Mesos (vendor)
#   PACKAGE_KEY_URL     https URL of that repository's signing key (vendor)
# MESOS_CLUSTER_LIB_ONLY=1 defines the functions without running main (unit tests).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -euo pipefail

# >>> sources only
# The folder of the sources, where the embed function below finds them (not in the document).
MESOS_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# <<< sources only

# apt settings that keep unattended upgrades (and their dpkg lock) off the slaves.
AUTO_UPGRADES_FILE=/etc/apt/apt.conf.d/20auto-upgrades

# >>> embed mesos-cluster-join.sh
# join_script_source: the self-contained join script (common.sh inlined, as the renderer does).
join_script_source() {
  awk -v lib="$MESOS_CLUSTER_DIR/lib/common.sh" '
    $0 == "# >>> inline lib/common.sh" {
      first = 1
      while ((getline line < lib) > 0) { if (!first) print line; first = 0 }
      close(lib); skip = 1; next
    }
    $0 == "# <<< inline lib/common.sh" { skip = 0; next }
    !skip { print }
  ' "$MESOS_CLUSTER_DIR/mesos-cluster-join.sh"
}
# <<< embed mesos-cluster-join.sh

# The library (lib/common.sh) comes from the join script, which has it inlined: one copy in
# the document instead of two. Sourced with MESOS_CLUSTER_LIB_ONLY=1 (functions and settings only).
lib_only=${MESOS_CLUSTER_LIB_ONLY:-}
MESOS_CLUSTER_LIB_ONLY=1
# shellcheck source=/dev/null
source <(join_script_source)
MESOS_CLUSTER_LIB_ONLY=$lib_only

# write_agent_config ROOT: the agent's work_dir. Its other flags (lib/common.sh AGENT_*) go
# into the environment file that the join script writes on each slave, with the masters'
# URL and the slave's address; flag files of the same flags would give them twice.
write_agent_config() {
  local root=$1 conf name
  conf=$(agent_conf_dir "$root")
  for name in "${AGENT_LEGACY_FLAG_FILES[@]}"; do
    if [[ -e $root$conf/$name ]]; then
      rm -f "$root$conf/$name"
      log "removed $conf/$name (now in $MESOS_AGENT_DEFAULTS_FILE)"
    fi
  done
  [[ -s $root$conf/work_dir ]] || write_file "$root" "$conf/work_dir" "$MESOS_AGENT_WORK_DIR"
}

# install_join_script ROOT: /usr/local/sbin/mesos-cluster-join.
install_join_script() {
  write_file "$1" "$JOIN_SCRIPT_PATH" "$(join_script_source)" 0755
}

# write_image_info ROOT: what the image holds, for people inspecting an AMI.
write_image_info() {
  local root=$1
  write_file "$root" "$IMAGE_INFO_FILE" "$(
    printf 'CLUSTER_NAME=%s\n' "$CLUSTER_NAME"
    printf 'MESOS_PACKAGE=%s\n' "$MESOS_PACKAGE"
    printf 'MESOS_VERSION=%s\n' "$MESOS_VERSION"
    printf 'PACKAGE_SOURCE=%s\n' "${PACKAGE_SOURCE:-vendor}"
    if [[ ${PACKAGE_SOURCE:-vendor} == mirror ]]; then
      printf 'MESOS_PACKAGE_SHA256=%s\n' "$MESOS_PACKAGE_SHA256"
    else
      printf 'PACKAGE_REPOSITORY=%s\n' "$PACKAGE_REPOSITORY"
    fi
  )"
}

# write_bake_files ROOT: the file side of the image hygiene (tests run it in a sandbox).
write_bake_files() {
  local root=$1
  remove_agent_checkpoint "$root"
  write_file "$root" "$AUTO_UPGRADES_FILE" "$(printf 'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";')"
  # An empty machine-id makes systemd create a new one on each clone's first boot. The SSM
  # agent identifies the instance through its metadata, not this file.
  if [[ -f $root/etc/machine-id ]]; then : >"$root/etc/machine-id"; fi
  if [[ -f $root/var/lib/dbus/machine-id && ! -L $root/var/lib/dbus/machine-id ]]; then
    rm -f "$root/var/lib/dbus/machine-id"
  fi
}

validate_slave_env() {
  require_env CLUSTER_NAME MESOS_VERSION PACKAGE_REPOSITORY PACKAGE_KEY_URL
  is_cluster_name "$CLUSTER_NAME" || die "invalid CLUSTER_NAME"
  is_version "$MESOS_VERSION" || die "invalid MESOS_VERSION"
  is_https_url "$PACKAGE_REPOSITORY" || die "invalid PACKAGE_REPOSITORY"
  is_https_url "$PACKAGE_KEY_URL" || die "invalid PACKAGE_KEY_URL"
  PACKAGE_SOURCE=${PACKAGE_SOURCE:-vendor}
  is_package_source "$PACKAGE_SOURCE" || die "invalid PACKAGE_SOURCE: must be mirror or vendor"
  if [[ $PACKAGE_SOURCE == mirror ]]; then
    require_env MESOS_PACKAGE_KEY MESOS_PACKAGE_SHA256
    is_package_key "$MESOS_PACKAGE_KEY" || die "invalid MESOS_PACKAGE_KEY"
    is_sha256 "$MESOS_PACKAGE_SHA256" || die "invalid MESOS_PACKAGE_SHA256"
  fi
}

# install_slave_packages: Docker from Ubuntu; Mesos from the mirror (a checked .deb) or the vendor.
install_slave_packages() {
  local pinned_mesos mesos_deb
  if [[ $PACKAGE_SOURCE == mirror ]]; then
    mesos_deb=$(verify_mirrored_package "" "$MESOS_PACKAGE $MESOS_VERSION" "$MESOS_PACKAGE_KEY" "$MESOS_PACKAGE_SHA256")
    apt_update
    apt_install "${BASE_PACKAGES[@]}"
    apt_install --allow-change-held-packages "$DOCKER_PACKAGE" "$mesos_deb"
  else
    apt_update
    apt_install "${BASE_PACKAGES[@]}"
    add_package_repository "$PACKAGE_REPOSITORY" "$PACKAGE_KEY_URL"
    apt_update
    pinned_mesos=$(resolve_version "$MESOS_PACKAGE" "$MESOS_VERSION")
    apt_install --allow-change-held-packages "$DOCKER_PACKAGE" "$MESOS_PACKAGE=$pinned_mesos"
  fi
  apt-mark hold "$MESOS_PACKAGE" >/dev/null
}

# bake_hygiene: leave nothing that clones must not share, and nothing that grabs the dpkg
# lock at their boot.
bake_hygiene() {
  local agent unit
  if agent=$(agent_service); then disable_service "$agent"; fi
  for unit in unattended-upgrades apt-daily apt-daily-upgrade; do disable_service "$unit"; done
  systemctl disable --now apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
  write_bake_files ""
  if command -v cloud-init >/dev/null 2>&1; then
    cloud-init clean --logs || die "cloud-init clean failed"
  fi
  apt_get clean
  sync
}

main() {
  require_root
  validate_slave_env
  log "configuring the template slave of cluster $CLUSTER_NAME (Mesos $MESOS_VERSION from $PACKAGE_SOURCE)"

  install_slave_packages
  write_agent_config ""
  disable_service "$ZOOKEEPER_SERVICE"
  disable_service "$MESOS_MASTER_SERVICE"
  if unit_exists docker; then systemctl enable --now docker >/dev/null 2>&1 || die "could not start docker"; fi
  install_join_script ""
  write_image_info ""
  bake_hygiene
  log "template slave ready for the image"
}

if [[ ${MESOS_CLUSTER_LIB_ONLY:-} != 1 ]]; then
  main "$@"
fi
