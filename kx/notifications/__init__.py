"""Notifications: what members are told about (forum activity, decisions on their
submissions, their account, evidence and ratings of their practice examples, research needs
they voted for), stored per recipient, listed and marked read at ``/notifications``, and
mailed at once or in daily or weekly summaries as each member chooses per topic. The
packages that cause them add them inside their own write transactions."""
