"""The bundle's size and start-up time, with the installed package's start-up measured in the same run.

    python packaging/measure_bundle.py dist/resnet-studio [--runs 7]

Size: the folder on disk (and its largest parts), the .tar.gz beside it when there is one. Start-up: each launch
starts the bundled app offscreen in a fresh process with RESNET_STUDIO_STARTUP_PROBE=quit and reads the moment
its window was first exposed; the reference is the same for `resnet-studio` from this Python environment
(interpreted, not frozen). Prints medians over the runs, launches alternating, after one warm-up launch each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIB = 1024 * 1024


def folder_bytes(folder: Path) -> int:
    """Bytes of every regular file under the folder (links not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(bundle: Path, count: int = 6) -> list[tuple[str, int]]:
    """The biggest first-level parts of the bundle's library folder."""
    inner = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    sizes = [
        (p.name, folder_bytes(p) if p.is_dir() else p.stat().st_size)
        for p in inner.iterdir()
        if not p.is_symlink()  # PyInstaller links some libraries to their package's copy
    ]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def launch(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting the process to its window being exposed."""
    start = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    line = next((ln for ln in result.stdout.splitlines() if "window exposed at" in ln), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"{command[0]} failed (status {result.returncode}):\n{result.stderr[-2000:]}")
    return float(line.split(" at ")[1].split()[0]) - start


def main() -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the bundle folder, e.g. dist/resnet-studio")
    parser.add_argument("--runs", type=int, default=7, help="launches of each program (default 7)")
    args = parser.parse_args()
    program = args.bundle / "resnet-studio"
    if not program.is_file():
        raise SystemExit(f"no {program}: build it with packaging/build-bundle.sh")
    installed = Path(sys.executable).with_name("resnet-studio")
    reference = [str(installed)] if installed.exists() else [sys.executable, "-m", "resnet_studio"]

    total = folder_bytes(args.bundle)
    files = sum(1 for p in args.bundle.rglob("*") if p.is_file())
    print(f"bundle: {args.bundle}  {total / MIB:.0f} MiB on disk in {files} files")
    for name, size in largest_parts(args.bundle):
        print(f"  {name:32} {size / MIB:7.1f} MiB")
    archives = sorted(args.bundle.parent.glob(f"{args.bundle.name}-*.tar.gz"))
    for archive in archives:
        print(f"archive: {archive.name}  {archive.stat().st_size / MIB:.0f} MiB")

    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "RESNET_STUDIO_STARTUP_PROBE": "quit",
            "RESNET_STUDIO_SETTINGS": str(Path(folder) / "settings.ini"),
            "RESNET_STUDIO_RECOVERY_DIR": str(Path(folder) / "recovery"),
        }
        launch([str(program)], env)  # warm the file cache for both
        launch(reference, env)
        bundled, source = [], []
        for _ in range(args.runs):
            bundled.append(launch([str(program)], env))
            source.append(launch(reference, env))
    b, s = statistics.median(bundled), statistics.median(source)
    print(f"start-up to window exposed, offscreen, {args.runs} runs each (medians):")
    print(
        f"  bundle            {b * 1000:6.0f} ms  (min {min(bundled) * 1000:.0f}, max {max(bundled) * 1000:.0f})"
    )
    print(
        f"  installed package {s * 1000:6.0f} ms  (min {min(source) * 1000:.0f}, max {max(source) * 1000:.0f})"
    )
    print(f"  ratio bundle / installed package: {b / s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
