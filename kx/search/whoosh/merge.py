"""``python -m kx.search.whoosh.merge PATH``: merge a crowded tier of the index at PATH
(``IndexWriter.merge``), as the child process ``IndexWriter`` starts after a write."""

import sys

from kx.search.whoosh.writer import IndexWriter

if __name__ == "__main__":
    IndexWriter(sys.argv[1]).merge()
