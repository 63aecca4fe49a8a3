"""``python -m bench``: the benchmarks, what each measures and the command that runs it."""

from __future__ import annotations

import ast
from pathlib import Path

from rich.console import Console
from rich.table import Table


def benchmarks(folder: Path = Path(__file__).parent) -> list[tuple[str, str]]:
    """(module, first line of its docstring) of every runnable benchmark in ``folder``."""
    found = []
    for path in sorted(folder.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.stem.startswith("_") or 'if __name__ == "__main__"' not in source:
            continue  # helpers (load generators, clients) have no entry point of their own
        summary = (ast.get_docstring(ast.parse(source)) or "").split("\n")[0]
        found.append((f"bench.{path.stem}", summary))
    return found


def main() -> None:
    table = Table(
        "command", "what it measures", title="Tandem benchmarks (each prints its figures and its baseline)"
    )
    for module, summary in benchmarks():
        table.add_row(f"python -m {module}", summary)
    Console().print(table)
    Console().print("Each takes --help; bench/RPA.md and the README's Figures table have the latest results.")


if __name__ == "__main__":
    main()
