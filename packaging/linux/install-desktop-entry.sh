#!/usr/bin/env bash
# Add ResNet Studio to the desktop's application menu for the current user (after `pip install`).
# Usage: packaging/linux/install-desktop-entry.sh [--uninstall]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
app_id=org.resnetstudio.ResNetStudio
targets=("$data/applications/$app_id.desktop" "$data/icons/hicolor/scalable/apps/$app_id.svg" "$data/metainfo/$app_id.metainfo.xml")
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "${targets[@]}"
  echo "ResNet Studio removed from the application menu."
  exit 0
fi
command -v resnet-studio >/dev/null || { echo "resnet-studio is not on PATH; install the package first" >&2; exit 1; }
install -Dm644 "$here/$app_id.desktop" "${targets[0]}"
install -Dm644 "$root/resources/icons/resnet-studio.svg" "${targets[1]}"
install -Dm644 "$here/$app_id.metainfo.xml" "${targets[2]}"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "ResNet Studio added to the application menu."
