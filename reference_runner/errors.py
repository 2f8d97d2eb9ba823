"""The one error type the runner raises (house style §12): a message a person can act on."""


class RunnerError(Exception):
    """A failure the user can fix (missing model, bad dataset, unknown round...).

    ``code`` is stable and machine-readable; ``str(err)`` is the message shown to people.
    """

    def __init__(self, message: str, code: str = "runner.error") -> None:
        super().__init__(message)
        self.code = code
