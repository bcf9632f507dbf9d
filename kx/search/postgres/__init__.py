"""The search backend on PostgreSQL full-text search (``KX_SEARCH_BACKEND=postgres``).

Search documents live in the ``search_documents`` table (what a search filters, counts
and ranks by) and the ``search_texts`` table (what a hit shows), written in the same
transaction as the change they reflect (no outbox, so no drift between the two): ``store``
(writing rows and "did you mean" words), ``query`` (kx's query syntax as a ``tsquery``),
``suggestions`` ("did you mean") and ``backend`` (``PostgresBackend``, implementing
``kx.search.backend.SearchBackend``).
"""
