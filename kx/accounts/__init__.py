"""Accounts: users, roles, sectors, verification, sessions, API tokens, profile."""
