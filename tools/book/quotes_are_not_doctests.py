#!/usr/bin/env python3
"""An mdBook preprocessor that book.toml runs for `mdbook test` only.

`mdbook test` hands every page to rustdoc, which compiles each Rust code
block (and each block with no language) as a doctest. The chapters' Rust
blocks are not programs: each is a quote of the crate's own files (a method,
an impl, a few lines of an example), marked with the file and anchor it
comes from, and tests/drift.rs already checks every one against the
compiled source. As doctests they fail by the hundred, so this marks each
`ignore` (and a block with no language `text`) in the copy of the book that
`mdbook test` sees. The chapters' files are not changed, and the HTML book
does not run this.

mdBook's protocol: `supports RENDERER` answers by exit code; otherwise the
JSON [context, book] comes on stdin and the book goes back on stdout.
"""

import json
import sys

# What rustdoc reads as a Rust block when it comes first in the info string.
RUST_WORDS = {
    "rust", "ignore", "should_panic", "no_run", "compile_fail", "test_harness",
    "standalone_crate", "edition2015", "edition2018", "edition2021", "edition2024",
}


def marked(content):
    """The page's markdown with every Rust block `ignore`d."""
    out = []
    fence = None  # (character, length) of the open fence
    for line in content.split("\n"):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        char = stripped[:1]
        run = len(stripped) - len(stripped.lstrip(char)) if char in ("`", "~") else 0
        if fence is None and run >= 3:
            fence = (char, run)
            info = stripped[run:].strip()
            words = info.replace(",", " ").split()
            if not words:
                line = f"{indent}{char * run}text"
            elif words[0] in RUST_WORDS:
                line = f"{indent}{char * run}rust,ignore"
        elif fence is not None and char == fence[0] and run >= fence[1] \
                and not stripped[run:].strip():
            fence = None
        out.append(line)
    return "\n".join(out)


def walk(node):
    """Marks the content of every chapter found in the book's JSON."""
    if isinstance(node, dict):
        chapter = node.get("Chapter")
        if isinstance(chapter, dict) and isinstance(chapter.get("content"), str):
            chapter["content"] = marked(chapter["content"])
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    _context, book = json.load(sys.stdin)
    walk(book)
    json.dump(book, sys.stdout)


if __name__ == "__main__":
    main()
