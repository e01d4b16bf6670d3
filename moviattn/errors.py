"""The user-facing errors, listed once: the app shows them as a message and the CLI as ``error: ...``.

Each names what the user can fix (a file, a record, a field, a setting); anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations


class DataError(ValueError):
    """Invalid input data; the message names the file, the record and the field."""

    def __init__(self, source: str, message: str, record: int | str | None = None, field_name: str | None = None):
        where = source
        if record is not None:
            where += f", record {record}"
        if field_name is not None:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {message}")
        self.source, self.record, self.field_name = source, record, field_name


class ModelLoadError(RuntimeError):
    """A model could not be located, parsed, converted or loaded."""


class AnalyserUnavailable(RuntimeError):
    """A morphological analyser cannot be used here (unknown name, no Java, no Mecab)."""


class EngineUnavailable(RuntimeError):
    """A bulk engine cannot be used here (its optional install is missing, its cluster cannot be reached)."""


#: Exceptions that mean "the input or the setting is wrong": a message, never a traceback.
#: ValueError covers UnknownChoice, ReviewTooLong, EmptyReview and the wings' own input errors.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, DataError, ModelLoadError, AnalyserUnavailable, EngineUnavailable, OSError)


def user_message(exc: BaseException) -> str:
    """One readable line for an error caused by input or settings."""
    if isinstance(exc, ModelLoadError):
        return f"모델을 불러올 수 없습니다 (cannot load the model): {exc}. 지금 모델을 계속 사용합니다 (keeping the current model)."
    if isinstance(exc, AnalyserUnavailable):
        return f"형태소 분석기를 쓸 수 없습니다 (analyser unavailable): {exc}"
    if isinstance(exc, DataError):
        return f"입력 데이터 오류 (data error): {exc}"
    return f"{exc}"
