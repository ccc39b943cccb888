#!/usr/bin/env python3
"""Writes a backup archive with one hostile entry, for the restore tests.

Usage: evil-archive.py KIND OUT.tar
KIND: dotdot, absolute, blockdev, chardev, hardlink-out, symlink-out, outside.
The archive starts with a valid ctui-backup.ini so that the reader gets as
far as the hostile entry.
"""
import io
import sys
import tarfile

META = b"""[backup]
format = 1
created = 1700000000
content = upper

[site]
name = evil
domain = evil.ctui.test
template = static
template_version = none
ipv4 = 10.0.0.9
cpu_shares = 1024
memory = 0
pids = 0
created = 1700000000
"""


def add_file(tar, name, data=b"x\n"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_special(tar, name, kind, **fields):
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in fields.items():
        setattr(info, key, value)
    tar.addfile(info)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        add_file(tar, "ctui-backup.ini", META)
        add_special(tar, "files", tarfile.DIRTYPE, mode=0o755)
        if kind == "dotdot":
            add_file(tar, "files/../../escaped")
        elif kind == "absolute":
            add_file(tar, sys.argv[3])
        elif kind == "blockdev":
            add_special(tar, "files/sda", tarfile.BLKTYPE, devmajor=8, devminor=0)
        elif kind == "chardev":
            add_special(tar, "files/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
        elif kind == "hardlink-out":
            add_special(tar, "files/passwd", tarfile.LNKTYPE, linkname="/etc/passwd")
        elif kind == "symlink-out":
            add_special(tar, "files/up", tarfile.SYMTYPE, linkname="../../../../..")
            add_file(tar, "files/up/escaped")
        elif kind == "outside":
            add_file(tar, "escaped")
        else:
            sys.exit("unknown kind " + kind)


main()
