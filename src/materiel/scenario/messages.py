"""Turning pydantic's validation errors into messages a scenario author can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .errors import Loc

PATTERN_HELP = {
    "base": "a three-letter currency code such as EUR or USD",
    "country": "a two-letter ISO country code such as DE, UA or KR",
    "code": "a two-letter ISO country code such as DE, UA or KR",
    "date": "a date written YYYY, YYYY-MM or YYYY-MM-DD",
    "as_of": "a date written YYYY, YYYY-MM or YYYY-MM-DD",
    "id": "an id of letters, digits, '-', '_' or '.', starting with a letter or digit",
    "name": "an id of letters, digits, '-', '_' or '.', starting with a letter or digit",
}


def unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that owns the field at ``loc`` (walking lists and dicts)."""
    tp: Any = root
    for step in loc:
        tp = unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {(f.alias or name): f for name, f in tp.model_fields.items()}
            if step not in fields:
                return None
            tp = fields[step].annotation
        elif origin is list and isinstance(step, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _got(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f" (got a {'mapping' if isinstance(value, dict) else 'list'})"
    text = repr(value)
    return f" (got {text[:60]})"


def describe(err: ErrorDetails, root: type[BaseModel], loc: Loc) -> str:
    """A one-line message for one pydantic error at ``loc`` below model ``root``."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        owner = model_at(root, loc[:-1])
        valid = field_names(owner) if owner else []
        guess = difflib.get_close_matches(str(last), valid, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        return f"unknown field '{last}'{hint} Valid fields: {', '.join(valid)}"
    if kind == "missing":
        return f"required field '{last}' is missing"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        return f"expected {want}{_got(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false{_got(value)}"
    if kind == "string_unicode":
        return "contains a character that is not valid Unicode text (a lone surrogate); remove it"
    if kind in ("string_type",):
        return f"expected text{_got(value)}"
    if kind in ("list_type",):
        return f"expected a list{_got(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        owner = model_at(root, loc)
        fields = f" with fields {', '.join(field_names(owner))}" if owner else ""
        return f"expected a mapping{fields}{_got(value)}"
    if kind == "string_pattern_mismatch":
        want = PATTERN_HELP.get(str(last), f"text matching {ctx.get('pattern')}")
        return f"expected {want}{_got(value)}"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx.get('expected', 'one of the allowed values')}{_got(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {sign} {bound}{_got(value)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} entr{'y' if least == 1 else 'ies'} (got {ctx.get('actual_length', 0)})"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"text may be at most {ctx.get('max_length'):,} characters long (got {len(value):,})"
    if kind == "too_long":
        return f"has at most {ctx.get('max_length')} entries (got {ctx.get('actual_length')})"
    if kind == "finite_number":
        return f"expected a finite number{_got(value)}"
    if kind == "value_error":
        msg = str(ctx.get("error", err["msg"]))
        return msg
    return f"{err['msg']}{_got(value) if not isinstance(value, (dict, list)) else ''}"
