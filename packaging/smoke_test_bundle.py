"""Smoke-test a built bundle: it runs the command line and the app with no Python of its own, and ships lean.

    python packaging/smoke_test_bundle.py dist/resnet-studio

Checks, each with the bundle's own executable: `--version`; `render resnet18` writes a PNG; `run resnet18` on the
sample image does a forward pass (torch from the bundle); `summary resnet50` prints ResNet-50's totals; the app
opens offscreen, stays up a few seconds and exits 0 when its window closes. Then that the bundle holds no CUDA
libraries, test tools, C++ headers or torch test programs. Exits 0 when all pass, 1 with the failures otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FORBIDDEN = (
    "libcudart",
    "libcublas",
    "libcudnn",
    "libnccl",
    "libcufft",
    "libcusparse",
    "libnvrtc",
    "libtriton",
)
TEST_TOOLS = ("pytest", "hypothesis", "_pytest", "ruff", "mypy", "importlinter", "pytestqt", "xdist")


def executable(bundle: Path) -> Path:
    """The bundle's program (resnet-studio, or resnet-studio.exe on Windows)."""
    for name in ("resnet-studio", "resnet-studio.exe"):
        if (bundle / name).is_file():
            return bundle / name
    raise SystemExit(f"no resnet-studio executable in {bundle}: build it with packaging/build-bundle.sh")


def check(bundle: Path) -> list[str]:
    """Run every check; returns the failures as sentences."""
    program = str(executable(bundle).resolve())
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "RESNET_STUDIO_SETTINGS": str(work / "settings.ini"),
            "RESNET_STUDIO_RECOVERY_DIR": str(work / "recovery"),  # never the user's unsaved work
        }
        env.pop("PYTHONPATH", None)

        def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [program, *args],
                cwd=work,
                env={**env, **(extra or {})},
                capture_output=True,
                text=True,
                timeout=300,
            )

        def expect(label: str, result: subprocess.CompletedProcess[str], ok: bool) -> None:
            status = "ok" if result.returncode == 0 and ok else "FAILED"
            print(f"  {status:6} {label}")
            if status != "ok":
                failures.append(
                    f"{label}: status {result.returncode}\n{result.stdout[-1500:]}{result.stderr[-1500:]}"
                )

        version = run("--version")
        expect("--version", version, version.stdout.startswith("resnet-studio "))
        summary = run("summary", "resnet50", "--format", "json")
        expect(
            "summary resnet50", summary, summary.returncode == 0 and '"params": 25557032' in summary.stdout
        )
        render = run("render", "resnet18", "-o", "x.png")
        png = work / "x.png"
        expect(
            "render resnet18 -o x.png", render, png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        )
        forward = run("run", "resnet18", "--input-source", "sample", "--format", "json")
        try:
            ran = json.loads(forward.stdout).get("status") == "ok"
        except json.JSONDecodeError:
            ran = False
        expect("run resnet18 --input-source sample (forward pass)", forward, ran)
        app = run(extra={"RESNET_STUDIO_STARTUP_PROBE": "quit:3"})
        expect("the app, offscreen for 3 s, then closed", app, "window exposed at" in app.stdout)

    files = [p for p in bundle.rglob("*") if p.is_file()]
    cuda = sorted({p.name for p in files if p.name.startswith(FORBIDDEN)})
    tools = sorted({part for p in files for part in p.relative_to(bundle).parts[:-1] if part in TEST_TOOLS})
    headers = [p for p in files if p.suffix in (".h", ".hpp", ".cuh")]
    torch_tests = sorted(p.name for p in files if p.parent.name == "bin" and p.name.startswith("test_"))
    for label, found in (
        ("CUDA libraries", cuda),
        ("test tools", tools),
        ("C/C++ headers", headers[:5]),
        ("torch test programs", torch_tests),
    ):
        print(f"  {'ok' if not found else 'FAILED':6} no {label}")
        if found:
            failures.append(f"the bundle holds {label}: {found}")
    return failures


def main() -> int:
    """Check the bundle named on the command line."""
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    bundle = Path(sys.argv[1])
    print(f"smoke test of {bundle}:")
    failures = check(bundle)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print("PASS" if not failures else f"{len(failures)} FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
