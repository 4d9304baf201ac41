"""The SWIG module itself: every wrapped function follows the conventions."""

import inspect
import re

import pytest

from dmboot import _errors, native


def _wrapped_functions():
    for name, obj in vars(native).items():
        if (name.startswith("dmboot_") or name.startswith("dmb_")) and inspect.isfunction(obj):
            yield name, obj


def test_no_length_capacity_or_output_parameter_is_exposed():
    """A pointer/length group whose names are not in bindings/dmboot.i's
    %apply lists shows up here as a *_len or *_cap parameter: add the names."""
    leaks = []
    for name, fn in _wrapped_functions():
        params = list(inspect.signature(fn).parameters)
        for p in params:
            # "x, x_len" left as two parameters: the group was not converted
            # (a lone "nonce_len" is a genuine input: a length asked for).
            stem = re.sub(r"_(len|cap)$", "", p)
            if (stem != p and stem in params) or p in ("out_len", "out_cap", "err"):
                leaks.append(f"{name}({', '.join(params)})")
                break
    assert not leaks, "unconverted parameters: " + "; ".join(leaks)


def test_every_status_has_a_name_and_an_exception():
    statuses = {v: k for k, v in vars(native).items()
                if k.startswith("DMBOOT_ERR_") and isinstance(v, int)}
    assert statuses
    for code, const in statuses.items():
        name = native.dmb_status_name_of(code)
        assert name == const[len("DMBOOT_ERR_"):].lower()
        if name not in ("buffer_too_small",):
            assert name in _errors._BY_STATUS, name
    assert native.dmb_status_name_of(0) == "ok"
    assert native.dmb_status_name_of(9999) == "unknown"


def test_free_functions_are_not_wrapped():
    assert not [n for n in vars(native) if n.endswith("_free")]


def test_handles_are_garbage_collected():
    import gc
    import weakref

    acc = native.dmboot_account_new()
    ref = weakref.ref(acc)
    del acc
    gc.collect()
    assert ref() is None
