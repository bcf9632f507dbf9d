"""What practice examples and research summaries share: the record columns, visibility,
vocabulary terms, revisions and the review workflow (see models.py and services.py)."""
