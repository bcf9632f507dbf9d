"""Signals that domain services send after a commit; search and others listen."""

from blinker import Namespace

kx_signals = Namespace()

#: sender: the app; kwargs: ``item`` (the published record)
item_published = kx_signals.signal("item-published")
#: sender: the app; kwargs: ``item`` (the changed record)
item_changed = kx_signals.signal("item-changed")
#: sender: the app; kwargs: ``kind``, ``item_id``
item_deleted = kx_signals.signal("item-deleted")
