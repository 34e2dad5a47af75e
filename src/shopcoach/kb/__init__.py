"""The knowledge base: products and help articles, versioned by content hash.

Modules: ``records`` (one normalised item, field coercion and its content hash), ``sources``
(file formats → records + per-row errors), ``chunking`` (articles → heading-path chunks),
``dedup`` (exact and MinHash near-duplicates), ``store`` (set-based versioned writes),
``documents`` (current versions as :class:`shopcoach.search.Document`), ``usage`` (which
versions an answer used, R-KB-4) and ``api`` (``import_products``, ``import_articles``,
``current_documents``). See ``docs/kb.md``.
"""
