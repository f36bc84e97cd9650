"""Errors raised by the workforce engine.

Every error a caller can cause is an :class:`InvalidParameterError`, a :class:`ValueError` that
names the offending parameter (``.parameter``), the value (``.value``) and, for array input, the
flat index of the first bad element (``.index``) so that a CLI or a form can point at the row.
``.detail`` is the message without the parameter's name and the index, for callers that spell the
parameter their own way (``--target-sl``, a column, a form field).
"""

from __future__ import annotations

__all__ = ["InvalidParameterError", "TargetUnreachableError", "WfmError"]


class WfmError(Exception):
    """Base class of every error raised on purpose by :mod:`callpulse.wfm`."""


class InvalidParameterError(WfmError, ValueError):
    """A parameter is out of its domain (negative, NaN, infinite, wrong shape, ...)."""

    def __init__(
        self,
        parameter: str,
        requirement: str,
        value: object = None,
        index: int | None = None,
    ) -> None:
        self.parameter = parameter
        self.requirement = requirement
        self.value = value
        self.index = index
        self.detail = self._detail()
        message = f"{parameter} {self.detail}"
        if index is not None:
            message += f" (at index {index})"
        super().__init__(message)

    def _detail(self) -> str:
        text = f"must be {self.requirement}"
        if self.value is not None:
            text += f"; got {self.value!r}"
        return text


class TargetUnreachableError(InvalidParameterError):
    """No number of agents meets the target (for example a service level of exactly 1)."""

    def __init__(
        self,
        parameter: str,
        reason: str,
        value: object = None,
        index: int | None = None,
    ) -> None:
        self.reason = reason
        super().__init__(parameter, "a target that some number of agents meets", value, index)

    def _detail(self) -> str:
        text = f"cannot be met: {self.reason}"
        if self.value is not None:
            text += f"; got {self.value!r}"
        return text
