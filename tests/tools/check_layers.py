#!/usr/bin/env python3
"""The core's dependency rule (docs/architecture.md), checked on #include lines.

    check_layers.py [CORE_DIR]      # default: the core/ beside tests/
    check_layers.py --self-test     # the checker refuses a tree that breaks the rule

Layers, lowest first: common, derive, auth, omadm. A file of one layer may
include headers of its own layer and of the layers below it, never above:
private headers by their layer path ("derive/derive.h", in core/src/) and
public ones by theirs ("dmboot/derive.h", in core/include/). The umbrella
"dmboot.h" is for users, not for the core. Every source file sits in a layer
folder. System headers (<...>) are not looked at.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import List

LAYERS = ["common", "derive", "auth", "omadm"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of_include(name: str) -> int | None:
    """The layer an include names, or None for one outside every layer."""
    parts = name.split("/")
    if len(parts) == 2 and parts[0] == "dmboot":
        stem = parts[1].removesuffix(".h")
        return LAYERS.index(stem) if stem in LAYERS else None
    if len(parts) == 2 and parts[0] in LAYERS:
        return LAYERS.index(parts[0])
    return None


def check(core: Path) -> List[str]:
    problems: List[str] = []
    files = []
    for path in sorted((core / "src").rglob("*")):
        if path.suffix not in (".c", ".h"):
            continue
        rel = path.relative_to(core / "src")
        if len(rel.parts) != 2 or rel.parts[0] not in LAYERS:
            problems.append(f"core/src/{rel}: not in a layer folder ({', '.join(LAYERS)})")
            continue
        files.append((path, LAYERS.index(rel.parts[0])))
    for path in sorted((core / "include" / "dmboot").glob("*.h")):
        if path.stem not in LAYERS:
            problems.append(f"{path.relative_to(core.parent)}: no layer named {path.stem}")
            continue
        files.append((path, LAYERS.index(path.stem)))
    if not files:
        problems.append(f"{core}: no source files found")
    for path, own in files:
        text = path.read_text(encoding="utf-8")
        for m in INCLUDE.finditer(text):
            name = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            where = f"{path.relative_to(core.parent)}:{line}"
            if name == "dmboot.h":
                problems.append(f"{where}: includes the users' umbrella dmboot.h; "
                                f"include the layer's own header")
                continue
            if name == "dmboot_export.h" and path.parent.name == "dmboot":
                continue
            target = layer_of_include(name)
            if target is None:
                problems.append(f"{where}: \"{name}\" is not a layer path "
                                f"(<layer>/<file>.h or dmboot/<layer>.h)")
            elif target > own:
                problems.append(f"{where}: {LAYERS[own]} includes \"{name}\" of the higher "
                                f"layer {LAYERS[target]}")
    return problems


def self_test() -> int:
    """A tree that breaks each rule once must give one problem per break."""
    with tempfile.TemporaryDirectory() as tmp:
        core = Path(tmp) / "core"
        for d in ("src/common", "src/derive", "src/auth", "include/dmboot"):
            (core / d).mkdir(parents=True)
        (core / "src/common/ok.c").write_text('#include "common/common.h"\n')
        (core / "src/derive/up.c").write_text('#include "auth/auth.h"\n')
        (core / "src/derive/pub.c").write_text('#include "dmboot/omadm.h"\n')
        (core / "src/auth/umbrella.c").write_text('#include "dmboot.h"\n')
        (core / "src/auth/bare.c").write_text('#include "account.h"\n')
        (core / "src/loose.c").write_text("\n")
        (core / "include/dmboot/derive.h").write_text('#include "dmboot/auth.h"\n')
        got = check(core)
    want = ["auth/auth.h", "dmboot/omadm.h", "dmboot.h", "account.h", "loose.c",
            "dmboot/auth.h"]
    missing = [w for w in want if not any(w in p for p in got)]
    if len(got) != len(want) or missing:
        print("self-test FAILED: got", *got, sep="\n  ")
        return 1
    print(f"self-test ok: {len(got)} planted breaks found")
    return 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    core = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "core"
    problems = check(core)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering problem(s)")
        return 1
    print("layers ok: common <- derive <- auth <- omadm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
