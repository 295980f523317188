#!/usr/bin/env bash
# Build the standalone one-folder bundle (no Python needed to run it) and smoke-test it.
#   packaging/build-bundle.sh            -> dist/resnet-studio/resnet-studio (and dist/resnet-studio-<version>-linux-x86_64.tar.gz)
# A clean build environment under build/bundle-venv holds only what the app needs at run time: the CPU build of
# torch (torch==2.13.0 from PyPI's CPU wheels; set TORCH_SPEC or PIP_INDEX_URL to pick another), the package
# itself (no test extras) and PyInstaller. Runs on Linux; see packaging/README.md for macOS and Windows.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
venv=build/bundle-venv
torch_spec=${TORCH_SPEC:-torch==2.13.0}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install -q "$torch_spec"
"$venv/bin/pip" install -q --force-reinstall --no-deps . && "$venv/bin/pip" install -q .
"$venv/bin/pip" install -q "pyinstaller>=6.10"
if "$venv/bin/python" -c "import torch, sys; sys.exit(0 if torch.version.cuda is None else 1)"; then :; else
  echo "build-bundle: the build environment has a CUDA build of torch; install the CPU build (see packaging/README.md)" >&2
  exit 1
fi

rm -rf dist/resnet-studio  # build/pyinstaller stays: PyInstaller reuses its analysis when nothing changed
"$venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/resnet-studio.spec

# The Linux desktop integration travels with the bundle: linux/install-desktop-entry.sh finds ../resnet-studio.
mkdir -p dist/resnet-studio/linux
cp packaging/linux/install-desktop-entry.sh packaging/linux/org.resnetstudio.ResNetStudio.desktop \
  packaging/linux/org.resnetstudio.ResNetStudio.metainfo.xml packaging/linux/org.resnetstudio.ResNetStudio.mime.xml \
  resources/icons/resnet-studio.svg dist/resnet-studio/linux/

"$venv/bin/python" packaging/smoke_test_bundle.py dist/resnet-studio
tar -C dist -czf "dist/resnet-studio-$version-linux-x86_64.tar.gz" resnet-studio
echo "build-bundle: dist/resnet-studio ($(du -sh dist/resnet-studio | cut -f1)), dist/resnet-studio-$version-linux-x86_64.tar.gz"
