"""Running dataflows: recovery (SQLite partitions under the data folder), epochs, workers."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bytewax.dataflow import Dataflow
from bytewax.errors import BytewaxRuntimeError
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main

from nashipai.config import Settings


class RecoveryRequiredError(RuntimeError):
    """A production dataflow was launched without recovery."""


@dataclass(frozen=True)
class RunOptions:
    """How to run a dataflow.

    ``snapshot_interval`` is Bytewax's epoch length: state and input offsets are snapshotted
    at every epoch end. ``backup_interval`` is how long old snapshots are kept so that a
    resume can find a consistent one across workers.
    """

    workers: int = 1
    recovery: bool = True
    recovery_partitions: int = 2
    snapshot_interval: timedelta = timedelta(seconds=1)
    backup_interval: timedelta = timedelta(seconds=0)
    process_id: int | None = None
    addresses: list[str] | None = None


def recovery_dir(settings: Settings, name: str) -> Path:
    return settings.data_dir / "recovery" / name


def recovery_config(settings: Settings, name: str, options: RunOptions) -> RecoveryConfig:
    """The recovery folder of dataflow ``name``, initialised with its partitions once."""
    folder = recovery_dir(settings, name)
    if not folder.exists() or not any(folder.glob("part-*.sqlite3")):
        folder.mkdir(parents=True, exist_ok=True)
        init_db_dir(folder, options.recovery_partitions)
    return RecoveryConfig(folder, backup_interval=options.backup_interval)


def run(flow: Dataflow, settings: Settings, name: str, options: RunOptions, production: bool = True,
        prepare: Callable[[], object] | None = None) -> None:
    """Run ``flow`` until its input ends (or forever for live input).

    ``prepare`` runs first and should load whatever the flow would otherwise load on its first
    items (numba kernels, lazily imported modules): everything alive then is frozen out of the
    garbage collector's full passes, which would otherwise pause the stream for tens of ms.

    Raises:
        RecoveryRequiredError: ``production`` without recovery.
    """
    if production and not options.recovery:
        raise RecoveryRequiredError(
            f"dataflow {name} runs in production only with recovery; drop --no-recovery "
            "(snapshots go to the data folder)"
        )
    recovery = recovery_config(settings, name, options) if options.recovery else None
    if prepare is not None:
        prepare()
    gc.collect()
    gc.freeze()  # start-up objects (modules, numba dispatchers) leave the collector's scans
    try:
        cli_main(
            flow,
            workers_per_process=options.workers,
            process_id=options.process_id,
            addresses=options.addresses,
            epoch_interval=options.snapshot_interval,
            recovery_config=recovery,
        )
    except BytewaxRuntimeError as error:
        # Ctrl-C / SIGTERM: Bytewax stops its workers and says so (or Python was interrupted
        # inside a step); either way that is a clean stop.
        if "signal received" not in str(error) and not _interrupted(error):
            raise
    except KeyboardInterrupt:
        # Ctrl-C inside a partitioned sink's Python code (the QuestDB sink waiting on a flush)
        # comes back unwrapped; nothing unacknowledged was snapshotted, so this is a clean stop too.
        pass


def _interrupted(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
    return False
