#!/usr/bin/env bash
# Add ResNet Studio to the desktop for the current user: the application menu entry, its icon, the AppStream
# metadata, and the project file type (*.rsproj.json), so double-clicking a project opens it in the app.
#
#   packaging/linux/install-desktop-entry.sh                  # after `pip install` or `pipx install`: runs `resnet-studio`
#   packaging/linux/install-desktop-entry.sh --exec PATH      # a given program, e.g. the bundle's resnet-studio
#   packaging/linux/install-desktop-entry.sh --uninstall
#
# Inside a bundle (dist/resnet-studio/linux/) it runs the bundle's own program by default. Files go under
# $XDG_DATA_HOME (default ~/.local/share); nothing needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
app_id=org.resnetstudio.ResNetStudio
mime_type=application/x-resnet-studio+json
mime_icon=${mime_type/\//-}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

program=""
uninstall=false
while [ $# -gt 0 ]; do
  case "$1" in
    --exec) [ $# -ge 2 ] || { echo "install-desktop-entry: --exec needs a program path" >&2; exit 2; }
            program=$2; shift 2;;
    --uninstall) uninstall=true; shift;;
    -h|--help) usage; exit 0;;
    *) echo "install-desktop-entry: unknown option '$1' (try --help)" >&2; exit 2;;
  esac
done

desktop="$data/applications/$app_id.desktop"
targets=(
  "$desktop"
  "$data/icons/hicolor/scalable/apps/$app_id.svg"
  "$data/icons/hicolor/scalable/mimetypes/$mime_icon.svg"
  "$data/metainfo/$app_id.metainfo.xml"
  "$data/mime/packages/$app_id.xml"
)

refresh() {
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$data/applications" || true; fi
  if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime" || true; fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
}

if $uninstall; then
  rm -f "${targets[@]}"
  refresh
  echo "ResNet Studio removed from the application menu."
  exit 0
fi

# The icon: next to this script in a bundle, in resources/ in a source checkout or sdist.
icon=""
for candidate in "$here/resnet-studio.svg" "$here/../../resources/icons/resnet-studio.svg"; do
  [ -f "$candidate" ] && { icon=$candidate; break; }
done
[ -n "$icon" ] || { echo "install-desktop-entry: cannot find resnet-studio.svg next to $here" >&2; exit 1; }

if [ -z "$program" ] && [ -x "$here/../resnet-studio" ] && [ -f "$here/../resnet-studio" ]; then
  program=$(cd "$here/.." && pwd)/resnet-studio  # this script ships inside the bundle
fi
if [ -n "$program" ]; then
  [ -x "$program" ] || { echo "install-desktop-entry: $program is not an executable program" >&2; exit 1; }
  program=$(cd "$(dirname "$program")" && pwd)/$(basename "$program")
  case "$program" in
    *[[:space:]\"\'\\\$\`%]*) echo "install-desktop-entry: move $program to a path without spaces or quotes" >&2; exit 1;;
  esac
  exec_line="Exec=$program %f"
else
  command -v resnet-studio >/dev/null || {
    echo "install-desktop-entry: resnet-studio is not on PATH; install the package first, or give --exec PATH" >&2
    exit 1
  }
  exec_line="Exec=resnet-studio %f"
fi

mkdir -p "$(dirname "$desktop")"
sed "s|^Exec=.*|$exec_line|" "$here/$app_id.desktop" > "$desktop.tmp" && chmod 644 "$desktop.tmp" && mv "$desktop.tmp" "$desktop"
install -Dm644 "$icon" "${targets[1]}"
install -Dm644 "$icon" "${targets[2]}"
install -Dm644 "$here/$app_id.metainfo.xml" "${targets[3]}"
install -Dm644 "$here/$app_id.mime.xml" "${targets[4]}"
refresh
echo "ResNet Studio added to the application menu (${exec_line#Exec=}); *.rsproj.json files open with it."
