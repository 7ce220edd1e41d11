"""How JSON values are named and checked in the wrapper's messages."""

import numbers


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def short(value, limit=300):
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
