#!/usr/bin/env python3
"""Regenerates the seed corpora of the `parse` and `selector_json` fuzz targets.

`parse`: every distinct `selector` string of tests/data/k8s-upstream.jsonl and tests/data/k8s-labels.jsonl,
written to fuzz/corpus/parse/, one file per string (UTF-8, no trailing newline).

`selector_json`: every distinct `selector` object of tests/data/selectors.jsonl (job-spec selectors:
`match_labels`, `match_expressions`, `match_ids` and their camelCase aliases, `null`s kept), written to
fuzz/corpus/selector_json/ as compact JSON, one file per object, keys in the order of the source.

Each file is named by the first 16 hex digits of the SHA-256 of its content. Run from anywhere; `--clean`
first removes everything in both directories (including entries added by `cargo fuzz run`). The
structured targets (`matcher_vs_interpreter`, `fleet_vs_scan`, `explain_consistent`) start from an empty
corpus and have no seeds here.
"""

import hashlib
import json
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
MAX_FILES = 3500


def records(sources):
    """(source, line number, `selector` field) of every non-blank line of the JSON-lines sources."""
    for source in sources:
        with source.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield source, number, json.loads(line)["selector"]
                except (ValueError, KeyError) as e:
                    sys.exit(f"{source}:{number}: {e}")


def parse_seeds():
    """Every distinct selector string, as UTF-8."""
    sources = [ROOT / "tests/data/k8s-upstream.jsonl", ROOT / "tests/data/k8s-labels.jsonl"]
    for source, number, selector in records(sources):
        if not isinstance(selector, str):
            sys.exit(f"{source}:{number}: `selector` is not a string")
        yield selector.encode("utf-8")


def selector_json_seeds():
    """Every selector object, as compact JSON (distinct ones are kept by the caller)."""
    for source, number, selector in records([ROOT / "tests/data/selectors.jsonl"]):
        if not isinstance(selector, dict):
            sys.exit(f"{source}:{number}: `selector` is not an object")
        yield json.dumps(selector, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


CORPORA = [("parse", parse_seeds), ("selector_json", selector_json_seeds)]


def write(corpus, seeds, clean):
    corpus.mkdir(parents=True, exist_ok=True)
    if clean:
        for old in corpus.iterdir():
            old.unlink()
    seen = set()
    written = 0
    for data in seeds:
        if data in seen:
            continue
        seen.add(data)
        path = corpus / hashlib.sha256(data).hexdigest()[:16]
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
    if len(seen) > MAX_FILES:
        sys.exit(f"{len(seen)} distinct seeds for {corpus.name}: more than {MAX_FILES}; sample them")
    print(f"{len(seen)} distinct seeds, {written} files written to {corpus.relative_to(ROOT)}")


def main():
    clean = "--clean" in sys.argv[1:]
    for name, seeds in CORPORA:
        write(FUZZ / "corpus" / name, seeds(), clean)


if __name__ == "__main__":
    main()
