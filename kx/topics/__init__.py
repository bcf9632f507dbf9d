"""Theme pages: what works, what is new and what is being asked, per domain, prevention
level, stage or country."""
