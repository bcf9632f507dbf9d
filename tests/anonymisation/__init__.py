"""The anonymisation check on its own, and as the form and the review queue show it."""
