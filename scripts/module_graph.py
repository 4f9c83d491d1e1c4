#!/usr/bin/env python3
"""The library's module graph: which `src/` module uses which, and every import cycle.

A module is a file under src/ (`src/engine/step.rs` is `engine::step`, a `mod.rs` is its
folder's module). An edge A -> B means A's code names `crate::B…` (in a `use` or a path).
Tests (`tests.rs`, `#[cfg(test)]` blocks) and the binary's `src/cli/` and `src/main.rs` are
left out: the binary sits on top of the library by construction.

Usage: python3 scripts/module_graph.py [--top]   (--top: folders collapsed into one node)
Exit code 1 when there is a cycle outside `typeset/`.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
top = "--top" in sys.argv


def module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return "::".join(rel)


def strip_tests(text):
    # Drop `#[cfg(test)] mod … { … }` blocks (brace-matched).
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


modules = {}
for dirpath, _, files in os.walk(ROOT):
    for f in files:
        if not f.endswith(".rs") or f in ("tests.rs", "main.rs", "lib.rs"):
            continue
        p = os.path.join(dirpath, f)
        m = module_of(p)
        if m == "cli" or m.startswith("cli::"):
            continue
        text = strip_tests(open(p, encoding="utf-8").read())
        # Comments (doc links included) are not imports.
        text = re.sub(r"//[^\n]*", "", text)
        modules[m] = text

names = set(modules)


def resolve(path):
    """The longest known module that `crate::path` starts with."""
    parts = path.split("::")
    for n in range(len(parts), 0, -1):
        cand = "::".join(parts[:n])
        if cand in names:
            return cand
    return None


def node(m):
    return m.split("::")[0] if top else m


edges = {}
for m, text in modules.items():
    targets = set()
    # `crate::a::b`, and grouped `use crate::{a, b::c}` / `use crate::a::{b, c}`.
    for g in re.finditer(r"crate::((?:\w+::)*)\{([^}]*)\}", text):
        for item in g.group(2).split(","):
            item = item.strip().split(" as ")[0]
            if item and item != "self":
                targets.add(g.group(1) + item)
            elif item == "self":
                targets.add(g.group(1).rstrip(":"))
    for p in re.finditer(r"crate::((?:\w+)(?:::\w+)*)", text):
        targets.add(p.group(1))
    # `super::x` from a file inside a folder.
    parent = m.rsplit("::", 1)[0] if "::" in m else None
    is_mod_rs = any(k.startswith(m + "::") for k in names)
    base = m if is_mod_rs else parent
    for p in re.finditer(r"super::(\w+)", text):
        if base is not None:
            targets.add(f"{base}::{p.group(1)}")
    for t in targets:
        r = resolve(t)
        if r and node(r) != node(m):
            edges.setdefault(node(m), set()).add(node(r))

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted({node(m) for m in modules}):
    if v not in index:
        visit(v)

for m in sorted(edges):
    print(f"{m} -> {', '.join(sorted(edges[m]))}")
print()
bad = [c for c in sccs if not all(x == "typeset" or x.startswith("typeset::") for x in c)]
for c in sccs:
    print("cycle:", " <-> ".join(c))
print(f"{len(sccs)} cycle(s), {len(bad)} outside typeset/")
sys.exit(1 if bad else 0)
