"""``tandem ingest``: bring the knowledge base in line with files, directories and URL lists."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from knowledge.ingest import IngestReport

__all__ = ["ingest_command", "print_report"]


def print_report(report: IngestReport, console: Console) -> None:
    """The end-of-run summary: sources, chunk changes, skipped files, time."""
    table = Table(title="Knowledge ingestion", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("sources seen", str(report.sources_seen))
    table.add_row("sources unchanged", str(report.sources_unchanged))
    table.add_row("sources new or changed", str(report.sources_changed))
    table.add_row("sources removed", str(report.sources_removed))
    table.add_row("chunks added", str(report.chunks_added))
    table.add_row("chunks updated", str(report.chunks_updated))
    table.add_row("chunks removed", str(report.chunks_removed))
    table.add_row("skipped", str(len(report.skipped)))
    table.add_row("time", f"{report.seconds:.2f} s")
    console.print(table)
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {skipped.source}: {skipped.reason}")


def ingest_command(
    paths: list[str] = typer.Argument(
        ..., help="Files, directories, http(s) URLs, or text files listing one URL per line."
    ),
    prune: bool = typer.Option(
        True, "--prune/--no-prune", help="Delete sources gone from an ingested directory or URL list."
    ),
    max_size_mb: float = typer.Option(20.0, help="Skip sources larger than this many MB."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Ingest help-centre documents into the knowledge base (unchanged sources cost nothing)."""
    from knowledge.base import KnowledgeBase

    console = Console(stderr=True)
    knowledge_base = KnowledgeBase()
    report = knowledge_base.ingest(
        paths,
        prune=prune,
        max_bytes=int(max_size_mb * 1024 * 1024),
        console=None if quiet else console,
    )
    print_report(report, Console())
