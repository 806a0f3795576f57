#!/usr/bin/env python3
"""Fails when top-level modules of backend/src import each other in a cycle.

A module's dependencies are the other top-level modules it names through
`crate::<module>` (in `use` lines, grouped `use crate::{…}` lists and inline
paths). Dependencies must point one way, down: any cycle between top-level
modules is reported with the files and lines that close it.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "backend" / "src"
ROOTS = {"lib.rs", "main.rs"}


def top_module(path: Path) -> str | None:
    rel = path.relative_to(SRC)
    if len(rel.parts) == 1:
        return None if rel.name in ROOTS else rel.stem
    return rel.parts[0]


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def grouped_names(body: str) -> list[str]:
    """Top-level names in the body of `crate::{…}` (depth-1 items only)."""
    names, depth, item = [], 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            names.append(item)
            item = ""
            continue
        if depth == 0 and ch not in "{}":
            item += ch
    names.append(item)
    out = []
    for name in names:
        match = re.match(r"\s*(\w+)", name)
        if match and match.group(1) != "self":
            out.append(match.group(1))
    return out


def references(text: str):
    """Yields (module, offset) for every `crate::module` reference."""
    for match in re.finditer(r"\bcrate::\{", text):
        start, depth, i = match.end(), 1, match.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        for name in grouped_names(text[start : i - 1]):
            yield name, match.start()
    for match in re.finditer(r"\bcrate::(\w+)", text):
        yield match.group(1), match.start()


def graph():
    modules = {top_module(p) for p in SRC.rglob("*.rs")} - {None}
    edges = defaultdict(lambda: defaultdict(list))
    for path in sorted(SRC.rglob("*.rs")):
        source = top_module(path)
        if source is None:
            continue
        text = strip_comments(path.read_text())
        for target, offset in references(text):
            if target in modules and target != source:
                line = text.count("\n", 0, offset) + 1
                edges[source][target].append(f"{path.relative_to(SRC.parent.parent)}:{line}")
    return modules, edges


def cycles(modules, edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    modules, edges = graph()
    found = cycles(modules, edges)
    if "--graph" in sys.argv:
        for source in sorted(edges):
            print(f"{source} -> {', '.join(sorted(edges[source]))}")
    if not found:
        print(f"module layering: {len(modules)} top-level modules, no import cycles")
        return 0
    for component in found:
        print(f"import cycle between top-level modules: {' ↔ '.join(component)}", file=sys.stderr)
        members = set(component)
        for source in component:
            for target, places in sorted(edges[source].items()):
                if target in members:
                    print(f"  {source} -> {target}: {', '.join(places[:3])}"
                          + (f" (+{len(places) - 3} more)" if len(places) > 3 else ""), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
