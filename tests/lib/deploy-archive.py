#!/usr/bin/env python3
"""Writes a document-root archive with one hostile entry, for the deploy tests.

Usage: deploy-archive.py KIND OUT.tar
KIND: dotdot, absolute, chardev, blockdev, fifo, setuid, setgid,
symlink-absolute, symlink-up, hardlink-out, through-link.
Each archive starts with a harmless index.html, so the check must go past
a good entry to find the hostile one.
"""
import io
import sys
import tarfile


def add_file(tar, name, data=b"hostile\n", mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def add_special(tar, name, kind, **fields):
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in fields.items():
        setattr(info, key, value)
    tar.addfile(info)


KINDS = {
    "dotdot": lambda t: add_file(t, "assets/../../escaped.html"),
    "absolute": lambda t: add_file(t, "/tmp/ctui-deploy-absolute.html"),
    "chardev": lambda t: add_special(t, "null", tarfile.CHRTYPE, devmajor=1, devminor=3),
    "blockdev": lambda t: add_special(t, "disk", tarfile.BLKTYPE, devmajor=8, devminor=0),
    "fifo": lambda t: add_special(t, "pipe", tarfile.FIFOTYPE),
    "setuid": lambda t: add_file(t, "run.cgi", b"#!/bin/sh\n", 0o4755),
    "setgid": lambda t: add_file(t, "group.cgi", b"#!/bin/sh\n", 0o2755),
    "symlink-absolute": lambda t: add_special(t, "passwd", tarfile.SYMTYPE, linkname="/etc/passwd"),
    "symlink-up": lambda t: add_special(t, "assets/up", tarfile.SYMTYPE, linkname="../../.."),
    "hardlink-out": lambda t: add_special(t, "shadow", tarfile.LNKTYPE, linkname="../../../etc/shadow"),
}


def through_link(tar):
    add_special(tar, "assets", tarfile.SYMTYPE, linkname=".")
    add_file(tar, "assets/inside.html")


KINDS["through-link"] = through_link


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    kind, out = sys.argv[1], sys.argv[2]
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
        add_file(tar, "index.html", b"<p>hostile archive</p>\n")
        if kind != "through-link":
            info = tarfile.TarInfo("assets")
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        KINDS[kind](tar)


if __name__ == "__main__":
    main()
