"""The moderators' review queue and each author's own items, across record types."""
