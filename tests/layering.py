#!/usr/bin/env python3
"""The layers match the folders (docs/architecture.md).

    src/ (engine) <- emulator/ <- report/ <- check/ <- tool/, fuzzers/

A file may include a header of its own folder or of a folder below it,
never above; tool/ and fuzzers/ are peers that share nothing directly.
The same holds for the libraries: a library or executable defined by a
folder links only libraries of its folder or below. The folder of a
library is the folder of its sources, read from the CMakeLists.txt files.

Usage: layering.py SOURCE_DIR      check the tree, exit 1 on a violation
       layering.py --self-test SOURCE_DIR
                                   copy the tree, add an upward include and
                                   an upward link, and check that both are
                                   found (the proof that the check works)
"""
import os
import re
import shutil
import sys
import tempfile

# rank of each layered folder; equal ranks are peers that may not depend
# on each other
LAYERS = {"src": 0, "emulator": 1, "report": 2, "check": 3, "tool": 4, "fuzzers": 4}
# headers made by the build, and the folder whose code they belong to
GENERATED = {"pv_templates_gen.h": "src"}
SOURCE_EXT = (".c", ".h", ".S", ".def")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def allowed(frm, to):
    """May code of folder frm use code of folder to?"""
    return frm == to or LAYERS[to] < LAYERS[frm]


def headers(top):
    where = dict(GENERATED)
    for d in LAYERS:
        for name in sorted(os.listdir(os.path.join(top, d))):
            if name.endswith((".h", ".def")):
                if name in where and where[name] != d:
                    yield None, "header %s is in both %s/ and %s/: an include cannot tell them apart" % (
                        name, where[name], d)
                where[name] = d
    yield where, None


def check_includes(top, where):
    for d in LAYERS:
        for name in sorted(os.listdir(os.path.join(top, d))):
            if not name.endswith(SOURCE_EXT):
                continue
            text = open(os.path.join(top, d, name), encoding="utf-8").read()
            for m in INCLUDE.finditer(text):
                h = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                if h not in where:
                    yield "%s/%s:%d: includes \"%s\", which no layer holds" % (d, name, line, h)
                elif not allowed(d, where[h]):
                    yield "%s/%s:%d: includes %s/%s: %s" % (d, name, line, where[h], h, why(d, where[h]))


def why(frm, to):
    if LAYERS[frm] == LAYERS[to]:
        return "%s/ and %s/ are peers; what both need belongs in a layer below them" % (frm, to)
    return "%s/ is above %s/" % (to, frm)


CALL = re.compile(r"\b(add_library|add_executable|target_link_libraries)\s*\(([^)]*)\)", re.S)


def cmake_calls(top):
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        first = rel.split(os.sep)[0]
        if rel != "." and first not in LAYERS:
            dirnames[:] = []
            continue
        if "CMakeLists.txt" in filenames:
            path = os.path.join(dirpath, "CMakeLists.txt")
            text = re.sub(r"#[^\n]*", "", open(path, encoding="utf-8").read())
            for m in CALL.finditer(text):
                yield rel, m.group(1), m.group(2).split()


def check_links(top):
    owner = {}  # target -> folder of its sources
    calls = list(cmake_calls(top))
    for rel, cmd, args in calls:
        if cmd in ("add_library", "add_executable") and args:
            folders = set()
            for a in args[1:]:
                if a.startswith("$") or not a.endswith(SOURCE_EXT):
                    continue
                p = os.path.normpath(os.path.join(rel, a)) if rel != "." else os.path.normpath(a)
                f = p.split(os.sep)[0]
                if f in LAYERS:
                    folders.add(f)
            if not folders and rel in LAYERS:
                folders.add(rel)  # sources collected into a variable in the folder's own CMakeLists.txt
            if len(folders) > 1:
                yield "%s: its sources are in %s: one target, one layer" % (
                    args[0], ", ".join(sorted(f + "/" for f in folders)))
            if len(folders) == 1:
                owner[args[0]] = folders.pop()
    for rel, cmd, args in calls:
        if cmd != "target_link_libraries" or not args or args[0] not in owner:
            continue
        frm = owner[args[0]]
        for lib in args[1:]:
            if lib in owner and not allowed(frm, owner[lib]):
                yield "%s (%s/) links %s (%s/): %s" % (args[0], frm, lib, owner[lib], why(frm, owner[lib]))


def check(top):
    problems = []
    where = None
    for w, p in headers(top):
        if p:
            problems.append(p)
        else:
            where = w
    problems += list(check_includes(top, where))
    problems += list(check_links(top))
    return problems




def self_test(top):
    tmp = tempfile.mkdtemp(prefix="pvfuzz-layering.")
    try:
        for d in LAYERS:
            shutil.copytree(os.path.join(top, d), os.path.join(tmp, d))
        shutil.copy(os.path.join(top, "CMakeLists.txt"), tmp)
        clean = check(tmp)
        if clean:
            print("self-test: the copy is not clean to begin with:\n  " + "\n  ".join(clean))
            return 1
        # an upward include: the checks reaching for the command line
        with open(os.path.join(tmp, "check", "pvf_common.c"), "a", encoding="utf-8") as f:
            f.write('\n#include "cli.h"\n')
        # an upward link: the report layer linking the checks
        with open(os.path.join(tmp, "CMakeLists.txt"), "a", encoding="utf-8") as f:
            f.write("\ntarget_link_libraries(pvreport PUBLIC pvfcheck)\n")
        found = check(tmp)
        want = [("check/pvf_common.c", "tool/cli.h"), ("pvreport (report/) links pvfcheck (check/)",)]
        ok = True
        for w in want:
            hit = [p for p in found if all(s in p for s in w)]
            print("self-test: %s: %s" % (" ".join(w), "found: " + hit[0] if hit else "NOT FOUND"))
            ok = ok and bool(hit)
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp)


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    problems = check(argv[1])
    for p in problems:
        print("layering: " + p)
    if problems:
        print("layering: %d violation(s); the layers are in docs/architecture.md" % len(problems))
        return 1
    print("layering: clean (%s)" % " <- ".join(
        " ".join(sorted(d + "/" for d in LAYERS if LAYERS[d] == r)) for r in sorted(set(LAYERS.values()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
