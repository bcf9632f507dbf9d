"""Notifications: what members are told about, stored per recipient, listed and marked read
at ``/notifications``. The forum adds them inside its own write transactions."""
