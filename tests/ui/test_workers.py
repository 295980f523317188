"""What every worker shares: an unexpected error is printed and said in one line, and a cancel is kept."""

from __future__ import annotations

import pytest

from resnet_studio.core.analysis import RunSettings
from resnet_studio.core.presets import preset
from resnet_studio.results.run import ForwardResult
from resnet_studio.results.run_request import RunRequest
from resnet_studio.ui.workers.forward import ForwardWorker
from resnet_studio.ui.workers.landscape import LandscapeWorker
from resnet_studio.ui.workers.race import RaceWorker


def test_an_unexpected_error_in_a_run_is_printed_and_said_in_one_line(
    qapp: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import resnet_studio.engine.run as engine_run

    def broken(*_args: object, **_kwargs: object) -> ForwardResult:
        raise KeyError("fc")

    monkeypatch.setattr(engine_run, "run_request", broken)
    worker = ForwardWorker(RunRequest(preset("resnet20").snapshot(), RunSettings()))
    got: list[ForwardResult] = []
    worker.finished.connect(got.append)
    worker.run()
    (result,) = got
    assert result.error is not None
    assert result.error.message == "the run stopped with an unexpected error: KeyError: 'fc'"
    assert "Traceback" in capsys.readouterr().err  # the whole story, for a bug report


def test_a_cancel_is_kept_by_every_stoppable_job(qapp: object) -> None:
    request = RunRequest(preset("resnet20").snapshot(), RunSettings())
    for worker in (ForwardWorker(request), LandscapeWorker(None), RaceWorker({}, None, None)):  # type: ignore[arg-type]
        assert not worker.cancelled
        worker.cancel()
        assert worker.cancelled
