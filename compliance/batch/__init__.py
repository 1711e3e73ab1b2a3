"""The quarterly batch (DTR-1 section 9): every submission under a folder, nothing lost."""

from compliance.batch.run import BatchOptions, BatchResult, run_batch

__all__ = ["BatchOptions", "BatchResult", "run_batch"]
