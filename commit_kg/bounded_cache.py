"""A least-recently-used cache bounded in entries and in bytes, safe to share between threads: every cache
the service keeps per request kind uses it, so that no stream of distinct requests can grow the process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """At most `entries` values whose `size` sums to at most `budget` bytes; a value larger than
    `largest` is made but not kept. The oldest used values go first."""

    def __init__(self, size: Callable[[V], int], entries: int, budget: int, largest: int | None = None) -> None:
        self.size, self.entries, self.budget = size, entries, budget
        self.largest = budget if largest is None else largest
        self.used = 0
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key`, else `make()` (outside the lock), kept when it fits."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        cost = self.size(value)
        with self._lock:
            if cost <= self.largest and key not in self._values:
                self._values[key] = value
                self.used += cost
                while len(self._values) > self.entries or self.used > self.budget:
                    self.used -= self.size(self._values.popitem(last=False)[1])
        return value
