#!/usr/bin/env python3
"""Marks one symbol-version requirement of an ELF64 shared library weak (VER_FLG_WEAK).

Usage: mark_version_weak.py LIBRARY VERSION
A weak requirement lets the dynamic loader start the library although no loaded object defines that
version; the symbols bound to it then resolve to any unversioned definition (our small shim).
Exits 0 when the flag is set (or already was), 1 when the library has no such requirement.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def c_string(blob: bytes, offset: int) -> str:
    return blob[offset:blob.index(b"\0", offset)].decode()


def main(path: str, version: str) -> int:
    with open(path, "r+b") as f:
        elf = bytearray(f.read())
        if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
            sys.exit(f"{path}: not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", elf, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
        found = False
        for (_, sh_type, _, _, offset, _, link, count, _, _) in sections:
            if sh_type != SHT_GNU_VERNEED:
                continue
            strtab_offset = sections[link][4]
            need = offset
            for _ in range(count):
                _, aux_count, _, aux, next_need = struct.unpack_from("<HHIII", elf, need)
                entry = need + aux
                for _ in range(aux_count):
                    _, flags, _, name, next_aux = struct.unpack_from("<IHHII", elf, entry)
                    if c_string(elf, strtab_offset + name) == version:
                        struct.pack_into("<H", elf, entry + 4, flags | VER_FLG_WEAK)
                        found = True
                    entry += next_aux
                need += next_need
        if not found:
            return 1
        f.seek(0)
        f.write(elf)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
