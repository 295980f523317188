#!/usr/bin/env bash
# One short check of the engine on a CUDA machine (a few minutes on one H100/H200 with torch preinstalled):
#   1. install this package without touching torch (offline: psygnal/torchinfo from .whl/ when carried),
#   2. run the CUDA-marked tests (devices, event timing, max_memory_allocated, bf16/fp16, a real out-of-memory),
#   3. ResNet-50 forward, built vs torchvision-style reference, batch 1 and 32, float32 and bfloat16,
#   4. capture overhead on the GPU, and the out-of-memory message a user would see.
# Run from anywhere: bash bench/engine_cuda_check.sh   (set PYTHON to pick the interpreter; OUT to keep logs;
# ENGINE_CHECK_NO_INSTALL=1 to use the source tree instead of installing it)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOG=${OUT:-/tmp}/engine_cuda_check.log
: >"$LOG"
say() { printf '\n== %s\n' "$*" | tee -a "$LOG"; }

say "setup"
"$PY" -c "import torch; print('torch', torch.__version__, '| cuda', torch.version.cuda, '| devices', torch.cuda.device_count(), '|', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no CUDA')" | tee -a "$LOG"
if ls .whl/*.whl >/dev/null 2>&1; then  # psygnal, torchinfo, pydantic (+ its needs) carried as wheels
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/engine-site .whl/*.whl \
    && export PYTHONPATH="/tmp/engine-site${PYTHONPATH:+:$PYTHONPATH}"
fi
for module in psygnal torchinfo networkx numpy PIL pytest hypothesis; do
  if ! "$PY" -c "import $module" 2>/dev/null; then
    package=$module; [ "$module" = PIL ] && package=pillow
    timeout 60 "$PY" -m pip install -q --no-deps "$package" >/dev/null 2>&1 || echo "missing: $package (carry its wheel in .whl/)" | tee -a "$LOG"
  fi
done
if [ -n "${ENGINE_CHECK_NO_INSTALL:-}" ] || ! timeout 120 "$PY" -m pip install -q --no-deps --no-build-isolation -e . >/dev/null 2>&1; then
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # offline without a build backend: run from the source tree
fi
"$PY" -c "import resnet_studio.engine as e; print('engine imports; devices:', [(d.name, d.title) for d in e.list_devices()])" 2>&1 | tee -a "$LOG"

say "CUDA tests (pytest -m cuda)"
timeout 240 "$PY" -m pytest tests/engine/test_cuda.py -m cuda -q -rs -p no:cacheprovider 2>&1 | tail -n 25 | tee -a "$LOG"

if ! "$PY" -c "import sys, torch; sys.exit(not torch.cuda.is_available())"; then
  say "PyTorch sees no CUDA device here: nothing more to check"; exit 1
fi

say "ResNet-50 forward: built vs torchvision-style reference (target ratio <= 1.03)"
timeout 240 "$PY" bench/engine_forward.py --device cuda:0 --batch 1 32 --dtype float32 bfloat16 --repeats 30 2>&1 | tee -a "$LOG"
timeout 120 "$PY" bench/engine_forward.py --device cuda:0 --batch 32 --dtype bfloat16 --channels-last --repeats 30 2>&1 | tail -n 1 | sed 's/$/   (channels_last)/' | tee -a "$LOG"

say "capture every block vs plain forward on the GPU (target <= 1.15)"
timeout 180 "$PY" bench/engine_capture.py --device cuda:0 --batch 1 8 --repeats 20 2>&1 | tee -a "$LOG"

say "run_forward on cuda:0: ResNet-50 batch 32 bfloat16, and an out-of-memory run"
timeout 180 "$PY" - <<'PYTHON' 2>&1 | tee -a "$LOG"
import torch
from resnet_studio.core import preset
from resnet_studio.engine import build, run_forward
from tests.engine.graphs import chain

net = build(preset("resnet50"))
for dtype in ("float32", "bfloat16"):
    for batch in (1, 32):
        run_forward(net, device="cuda:0", dtype=dtype, batch_size=batch)  # warm-up
        r = run_forward(net, device="cuda:0", dtype=dtype, batch_size=batch)
        if not r.ok:
            print(f"{dtype:8} batch {batch:>2}: {r.status}: {r.error}")
            continue
        slowest = max(r.nodes, key=lambda n: n.time_ms or 0)
        print(f"{dtype:8} batch {batch:>2}: {r.status}, {r.total_ms:7.2f} ms total (with capture), "
              f"nodes sum {sum(n.time_ms or 0 for n in r.nodes):6.2f} ms (CUDA events), slowest {slowest.name} "
              f"{slowest.time_ms:.2f} ms, peak {r.peak_memory_bytes / 2**20:.0f} MiB ({r.memory_measure})")
graph = chain([("Conv2d", {"out_channels": 65536, "kernel_size": 1, "padding": 0})], (3, 64, 64))
batch = int(2 * torch.cuda.get_device_properties(0).total_memory / 2**30) + 1
r = run_forward(graph, device="cuda:0", batch_size=batch, capture_nodes=())
print(f"out of memory at batch {batch}: {r.status}/{r.error.kind if r.error else None}: {r.error}")
again = run_forward(graph, device="cuda:0", batch_size=r.error.suggested_batch // 4 if r.error and r.error.suggested_batch else 2)
print(f"afterwards, batch {again.batch_size}: {again.status}, peak {again.peak_memory_bytes / 2**30:.1f} GiB")
PYTHON
say "torchvision parity on cuda:0 (where torchvision is installed): its state_dict loads strictly, same outputs"
timeout 120 "$PY" - <<'PYTHON' 2>&1 | tee -a "$LOG"
try:
    import torchvision
except Exception as error:  # not every machine has it
    print(f"torchvision not available ({error}); skipped")
    raise SystemExit(0)
import torch
from resnet_studio.core import preset
from resnet_studio.engine import build
for name in ("resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2"):
    reference = getattr(torchvision.models, name)(weights=None).eval().cuda()
    ours = build(preset(name)).eval().cuda()
    keys_match = list(reference.state_dict()) == list(ours.state_dict())
    missing = ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(4, 3, 224, 224, device="cuda")
    with torch.no_grad():
        diff = (reference(x) - ours(x)).abs().max().item()
    print(f"{name:16} torchvision {torchvision.__version__}: keys and order identical: {keys_match}; "
          f"strict load ok; max |difference| {diff:.2e}")
PYTHON
say "done (log: $LOG)"
