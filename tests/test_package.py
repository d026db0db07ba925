"""The package's shape: no import cycles (lazy imports included), no module past ~300 lines."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "xeonsr"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the xeonsr modules it imports anywhere in its body (lazy imports too)."""
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph[n]):
            if d.startswith(n + "."):
                continue  # a package importing its own submodules is not a cycle
            if state.get(d) == 1:
                return stack[stack.index(d) :] + [d]
            if d not in state and (c := visit(d)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_xeonsr():
    graph = import_graph()
    assert "xeonsr.runtime" in graph and "xeonsr.irs" in graph["xeonsr.runtime"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_store_and_the_runtime_sit_below_the_commands():
    graph = import_graph()
    assert not graph["xeonsr.irs"] - {
        "xeonsr.errors",
        "xeonsr.fileio",
        "xeonsr.info",
        "xeonsr.installed",
        "xeonsr.shipped",
    }
    assert "xeonsr.export" not in graph["xeonsr.runtime"] and "xeonsr.cli" not in graph["xeonsr.bench"]
    for name, deps in graph.items():
        if name.startswith("xeonsr.commands"):
            assert "xeonsr.cli" not in deps, name  # commands never reach back up to the CLI
        elif name == "xeonsr.__main__":
            assert deps == {"xeonsr.cli"}  # `python -m xeonsr`: the CLI, above everything
        else:
            assert not {d for d in deps if d.startswith("xeonsr.commands") or d == "xeonsr.cli"}, name


def test_no_module_over_300_lines():
    long = {p.name: n for p in PKG.rglob("*.py") if (n := len(p.read_text().splitlines())) > 300}
    assert not long, long
