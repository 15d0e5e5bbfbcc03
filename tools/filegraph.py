#!/usr/bin/env python3
"""filegraph.py — the graph of src/ files, and the rules it must keep.

Two graphs are derived, both from what the compiler sees rather than from
names in comments:

  includes  file → header, from every `#include "…"` of src/*.c and src/*.h;
  uses      A.c → B.c when A's object file uses (calls, or takes the address
            of) a function or object that B's object file defines, from
            `nm` over build/obj/*.o (the static library's members).

Checked:

  1. no cycle among headers (includes), and none among .c files (uses);
  2. only the device table (device.c) uses what a device file (dev_*.c)
     defines: the layout and the documents reach a device through
     struct device, never by name;
  3. the layout (page.c, para.c, layout.c, table.c, chart.c, furniture.c) uses
     nothing a device file defines, and no device uses the layout.

Usage: tools/filegraph.py [--src DIR] [--obj DIR] [--dot] [--edges]
Prints "filegraph: ok" (exit 0), or each broken rule (exit 1).
--edges prints the uses graph, one "A.c -> B.c (symbol, ...)" per line;
--dot prints it for Graphviz.
"""
import argparse
import os
import re
import subprocess
import sys

LAYOUT = {"page.c", "para.c", "layout.c", "table.c", "chart.c", "furniture.c"}
DEVICE_TABLE = "device.c"


def is_device(name):
    return name.startswith("dev_") and name.endswith(".c")


def include_graph(src):
    graph = {}
    for name in sorted(os.listdir(src)):
        if not name.endswith((".c", ".h", ".def")):
            continue
        with open(os.path.join(src, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        graph[name] = sorted(set(re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)))
    return graph


def symbols(obj):
    """Defined and used global symbols of each object file."""
    defined, used = {}, {}
    for name in sorted(os.listdir(obj)):
        if not name.endswith(".o"):
            continue
        out = subprocess.run(["nm", "-g", os.path.join(obj, name)], check=True,
                             capture_output=True, text=True).stdout
        c = name[:-2] + ".c"
        defined[c], used[c] = set(), set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                used[c].add(parts[1])
            elif len(parts) == 3 and parts[1] not in ("U", "w", "v"):
                defined[c].add(parts[2])
    return defined, used


def uses_graph(defined, used):
    owner = {}
    for c, syms in defined.items():
        for s in syms:
            owner[s] = c
    graph = {}
    for c, syms in used.items():
        for s in syms:
            d = owner.get(s)
            if d is not None and d != c:
                graph.setdefault(c, {}).setdefault(d, set()).add(s)
    return graph


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
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
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=os.path.join(top, "src"))
    ap.add_argument("--obj", default=os.path.join(top, "build", "obj"))
    ap.add_argument("--dot", action="store_true")
    ap.add_argument("--edges", action="store_true")
    a = ap.parse_args()

    inc = include_graph(a.src)
    defined, used = symbols(a.obj)
    sources = {n for n in os.listdir(a.src) if n.endswith(".c")}
    # only what src/ builds (schemas.c is generated; main.c is not in the library)
    graph = {c: {d: s for d, s in ds.items() if d in sources}
             for c, ds in uses_graph(defined, used).items() if c in sources}

    if a.dot:
        print("digraph src {")
        for c in sorted(graph):
            for d in sorted(graph[c]):
                print('  "%s" -> "%s";' % (c, d))
        print("}")
        return 0
    if a.edges:
        for c in sorted(graph):
            for d in sorted(graph[c]):
                print("%s -> %s (%s)" % (c, d, ", ".join(sorted(graph[c][d]))))
        return 0

    bad = []
    headers = {f: [h for h in deps if h in inc] for f, deps in inc.items()}
    for comp in cycles(headers):
        bad.append("include cycle: " + " -> ".join(comp))
    for comp in cycles({c: set(d) for c, d in graph.items()}):
        bad.append("use cycle: " + " <-> ".join(comp))
    for c in sorted(graph):
        for d in sorted(graph[c]):
            syms = ", ".join(sorted(graph[c][d]))
            if is_device(d) and c != DEVICE_TABLE:
                bad.append("%s names the device %s (%s): only %s may"
                           % (c, d, syms, DEVICE_TABLE))
            if c in LAYOUT and is_device(d):
                bad.append("the layout (%s) uses the device %s (%s)" % (c, d, syms))
            if is_device(c) and d in LAYOUT:
                bad.append("the device %s uses the layout (%s: %s)" % (c, d, syms))
    if not any(is_device(c) for c in sources) or DEVICE_TABLE not in sources:
        bad.append("no device table (%s) or no device file (dev_*.c) in %s"
                   % (DEVICE_TABLE, a.src))
    for b in bad:
        print("filegraph: " + b)
    if not bad:
        n = sum(len(d) for d in graph.values())
        print("filegraph: ok (%d files, %d use edges, %d include edges, no cycle)"
              % (len(sources), n, sum(len(v) for v in headers.values())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
