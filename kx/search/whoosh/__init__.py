"""The embedded search backend on Whoosh (the whoosh-reloaded distribution).

Whoosh is frozen software and its multi-file index is not crash-safe, so the database stays
the truth (``flask search reindex`` rebuilds from it) and everything Whoosh-specific stays
in this package: ``schema`` (fields and the analyzer), ``writer`` (the index lock, writes,
rebuilds), ``merging`` (segments merged in tiers beside the index), ``generations`` (each
worker's view of the index, re-reading only the segments a commit changed), ``query``
(parsing and what one search may cost), ``scoring`` (BM25F per audience), ``facets``
(filters and facet counts), ``snippets``, ``suggestions`` ("did you mean" and its word
list) and ``backend``, the class that ties them (``WhooshBackend``, implementing
``kx.search.backend.SearchBackend``).
"""
