"""Lessons as data: the shipped ones are complete and honest (every figure computed live), and a malformed lesson
file gives one clear message naming the lesson, the step and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from resnet_studio.core import Graph, analyze, preset
from resnet_studio.core.lessons import (
    ACTIONS,
    Lesson,
    LessonError,
    formula_html,
    load_lesson_file,
    paragraph_html,
    parse_lesson,
    shipped_lessons,
)
from resnet_studio.core.lessons.commands import StepError, step_command
from resnet_studio.core.lessons.figures import FigureContext, FigureError, placeholders
from resnet_studio.core.lessons.markup import MarkupError

LESSONS = shipped_lessons()

BARE_FIGURES = [
    re.compile(
        r"\d[\d.,\u2009 ]*\s*(?:[kMGT]\s*)?(?:params|parameters|weights|MACs|GMACs|MMACs|FLOPs|GFLOPs)\b"
    ),
    re.compile(r"\d[\d.,]*\s*(?:[KMGT]iB|bytes)\b"),
    re.compile(r"\d[\d.,]*\s*%"),
    re.compile(r"\d+\.\d+\s*[kMG]\b"),
    re.compile(r"\d[\d.]*\s*[×x](?!\d)"),
    re.compile(r"\b\d+x\d+x\d+\b"),  # a feature-map shape
]
"""Figures the analysis computes (parameters, MACs, memory, ratios, shapes) typed as literals."""


def network_after(lesson: Lesson, index: int, start: Graph) -> Graph:
    """The network as step `index` leaves it, replayed as Back and Reset step do (core edits only)."""
    graph = start
    for action in lesson.replay(index):
        if action.spec.loads:
            graph = preset(action.text("preset"))
        elif action.spec.edits:
            command = step_command(graph, analyze(graph), action)
            if command is not None:
                command.do(graph)
    return graph


def test_at_least_the_six_lessons_in_teaching_order() -> None:
    assert [lesson.id for lesson in LESSONS][:6] == [
        "residual",
        "projection",
        "bottleneck",
        "gradient-flow",
        "landscape",
        "degradation",
    ]
    assert all(len(lesson) >= 3 for lesson in LESSONS)
    used = {step.action.name for lesson in LESSONS for step in lesson.steps}
    assert {"open_preset", "expand", "set_param", "apply_fix", "show_code", "compare"} <= used
    assert {"gradient_flow", "landscape", "race"} <= used


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_every_figure_resolves_and_none_is_typed(lesson: Lesson) -> None:
    graph = preset("resnet18")
    for index, step in enumerate(lesson.steps):
        graph = network_after(lesson, index, graph)
        context = FigureContext(graph, analyze(graph))
        for paragraph in step.text:
            for figure in placeholders(paragraph):
                context.value(figure)  # raises FigureError when it names what the network lacks
            typed = re.sub(r"\{[^{}]*\}", "", paragraph)
            for pattern in BARE_FIGURES:
                assert not pattern.search(typed), f"step {index + 1} types a figure: {pattern.search(typed)}"
        assert placeholders(" ".join(step.text)) or step.action.name not in ("open_preset",), step.title


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_formulas_are_drawn_not_left_as_source(lesson: Lesson) -> None:
    for step in lesson.steps:
        rendered = formula_html(step.formula) + "".join(paragraph_html(p) for p in step.text)
        assert "$" not in rendered and "\\" not in rendered
        assert not re.search(r"[_^]\{|\b[A-Za-z]_[A-Za-z]\b|\^", rendered), rendered
        for tag in ("i", "b", "sub", "sup", "span"):
            assert rendered.count(f"<{tag}>") + rendered.count(f"<{tag} ") == rendered.count(f"</{tag}>")


def test_formula_markup() -> None:
    assert (
        formula_html("H(x) = F(x) + W_s x")
        == "<i>H</i>(<i>x</i>) = <i>F</i>(<i>x</i>) + <i>W</i><sub><i>s</i></sub> <i>x</i>"
    )
    assert formula_html(r"|\lambda_{min} / \lambda_{max}|") == "|λ<sub>min</sub> / λ<sub>max</sub>|"
    assert formula_html("ReLU(x^2) - 1") == "ReLU(<i>x</i><sup>2</sup>) \u2212 1"
    assert formula_html(r"\|g\| -> 0") == "\u2016<i>g</i>\u2016 \u2192 0"
    assert paragraph_html("a **b** *c* $x<y$ & d") == (
        "a <b>b</b> <i>c</i> <span style='white-space:nowrap'><i>x</i>&lt;<i>y</i></span> &amp; d"
    )
    for bad in ("x_", "{x", "x}", r"\nosuch"):
        with pytest.raises(MarkupError):
            formula_html(bad)
    with pytest.raises(MarkupError):
        paragraph_html("an $unclosed formula")


def test_figures_of_nodes_stages_layers_presets_and_variants() -> None:
    graph = preset("resnet18")
    context = FigureContext(graph, analyze(graph))
    assert context.value("{params:total}") == "11.69 M"
    assert context.value("{params:layer2.0.downsample.0}") == "8\u2009192"
    assert context.value("{shape:layer3}") == "256x14x14"
    assert context.value("{macs:total@resnet50}") == "4.09 GMACs"
    assert context.value("{ratio:macs:resnet50/resnet34}") == "1.12×"
    assert context.value("{increase:macs:resnet50/resnet34}") == "12%"
    assert context.value("{diff:params:layer2.0/layer2.0[shortcut=zero-pad]}") == "8\u2009448"
    assert context.value("{ratio:channels:layer3.1@resnet50/layer3.1@resnet34}") == "4×"
    assert context.value("{rf:total}") == "435"
    for bad, says in (
        ("{params:layer9.9}", "no block, stage or layer named 'layer9.9'"),
        ("{params:total@resnet99}", "no preset 'resnet99'"),
        ("{mass:total}", "unknown figure 'mass'"),
        ("{ratio:shape:a/b}", "shape is not a number"),
        ("{ratio:params:total}", "compares two figures"),
        ("{params:layer2.0[stride=9]}", "Stride: expected an integer from 1 to 4"),
    ):
        with pytest.raises(FigureError, match=re.escape(says)):
            context.value(bad)
    assert context.fill("{params:layer1}", lambda s: f"<b>{s}</b>") == "<b>147.97 k</b>"


def test_replay_starts_at_the_last_network_load() -> None:
    lesson = next(lesson for lesson in LESSONS if lesson.id == "projection")
    assert [a.name for a in lesson.replay(0)] == ["open_preset"]
    assert [a.name for a in lesson.replay(3)] == ["open_preset", "set_param", "apply_fix", "set_param"]
    assert [a.name for a in lesson.replay(4)] == [
        "open_preset",
        "set_param",
        "apply_fix",
        "set_param",
        "show_code",
    ]
    assert [a.name for a in lesson.replay(6)] == [
        "open_preset",
        "show_code",
    ]  # show_code of step 5 is not replayed


def test_step_edits_are_core_commands_that_undo() -> None:
    graph = preset("resnet56")
    action = next(
        s.action
        for s in next(x for x in LESSONS if x.id == "gradient-flow").steps
        if s.action.name == "set_param"
    )
    command = step_command(graph, analyze(graph), action)
    assert command is not None
    command.do(graph)
    assert {n.params["norm"] for n in graph.nodes if "norm" in n.params} == {"none"}
    command.undo(graph)
    assert {n.params["norm"] for n in graph.nodes if "norm" in n.params} == {"batchnorm"}
    fix = parse_lesson(_lesson(action={"do": "apply_fix", "node": "layer2.0"}), "fix.json").steps[0].action
    with pytest.raises(StepError, match="has no problem to fix"):
        step_command(graph, analyze(graph), fix)
    missing = parse_lesson(_lesson(action={"do": "select", "node": "layer9"}), "m.json").steps[0].action
    edit = parse_lesson(
        _lesson(action={"do": "set_param", "node": "layer9", "param": "skip", "value": False}), "e.json"
    )
    with pytest.raises(StepError, match="no block named 'layer9'; Reset step"):
        step_command(graph, analyze(graph), edit.steps[0].action)
    assert missing.name == "select"


def _lesson(**step: object) -> str:
    base = {"title": "T", "text": "Some text.", "action": {"do": "fit"}}
    base.update(step)
    return json.dumps({"title": "A lesson", "summary": "What it is.", "steps": [base]})


@pytest.mark.parametrize(
    ("text", "step", "field", "says"),
    [
        ("{", None, None, "not valid JSON at line 1"),
        ("[]", None, None, "expected a JSON object"),
        ('{"title": "T", "summary": "S", "steps": []}', None, "steps", "at least one step"),
        ('{"title": "", "summary": "S", "steps": []}', None, "title", "non-empty text"),
        ('{"title": "T", "summary": "S", "steps": [{}], "colour": 1}', None, "colour", "unknown field"),
        (_lesson(action={"do": "dance"}), 1, "action.do", "unknown action 'dance'; the actions are"),
        (_lesson(action={"do": "open_preset"}), 1, "action.preset", "open_preset needs 'preset'"),
        (
            _lesson(action={"do": "open_preset", "preset": "resnet19"}),
            1,
            "action.preset",
            "no preset 'resnet19'",
        ),
        (_lesson(action={"do": "open_panel", "panel": "magic"}), 1, "action.panel", "unknown panel 'magic'"),
        (_lesson(action={"do": "fit", "node": "x"}), 1, "action.node", "fit takes no arguments, not 'node'"),
        (
            _lesson(action={"do": "set_param", "node": "a", "param": "colour", "value": 1}),
            1,
            "action.param",
            "no block has a parameter 'colour'",
        ),
        (
            _lesson(action={"do": "set_param", "node": "a", "param": "stride", "value": 0}),
            1,
            "action.value",
            "Stride: expected an integer from 1 to",
        ),
        (
            _lesson(action={"do": "race", "networks": ["resnet20"]}),
            1,
            "action.networks",
            "two to four preset names",
        ),
        (_lesson(action={"do": "landscape", "grid": 0}), 1, "action.grid", "whole number from 1"),
        (_lesson(text=["fine", "{params:nothing here}"]), 1, "text[2]", "no spaces inside"),
        (_lesson(text="{mass:total}"), 1, "text", "unknown figure 'mass'"),
        (_lesson(text="an $open formula"), 1, "text", "without its closing '$'"),
        (_lesson(text="$x + {params:total}$"), 1, "text", "a {figure} inside a $formula$"),
        (_lesson(text=r"a \lambda outside"), 1, "text", "backslash outside a $formula$"),
        (_lesson(formula=r"\foo"), 1, "formula", "unknown symbol"),
        (_lesson(text=[]), 1, "text", "a paragraph or a list of paragraphs"),
        (_lesson(action="fit"), 1, "action", "expected an object like"),
    ],
)
def test_a_malformed_lesson_names_the_lesson_the_step_and_the_field(
    text: str, step: int | None, field: str | None, says: str
) -> None:
    with pytest.raises(LessonError) as caught:
        parse_lesson(text, "mine.json")
    error = caught.value
    assert (error.lesson, error.step, error.field) == ("mine.json", step, field)
    message = str(error)
    assert message.startswith("lesson 'mine.json'") and says in message and "\n" not in message
    if step is not None:
        assert f", step {step}, field {field!r}: " in message


def test_a_second_step_is_counted_from_one(tmp_path: Path) -> None:
    data = json.loads(_lesson())
    data["steps"].append({"title": "Two", "text": "x", "action": {"do": "select"}})
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data))
    with pytest.raises(
        LessonError, match=r"^lesson 'two\.json', step 2, field 'action\.node': select needs 'node'"
    ):
        load_lesson_file(path)


def test_lesson_files_that_are_not_lessons(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="there is no such file"):
        load_lesson_file(tmp_path / "none.json")
    with pytest.raises(LessonError, match="not a regular file"):
        load_lesson_file(tmp_path)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LessonError, match=r"lesson 'bin\.json'"):
        load_lesson_file(binary)
    good = tmp_path / "mine.json"
    good.write_text(_lesson())
    lesson = load_lesson_file(good)
    assert (lesson.id, lesson.title, len(lesson)) == ("mine", "A lesson", 1)


def test_every_declared_action_can_be_written_in_a_lesson() -> None:
    samples = {
        "open_preset": {"preset": "resnet18"},
        "open_example": {"example": "resnet18"},
        "select": {"node": "layer1.0"},
        "expand": {"node": "layer1.0"},
        "set_param": {"node": "*", "param": "skip", "value": False},
        "apply_fix": {"node": "layer2.0"},
        "open_panel": {"panel": "summary"},
        "show_code": {"node": "layer1.0"},
        "compare": {"preset": "resnet34"},
        "race": {"networks": ["resnet20", "resnet56"], "steps": 50},
        "landscape": {"other": "resnet20_plain", "grid": 11},
    }
    for name in ACTIONS:
        action = {"do": name, **samples.get(name, {})}
        assert parse_lesson(_lesson(action=action), "x.json").steps[0].action.name == name


@pytest.mark.parametrize(
    "typed",
    [
        "costs 1.81 GMACs",
        "11.69 M parameters",
        "8,448 params",
        "only 12% more",
        "1.12x the MACs",
        "48.1 MiB",
        "64x56x56",
    ],
)
def test_the_typed_figure_check_catches_typed_figures(typed: str) -> None:
    assert any(pattern.search(typed) for pattern in BARE_FIGURES)
    assert not any(
        pattern.search(s) for pattern in BARE_FIGURES for s in ("a 3x3 convolution", "ResNet-50", "1x1")
    )
