#!/usr/bin/env python3
"""Regenerates the seed corpus of the `parse` fuzz target.

Writes every distinct `selector` string of tests/data/k8s-upstream.jsonl and tests/data/k8s-labels.jsonl
to fuzz/corpus/parse/, one file per string (UTF-8, no trailing newline), named by the first 16 hex digits
of the SHA-256 of its content. Run from anywhere; `--clean` first removes everything in the directory
(including entries added by `cargo fuzz run`).
"""

import hashlib
import json
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
SOURCES = [ROOT / "tests/data/k8s-upstream.jsonl", ROOT / "tests/data/k8s-labels.jsonl"]
CORPUS = FUZZ / "corpus" / "parse"
MAX_FILES = 3500


def selectors():
    seen = set()
    for source in SOURCES:
        with source.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    selector = json.loads(line)["selector"]
                except (ValueError, KeyError) as e:
                    sys.exit(f"{source}:{number}: {e}")
                if selector not in seen:
                    seen.add(selector)
                    yield selector


def main():
    clean = "--clean" in sys.argv[1:]
    CORPUS.mkdir(parents=True, exist_ok=True)
    if clean:
        for old in CORPUS.iterdir():
            old.unlink()
    written = 0
    total = 0
    for selector in selectors():
        data = selector.encode("utf-8")
        name = hashlib.sha256(data).hexdigest()[:16]
        path = CORPUS / name
        total += 1
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
    if total > MAX_FILES:
        sys.exit(f"{total} distinct selectors: more than {MAX_FILES}; sample them")
    print(f"{total} distinct selectors, {written} files written to {CORPUS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
