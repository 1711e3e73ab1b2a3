"""Running tasks on processes or on a Dask cluster, so that a dying worker costs one input.

Both back-ends are ``concurrent.futures`` executors. A local process pool that breaks (a
worker killed, or crashed in native code) fails every task in flight; those tasks are then
retried one at a time in a fresh single-worker pool, which pins the crash on the input that
causes it and lets every other input finish.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class WorkerCrash:
    """A task whose worker died (or whose remote execution failed) instead of returning."""

    reason: str


class LocalBackend:
    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        # fork keeps start-up cheap (the package is already imported); nothing in the parent
        # holds threads or the PDF stack when pools are created.
        self._context = multiprocessing.get_context("fork")

    def executor(self, workers: int | None = None) -> Executor:
        return ProcessPoolExecutor(max_workers=workers or self.workers, mp_context=self._context)

    def close(self) -> None:
        pass


class DaskBackend:
    """A Dask distributed scheduler; tasks must be importable on its workers."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("--scheduler needs Dask: pip install 'compliance[dask]'") from None
        # distributed's Client is untyped: the calls below are checked by the Dask tests.
        self.client: Any = Client(address, set_as_default=False)  # type: ignore[no-untyped-call]

    def executor(self, workers: int | None = None) -> Executor:
        executor: Executor = self.client.get_executor(pure=False)
        return executor

    def close(self) -> None:
        self.client.close()


Backend = LocalBackend | DaskBackend


POLL_SECONDS = 2.0
"""How often a wait for results checks that the process pool is still alive."""


def _pool_gone(executor: Executor) -> bool:
    """Whether a process pool can no longer settle its futures: broken, or its manager thread
    dead. (Private attributes of CPython's ProcessPoolExecutor; other executors never are.)"""
    if not isinstance(executor, ProcessPoolExecutor):
        return False
    manager = getattr(executor, "_executor_manager_thread", None)
    broken = bool(getattr(executor, "_broken", False))
    return broken or (manager is not None and not manager.is_alive())


def run_isolated(
    backend: Backend,
    function: Callable[[Item], Any],
    items: Iterable[Item],
) -> Iterator[tuple[Item, Any]]:
    """Yield ``(item, result or WorkerCrash)`` for every item, in completion order."""
    items = list(items)
    if not items:
        return
    broken: list[Item] = []
    executor = backend.executor()
    try:
        futures = {}
        for position, item in enumerate(items):
            try:
                futures[executor.submit(function, item)] = item
            except BrokenProcessPool:
                # A worker died while the rest were still being queued: the pool takes no
                # more, so the rest go to the one-at-a-time pool below with the casualties.
                broken.extend(items[position:])
                break
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                item = futures[future]
                try:
                    yield item, future.result()
                except BrokenProcessPool:
                    broken.append(item)
                except Exception as error:  # e.g. Dask's KilledWorker after its own retries
                    yield item, WorkerCrash(f"{type(error).__name__}: {error}")
            if not done and _pool_gone(executor):
                # The pool's manager thread is gone with futures never settled (a worker
                # killed at an unlucky moment can do this): retry them one at a time below
                # rather than wait for ever.
                broken.extend(futures[future] for future in pending)
                break
    finally:
        if isinstance(backend, LocalBackend):
            executor.shutdown(wait=True, cancel_futures=True)
    # One item at a time in a single-worker pool, so that a pool breaking now was broken by
    # its one item. The pool lives until that happens: every task queued when the first pool
    # broke lands here, and a process start each would make the rest of a batch crawl.
    solo: Executor | None = None
    try:
        for item in broken:
            solo = solo or backend.executor(workers=1)
            try:
                yield item, solo.submit(function, item).result()
            except BrokenProcessPool:
                solo.shutdown(wait=True)
                solo = None
                yield item, WorkerCrash("the worker process processing this input died")
            except Exception as error:  # as above: one item's failure, not the batch's
                yield item, WorkerCrash(f"{type(error).__name__}: {error}")
    finally:
        if solo is not None:
            solo.shutdown(wait=True, cancel_futures=True)
