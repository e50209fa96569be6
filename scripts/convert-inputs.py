#!/usr/bin/env python3
"""Converts fuzz inputs from the one-byte header to the two-byte header.

Until December 2026 a fuzz input began with one byte: its top two bits the
target (0 fuzz_check_ins, 1 fuzz_diff, 2 fuzz_image, 3 fuzz_disasm_xcheck),
its low six bits a platform index, taken modulo the 40 rows of the platform
table. Now byte 0 is the target's id (check/targets.def, the same four
numbers) and byte 1 the platform row (check/targets.c, the same 40 rows in
the same order); the rest of the input is unchanged. So an old input
[h] + rest becomes [h >> 6, (h & 63) % 40] + rest, and checks the same thing
on the same platform.

Usage: scripts/convert-inputs.py SRC DEST
  SRC   a file, or a directory whose files (not its subdirectories) are inputs
  DEST  a path that does not exist yet: the converted file, or a directory
        of converted files with the same names
An empty file stays empty (it is no input of any target); a file whose name
starts with a dot (.gitkeep) is copied as it is, as the replay drivers skip it. SRC is only read;
DEST is written to a temporary name beside it and renamed into place.
Exit status: 0 converted, 2 usage error (bad arguments, DEST exists).
"""
import os
import sys
import tempfile

OLD_PLATFORMS = 40  # rows of the platform table, then and now


def convert(data):
    if not data:
        return data
    h = data[0]
    return bytes([h >> 6, (h & 63) % OLD_PLATFORMS]) + data[1:]


def die(msg):
    sys.stderr.write("scripts/convert-inputs.py: %s\n" % msg)
    sys.exit(2)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0
    if len(argv) != 3:
        die("give SRC and DEST (see --help)")
    src, dest = argv[1], argv[2]
    if not os.path.exists(src):
        die("no such file or directory: %s" % src)
    if os.path.exists(dest):
        die("%s exists: DEST must be a new path (an input is never overwritten)" % dest)
    parent = os.path.dirname(os.path.abspath(dest))
    if os.path.isdir(src):
        tmp = tempfile.mkdtemp(prefix=".convert-", dir=parent)
        n = 0
        for name in sorted(os.listdir(src)):
            p = os.path.join(src, name)
            if os.path.isfile(p):
                with open(p, "rb") as f, open(os.path.join(tmp, name), "wb") as g:
                    if name.startswith("."):  # .gitkeep and the like: no input, kept as it is
                        g.write(f.read())
                        continue
                    g.write(convert(f.read()))
                n += 1
        os.rename(tmp, dest)
        print("converted %d input%s of %s into %s" % (n, "" if n == 1 else "s", src, dest))
    else:
        fd, tmp = tempfile.mkstemp(prefix=".convert-", dir=parent)
        with open(src, "rb") as f, os.fdopen(fd, "wb") as g:
            g.write(convert(f.read()))
        os.rename(tmp, dest)
        print("converted %s into %s" % (src, dest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
