#!/usr/bin/env python3
"""The public headers name no type whose size depends on the build's
_FILE_OFFSET_BITS or _TIME_BITS.

    check_public_types.py [INCLUDE_DIR]   # default: core/include beside tests/
    check_public_types.py --self-test     # the checker still sees such a type

dmboot is built with _FILE_OFFSET_BITS=64 and _TIME_BITS=64 (top-level
CMakeLists.txt): on 32-bit glibc targets they make off_t, time_t and the
structures holding them 64 bits wide. A program that includes <dmboot.h>
without those macros must see the same declarations as the library, so the
public API passes times as int64_t and file sizes as size_t, never these.
Comments are not looked at.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import List

# Types whose size changes with _FILE_OFFSET_BITS=64 or _TIME_BITS=64 on glibc.
FORBIDDEN = ["off_t", "ino_t", "blkcnt_t", "fsblkcnt_t", "fsfilcnt_t", "rlim_t", "fpos_t",
             "time_t", "suseconds_t", "struct stat", "struct dirent", "struct timespec",
             "struct timeval", "struct itimerspec", "struct utimbuf", "struct statvfs"]
PATTERN = re.compile(r"\b(" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in FORBIDDEN) + r")\b")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def check(include: Path) -> List[str]:
    problems: List[str] = []
    headers = sorted(include.rglob("*.h"))
    if not headers:
        return ["no header under %s" % include]
    for h in headers:
        text = h.read_text(encoding="utf-8")
        # Blank comments out, keeping line breaks for line numbers.
        code = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for m in PATTERN.finditer(code):
            line = code.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: %s in a public header (its size depends on "
                            "_FILE_OFFSET_BITS/_TIME_BITS)" % (h, line, " ".join(m.group(1).split())))
    return problems


def self_test() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "ok.h").write_text("/* time_t in a comment is fine */\nint64_t f(size_t n); // off_t\n")
        if check(d):
            print("self-test: a clean header was refused: %s" % check(d))
            return 1
        (d / "bad.h").write_text("#include <time.h>\nvoid g(\n  time_t t);\nstruct  stat *s;\n")
        got = check(d)
        if len(got) != 2 or ":3: time_t" not in got[0] or "struct stat" not in got[1]:
            print("self-test: the checker missed a forbidden type: %s" % got)
            return 1
    print("self-test OK")
    return 0


def main(argv: List[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    include = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "core/include"
    problems = check(include)
    for p in problems:
        print(p)
    if problems:
        return 1
    print("public headers: no off_t, time_t or structure holding them")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
