#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the gzip'd initramfs (newc cpio) of the VFIO rig's guest.

No cpio, depmod or modinfo needed on the host. The archive holds:
  /bin/busybox      a static busybox (/init makes the applet links)
  /init             the guest script
  /modules/*.ko     the kernel modules asked for, with every module they
                    depend on (the "depends=" field of each module's
                    .modinfo section), uncompressed for busybox insmod,
                    and /modules/load.order, dependencies first
  any --file SRC:DST[:MODE]

A module name starting with '?' is optional: skipped with a note when the
kernel has no such module.

  mkinitramfs.py --modules-dir DIR --busybox PATH --init PATH --out FILE \\
                 [--file SRC:DST[:MODE]]... [MODULE]...
"""
import argparse
import gzip
import lzma
import os
import stat
import struct
import subprocess
import sys

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def canon(name):
    return name.replace("-", "_")


def module_depends(blob):
    """The "depends=" list from the .modinfo section of an ELF64 LE module."""
    if blob[:4] != b"\x7fELF" or blob[4] != 2 or blob[5] != 1:
        raise ValueError("not a little-endian ELF64 module")
    shoff = struct.unpack_from("<Q", blob, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", blob, 0x3A)
    sections = []
    for i in range(shnum):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", blob, shoff + i * shentsize)
        sections.append((name, off, size))
    names_off = sections[shstrndx][1]
    for name, off, size in sections:
        end = blob.index(b"\0", names_off + name)
        if blob[names_off + name:end] != b".modinfo":
            continue
        for field in blob[off:off + size].split(b"\0"):
            if field.startswith(b"depends="):
                return [d for d in field[8:].decode().split(",") if d]
    return []


def read_module(path):
    with open(path, "rb") as f:
        blob = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(blob)
    if path.endswith(".gz"):
        return gzip.decompress(blob)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dcq"], input=blob, check=True,
                              capture_output=True).stdout
    return blob


def find_modules(moddir):
    found = {}
    for root, _, files in os.walk(moddir):
        for fn in files:
            for suf in MODULE_SUFFIXES:
                if fn.endswith(suf):
                    found[canon(fn[:-len(suf)])] = os.path.join(root, fn)
    return found


def with_dependencies(wanted, available):
    """Modules to load, each after the ones it depends on."""
    order, blobs = [], {}

    def add(name, path_so_far):
        name = canon(name)
        if name in blobs:
            return
        if name in path_so_far:
            raise SystemExit("mkinitramfs: dependency loop through %s" % name)
        if name not in available:
            raise SystemExit("mkinitramfs: module %s not found" % name)
        blob = read_module(available[name])
        for dep in module_depends(blob):
            add(dep, path_so_far + (name,))
        blobs[name] = blob
        order.append(name)

    for name in wanted:
        if name.startswith("?"):
            if canon(name[1:]) not in available:
                print("mkinitramfs: no module %s in this kernel (optional)" % name[1:],
                      file=sys.stderr)
                continue
            name = name[1:]
        add(name, ())
    return order, blobs


class Newc:
    """A newc ("070701") cpio archive in memory."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 0
        self.dirs = set()

    def _entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        self.ino += 1
        path = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(path), 0]
        self.out += b"070701" + b"".join(b"%08X" % v for v in fields) + path
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def mkdir(self, name):
        parent = os.path.dirname(name)
        if parent and parent not in self.dirs:
            self.mkdir(parent)
        if name not in self.dirs:
            self.dirs.add(name)
            self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def add(self, name, data, perm=0o644):
        if os.path.dirname(name):
            self.mkdir(os.path.dirname(name))
        self._entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm):
        self._entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules-dir", help="lib/modules/<release> (none: no modules)")
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--file", action="append", default=[], metavar="SRC:DST[:MODE]")
    ap.add_argument("modules", nargs="*")
    a = ap.parse_args()

    available = find_modules(a.modules_dir) if a.modules_dir else {}
    order, blobs = with_dependencies(a.modules, available)

    cpio = Newc()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp",
              "etc", "root", "modules"):
        cpio.mkdir(d)
    cpio.chardev("dev/console", 5, 1, 0o600)
    cpio.chardev("dev/null", 1, 3, 0o666)
    with open(a.busybox, "rb") as f:
        cpio.add("bin/busybox", f.read(), 0o755)
    cpio.symlink("bin/sh", "busybox")
    with open(a.init, "rb") as f:
        cpio.add("init", f.read(), 0o755)
    for name in order:
        cpio.add("modules/%s.ko" % name, blobs[name])
    cpio.add("modules/load.order", "".join(n + "\n" for n in order).encode())
    cpio.add("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    cpio.add("etc/group", b"root:x:0:\n")
    for spec in a.file:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit("mkinitramfs: bad --file %s" % spec)
        perm = int(parts[2], 8) if len(parts) == 3 else 0o644
        with open(parts[0], "rb") as f:
            cpio.add(parts[1].lstrip("/"), f.read(), perm)

    image = cpio.close()
    with open(a.out, "wb") as f:
        f.write(gzip.compress(image, 6, mtime=0))
    print("mkinitramfs: %s, %d bytes, modules: %s"
          % (a.out, os.path.getsize(a.out), " ".join(order) or "none"), file=sys.stderr)


if __name__ == "__main__":
    main()
