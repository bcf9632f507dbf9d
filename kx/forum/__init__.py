"""The forum: categories per domain plus cross-disciplinary, threads and posts, the
research-needs board, reports and moderation, follows and notifications."""
