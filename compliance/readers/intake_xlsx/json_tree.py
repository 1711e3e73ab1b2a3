"""Building the raw document: members put by path, and ordered as the model orders fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from compliance.intake.layout import nested_models


def container(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The object at ``path``, made (or replacing a non-object) where missing."""
    target = document
    for token in path:
        nested = target.get(token)
        if not isinstance(nested, dict):
            nested = target[token] = {}
        target = nested
    return target


def put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    container(document, path[:-1])[path[-1]] = value


def ordered(value: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Members in the order of the model's fields (unknown members last), recursively: the
    document reads like the JSON a person would have written."""
    nested = nested_models(model)
    result: dict[str, Any] = {}
    for name in (*model.model_fields, *value):
        if name in result or name not in value:
            continue
        member = value[name]
        if name in nested and isinstance(member, dict):
            member = ordered(member, nested[name])
        result[name] = member
    return result
