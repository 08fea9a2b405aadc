#!/usr/bin/env bash
# Installs the build prerequisites provision found missing, with the node's package manager, as
# root or through `sudo -n` (provision runs this only when the cluster file says
# provision.installPrerequisites: true).
# Usage: install-prereqs.sh --manager apt-get|dnf PACKAGE...
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MANAGER=
PKGS=()
while (($#)); do
  case $1 in
    --manager) need_value "$@"; MANAGER=$2; shift 2 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    -*) usage_error "unknown flag '$1' (install-prereqs.sh takes --manager and package names)" ;;
    *) [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9.+_-]*$ ]] || usage_error "not a package name: '$1'"; PKGS+=("$1"); shift ;;
  esac
done
[[ $MANAGER == apt-get || $MANAGER == dnf ]] || usage_error "--manager must be apt-get or dnf, got '$MANAGER'"
((${#PKGS[@]})) || usage_error "no packages to install"

phase install
as_root=()
if [[ $(id -u) != 0 ]]; then
  sudo -n true 2>/dev/null || die "installing ${PKGS[*]} needs root: this user has no passwordless sudo; run 'sudo $MANAGER install -y ${PKGS[*]}' on the node" 3
  as_root=(sudo -n)
fi
if [[ $MANAGER == apt-get ]]; then
  log "+ apt-get update && apt-get install -y ${PKGS[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || die "apt-get update failed (see above)"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PKGS[@]}" || die "apt-get install ${PKGS[*]} failed (see above)"
else
  log "+ dnf install -y ${PKGS[*]}"
  "${as_root[@]}" dnf install -y "${PKGS[@]}" || die "dnf install ${PKGS[*]} failed (see above)"
fi
json_obj script '"install-prereqs"' manager "$(json_str "$MANAGER")" packages "$(json_str_array "${PKGS[@]}")" sudo "$(json_bool "$([[ ${#as_root[@]} -gt 0 ]] && echo true || echo false)")"
echo
