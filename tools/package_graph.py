#!/usr/bin/env python3
"""The package graph of src/, read from the package.xml files: written into docs/architecture.md
(a Mermaid diagram, which GitHub draws) and checked against the layering rule.

    tools/package_graph.py           # rewrite the diagram in docs/architecture.md
    tools/package_graph.py --check   # fail if the diagram is stale or a layer rule is broken

The rule: what a robot deploys depends on no simulator, training or evaluation package, and no
package depends on one of a later layer (robot -> simulation -> research -> bring-up).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import xml.etree.ElementTree as ElementTree

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- package graph: begin -->", "<!-- package graph: end -->"
DEPEND_TAGS = ("depend", "exec_depend", "build_depend", "build_export_depend")

# Layer of each package, in dependency order: a package may depend on its own layer and earlier.
LAYERS: dict[str, tuple[str, ...]] = {
    "robot": (
        "filmnav_interfaces",
        "nav2_msgs",
        "tf2_msgs",
        "filmnav_common",
        "filmnav_language",
        "frontier_mapper",
        "filmnav_policy",
        "filmnav_detection",
        "goal_interface",
    ),
    "simulation": ("filmnav_sim", "habitat_bridge"),
    "research": ("filmnav_learning",),
    "bring-up": ("filmnav_bringup",),
}
LAYER_OF = {package: layer for layer, packages in LAYERS.items() for package in packages}
ORDER = list(LAYERS)


def read_packages(src: pathlib.Path) -> dict[str, set[str]]:
    """Package name -> the names it depends on (every dependency tag)."""
    graph: dict[str, set[str]] = {}
    for manifest in sorted(src.glob("*/package.xml")):
        root = ElementTree.parse(manifest).getroot()
        name = root.findtext("name", "").strip()
        graph[name] = {
            element.text.strip()
            for tag in DEPEND_TAGS
            for element in root.iter(tag)
            if element.text
        }
    return graph


def project_edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (package, dep) for package, deps in graph.items() for dep in deps if dep in graph
    )


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    problems = [
        f"{name}: no layer in tools/package_graph.py" for name in graph if name not in LAYER_OF
    ]
    for package, dependency in project_edges(graph):
        if package in LAYER_OF and dependency in LAYER_OF:
            if ORDER.index(LAYER_OF[dependency]) > ORDER.index(LAYER_OF[package]):
                problems.append(
                    f"{package} ({LAYER_OF[package]}) depends on {dependency} "
                    f"({LAYER_OF[dependency]})"
                )
    return problems


def mermaid(graph: dict[str, set[str]]) -> str:
    """The graph as a Mermaid flowchart, one box per layer; arrows point at dependencies."""
    lines = ["```mermaid", "flowchart BT"]
    for layer in ORDER:
        members = [name for name in LAYERS[layer] if name in graph]
        lines.append(f'  subgraph {layer.replace("-", "_")}["{layer}"]')
        lines += [f"    {name}" for name in members]
        lines.append("  end")
    lines += [f"  {package} --> {dependency}" for package, dependency in project_edges(graph)]
    lines.append("```")
    return "\n".join(lines)


def updated_document(text: str, diagram: str) -> str:
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOC.relative_to(ROOT)} lacks the markers {BEGIN} ... {END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{diagram}\n{END}{tail}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check only, change nothing")
    args = parser.parse_args(argv)
    graph = read_packages(ROOT / "src")
    problems = layer_violations(graph)
    current = DOC.read_text()
    wanted = updated_document(current, mermaid(graph))
    if args.check and wanted != current:
        problems.append(f"{DOC.relative_to(ROOT)} is stale: run tools/package_graph.py")
    if not args.check and wanted != current:
        DOC.write_text(wanted)
    for problem in problems:
        print(f"package graph: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
