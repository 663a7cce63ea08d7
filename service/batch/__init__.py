"""`parallax batch`: evaluate a whole corpus event by event, resumably (see `run`)."""

from service.batch.run import BatchError, BatchOutcome, Progress, run_batch

__all__ = ["BatchError", "BatchOutcome", "Progress", "run_batch"]
