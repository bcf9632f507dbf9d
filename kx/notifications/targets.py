"""The record kinds notifications can be about. ``kx.kinds`` sits above this package, so the
app registers each kind here at start-up (``kx.register_notification_targets``); visibility
is then always the kind's own ``get`` and ``query``."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    #: ``get(id, viewer)``: the item, or ``NotFound`` when the viewer may not see it
    get: Callable
    #: ``query(viewer)``: ``select`` of the items the viewer may see
    query: Callable
    model: type
    endpoint: str
    id_arg: str
    singular: str


TARGETS: dict[str, Target] = {}


def register(item_type: str, target: Target) -> None:
    TARGETS[item_type] = target
