"""The project's error tree.

Every error raised for a reason the user can act on derives from :class:`AxError`, which
carries a ``hint`` (what to do about it) and ``retryable`` (whether trying the same call
again can help). The leaves are typed by what the user should do:

- :class:`UserInputError` (also a ``ValueError``): the input was wrong; fix the call.
- :class:`UserInputTypeError` (also a ``TypeError`` and, as in Ax 0.1, a ``ValueError``):
  a value has the wrong type.
- :class:`TrialStatusError`: a trial was asked to move to a status its current status
  does not allow.
- :class:`UnsupportedError` (also a ``NotImplementedError``, which Ax 0.1 raised for these
  refusals): the request is well formed but not supported.
- :class:`DataRequiredError` / :class:`NoDataError`: more data is needed first.
- :class:`StorageError` and its leaves: saving or loading failed (JSON encode/decode,
  :class:`WriteConflictError` for a stale copy, :class:`DatabaseLockedError`).
"""

from __future__ import annotations


class AxError(Exception):
    """Base of every error the project raises on purpose.

    Args:
        message: What went wrong, naming the object, the field and the value.
        hint: What the user can do about it (optional).

    Attributes:
        retryable: Whether calling again, unchanged, can succeed (class-level default).
    """

    retryable: bool = False

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UserInputError(AxError, ValueError):
    """The user gave a value that is not allowed."""


class UserInputTypeError(AxError, TypeError, ValueError):
    """The user gave a value of the wrong type.

    It is a ``TypeError`` and also a ``ValueError``: Ax 0.1 raised ``ValueError`` for these, so
    scripts written as ``except ValueError:`` keep working.
    """


class TrialStatusError(UserInputError):
    """A trial was asked for a status transition its current status does not allow."""


class ImmutabilityError(UserInputError):
    """A field that may be set only once, or only before a trial runs, was changed."""


class UnsupportedError(AxError, NotImplementedError):
    """The request is valid but not supported by this object or backend.

    It is also a ``NotImplementedError``, which Ax 0.1 raised for these refusals (batch trials
    in ``AxClient``, a model that cannot predict, ...), so ``except NotImplementedError:``
    keeps working.
    """


class DataRequiredError(AxError):
    """More data must be attached before this can be done; retry once it is."""

    retryable = True


class NoDataError(DataRequiredError):
    """There is no data at all where some was expected."""


class MaxParallelismReachedException(AxError):
    """The current generation step has as many trials running as it allows.

    Complete (or fail) some running trials, then ask again.
    """

    retryable = True

    def __init__(self, step_index: int, model_name: str, num_running: int, hint: str = "") -> None:
        self.step_index = step_index
        self.model_name = model_name
        self.num_running = num_running
        super().__init__(
            f"GenerationStep {step_index} ({model_name}): {num_running} trials are running, "
            "the step's max_parallelism; complete some before generating more",
            hint=hint,
        )


class GenerationStrategyCompleted(AxError):
    """Every step of a generation strategy has produced all the trials it may."""


class ModelError(AxError):
    """A model could not be fitted or used on the data it was given."""


class ExecutorError(AxError):
    """The execution back end failed, not a trial: a lost broker, a broken worker pool.

    Trials that were in flight are ABANDONED (not FAILED: they did nothing wrong); run
    again once the back end is back, and a saved experiment resumes where it stopped.
    """

    retryable = True


class OptimizationAbortedError(AxError):
    """A run stopped without a usable result: too many trials failed in a row, or (for
    the Polaris client) no trial succeeded at all.

    Attributes:
        num_failures: How many trials failed (in a row, for the loop and the Scheduler).
        last_reason: Why the last one failed.
    """

    def __init__(self, message: str, num_failures: int, last_reason: str, hint: str = "") -> None:
        self.num_failures = num_failures
        self.last_reason = last_reason
        super().__init__(message, hint=hint)


class StorageError(AxError):
    """Saving or loading failed; the previously saved state is untouched."""


class WriteConflictError(StorageError):
    """A stale copy of a stored experiment would overwrite a newer version written by
    another client (another process, or another copy in this one): nothing was written.

    Reload the experiment (``load_experiment`` / ``AxClient.load_experiment_from_database``)
    and redo the change on the stored version.
    """


class DatabaseLockedError(StorageError):
    """The database stayed locked by another connection for longer than the lock wait;
    nothing was written. Retrying once the other writer is done can succeed."""

    retryable = True


class JSONEncodeError(StorageError, TypeError):
    """An object could not be encoded to JSON (for example, an unregistered class)."""


class JSONDecodeError(StorageError, ValueError):
    """A JSON document could not be decoded into project objects."""


__all__ = [
    "AxError",
    "DataRequiredError",
    "DatabaseLockedError",
    "ExecutorError",
    "GenerationStrategyCompleted",
    "ImmutabilityError",
    "JSONDecodeError",
    "JSONEncodeError",
    "MaxParallelismReachedException",
    "OptimizationAbortedError",
    "ModelError",
    "NoDataError",
    "StorageError",
    "TrialStatusError",
    "UnsupportedError",
    "UserInputError",
    "UserInputTypeError",
    "WriteConflictError",
]
