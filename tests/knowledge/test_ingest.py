"""Ingestion: skipping bad files, incremental re-ingest, pruning, URL lists, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.cli import ingest_command
from tandem.config import get_settings
from tests.knowledge.conftest import DELIVERY_EN, GIFT_EN, RETURNS_EN, HashingEmbedder

pytestmark = pytest.mark.unit


def embedder_of(kb: KnowledgeBase) -> HashingEmbedder:
    assert isinstance(kb.embedder, HashingEmbedder)
    return kb.embedder


class TestBadFiles:
    def test_bad_files_are_reported_and_do_not_stop_the_run(
        self, helpcentre: Path, hashing_kb: KnowledgeBase
    ) -> None:
        (helpcentre / "en" / "empty.md").write_text("")
        (helpcentre / "en" / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage \x00\x01")
        (helpcentre / "en" / "binary.txt").write_bytes(bytes(range(256)) * 4)
        (helpcentre / "en" / "huge.txt").write_text("word " * 50_000)
        (helpcentre / "en" / "photo.jpg").write_bytes(b"\xff\xd8\xff")

        report = hashing_kb.ingest([str(helpcentre)], max_bytes=100_000)

        reasons = {Path(s.source).name: s.reason for s in report.skipped}
        assert set(reasons) == {"empty.md", "corrupt.pdf", "binary.txt", "huge.txt", "photo.jpg"}
        assert reasons["empty.md"] == "empty"
        assert "corrupt PDF" in reasons["corrupt.pdf"]
        assert "binary" in reasons["binary.txt"] or "UTF-8" in reasons["binary.txt"]
        assert reasons["huge.txt"].startswith("too large")
        assert reasons["photo.jpg"] == "unsupported file type"
        assert report.sources_changed == 4
        assert report.chunks_added == hashing_kb.store.count() == 7

    def test_missing_path_is_reported(self, hashing_kb: KnowledgeBase, tmp_path: Path) -> None:
        report = hashing_kb.ingest([str(tmp_path / "nowhere")])
        assert [s.reason for s in report.skipped] == ["not found"]


class TestIncremental:
    def test_unchanged_corpus_costs_nothing(self, helpcentre: Path, hashing_kb: KnowledgeBase) -> None:
        first = hashing_kb.ingest([str(helpcentre)])
        calls = embedder_of(hashing_kb).calls

        again = hashing_kb.ingest([str(helpcentre)])

        assert first.chunks_added == 7
        assert not again.changed
        assert (again.sources_unchanged, again.chunks_embedded) == (4, 0)
        assert embedder_of(hashing_kb).calls == calls

    def test_a_fresh_process_sees_the_same_manifest(self, helpcentre: Path) -> None:
        KnowledgeBase(get_settings(), embedder=HashingEmbedder()).ingest([str(helpcentre)])
        again = KnowledgeBase(get_settings(), embedder=HashingEmbedder()).ingest([str(helpcentre)])
        assert not again.changed
        assert again.sources_unchanged == 4

    def test_changed_file_replaces_only_its_changed_chunks(
        self, helpcentre: Path, hashing_kb: KnowledgeBase
    ) -> None:
        hashing_kb.ingest([str(helpcentre)])
        before = {c.id: c.text for c in hashing_kb.store.all()}
        path = helpcentre / "en" / "returns-and-refunds.md"
        path.write_text(RETURNS_EN.replace("within 5 working days", "within 3 working days"))

        report = hashing_kb.ingest([str(helpcentre)])

        after = {c.id: c.text for c in hashing_kb.store.all()}
        changed = {i for i in after if before.get(i) != after[i]}
        assert (report.sources_changed, report.sources_unchanged) == (1, 3)
        assert (report.chunks_added, report.chunks_updated, report.chunks_removed) == (0, 1, 0)
        assert report.chunks_embedded == 1
        assert len(changed) == 1
        assert "3 working days" in after[changed.pop()]

    def test_shrinking_file_removes_its_extra_chunks(
        self, helpcentre: Path, hashing_kb: KnowledgeBase
    ) -> None:
        hashing_kb.ingest([str(helpcentre)])
        path = helpcentre / "en" / "delivery-and-shipping.md"
        path.write_text(DELIVERY_EN.split("## How long does delivery take?")[0])

        report = hashing_kb.ingest([str(helpcentre)])

        assert report.chunks_removed == 1
        assert hashing_kb.store.count() == 6
        assert not hashing_kb.search("express delivery next working day", 8, article="x")

    def test_removed_file_is_deleted_from_the_index(
        self, helpcentre: Path, hashing_kb: KnowledgeBase
    ) -> None:
        hashing_kb.ingest([str(helpcentre)])
        (helpcentre / "en" / "gift-cards.md").unlink()

        report = hashing_kb.ingest([str(helpcentre)])

        assert (report.sources_removed, report.chunks_removed) == (1, 1)
        assert hashing_kb.store.count() == 6
        assert all(h.chunk.article != "gift-cards" for h in hashing_kb.search("gift card", 8))
        assert not any("gift-cards" in key for key in hashing_kb.manifest().sources)

    def test_no_prune_keeps_removed_files(self, helpcentre: Path, hashing_kb: KnowledgeBase) -> None:
        hashing_kb.ingest([str(helpcentre)])
        (helpcentre / "en" / "gift-cards.md").unlink()
        report = hashing_kb.ingest([str(helpcentre)], prune=False)
        assert report.sources_removed == 0
        assert hashing_kb.store.count() == 7

    def test_ingesting_one_file_does_not_prune_the_rest(
        self, helpcentre: Path, hashing_kb: KnowledgeBase
    ) -> None:
        hashing_kb.ingest([str(helpcentre)])
        report = hashing_kb.ingest([str(helpcentre / "en" / "gift-cards.md")])
        assert (report.sources_unchanged, report.sources_removed) == (1, 0)
        assert hashing_kb.store.count() == 7


class TestUrlLists:
    def test_url_list_is_fetched_over_http_and_pruned(
        self, static_server: tuple[str, Path], hashing_kb: KnowledgeBase, tmp_path: Path
    ) -> None:
        url, root = static_server
        (root / "gift-cards.md").write_text(GIFT_EN)
        (root / "delivery.html").write_text(
            "<html lang='en'><title>Delivery</title><body><h2>Cost</h2>"
            "<p>Delivery costs 5 dollars.</p></body></html>"
        )
        listing = tmp_path / "urls.txt"
        listing.write_text(
            f"# help centre pages\n{url}/gift-cards.md\n{url}/delivery.html\n{url}/missing.md\n"
        )

        report = hashing_kb.ingest([str(listing)])

        assert report.sources_changed == 2
        assert [(s.source, s.reason) for s in report.skipped] == [(f"{url}/missing.md", "HTTP 404")]
        hit = hashing_kb.search("delivery cost dollars", 1)[0]
        assert hit.chunk.metadata["source"] == f"{url}/delivery.html"
        assert hit.chunk.title_path == "Delivery › Cost"

        listing.write_text(f"{url}/gift-cards.md\n")
        again = hashing_kb.ingest([str(listing)])
        assert (again.sources_unchanged, again.sources_removed) == (1, 1)


class TestCommand:
    def test_ingest_command_prints_a_summary(
        self, helpcentre: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("knowledge.base.embedder_from_settings", lambda settings: HashingEmbedder())
        (helpcentre / "notes.bin").write_bytes(b"\x00")

        ingest_command([str(helpcentre)], prune=True, max_size_mb=1.0, quiet=True)

        out = capsys.readouterr().out
        assert "chunks added" in out
        assert "│      7 │" in out
        assert "unsupported file type" in out
