"""The typed YAML config loader shared by datagen, training and evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from filmnav_common.config import ConfigError, load_config


@dataclass
class Inner:
    name: str
    weight: float = 1.0


@dataclass
class Recipe:
    output_dir: str
    steps: int = 10
    lr: float = 0.1
    threads: int | None = None
    tasks: list[str] = field(default_factory=list)
    mixture: dict[str, float] = field(default_factory=dict)
    inner: Inner | None = None

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError("steps must be at least 1")


def write(tmp_path, text: str):
    path = tmp_path / "recipe.yaml"
    path.write_text(text)
    return path


def test_values_are_typed_nested_and_overridden(tmp_path):
    path = write(
        tmp_path,
        "output_dir: runs/x\nlr: 1\ntasks: [object, text]\nmixture: {oracle: 1, nearest: 0.5}\n"
        "inner: {name: compact}\n",
    )
    recipe = load_config(Recipe, path, {"steps": 5, "threads": None})
    assert recipe == Recipe(
        "runs/x",
        5,
        1.0,
        None,
        ["object", "text"],
        {"oracle": 1.0, "nearest": 0.5},
        Inner("compact"),
    )
    assert isinstance(recipe.lr, float) and isinstance(recipe.mixture["oracle"], float)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("output_dir: x\nstesp: 3\n", "unknown keys \\['stesp'\\]"),
        ("output_dir: x\nsteps: many\n", "steps: expected int, got 'many'"),
        ("output_dir: x\nsteps: true\n", "steps: expected int, got True"),
        ("output_dir: x\ntasks: object\n", "tasks: expected a list"),
        ("output_dir: x\nsteps: 0\n", "steps must be at least 1"),
        ("steps: 3\n", "missing 1 required positional argument: 'output_dir'"),
        ("output_dir: x\ninner: {name: 3}\n", "name: expected str, got 3"),
        ("- a list\n", "expected a mapping of keys at the top level"),
        ("output_dir: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_files_fail_naming_the_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(Recipe, path)
    assert str(path) in str(caught.value)


def test_the_project_recipes_load():
    from processes import REPO_ROOT

    from filmnav_learning.datagen import load_config as load_datagen
    from filmnav_learning.train import load_config as load_train

    assert load_datagen(REPO_ROOT / "configs/datagen.yaml").workers >= 1
    for recipe in sorted((REPO_ROOT / "configs").glob("train_*.yaml")):
        assert load_train(recipe).steps > 0
