#!/usr/bin/env python3
"""Independent decoding oracle for ikou's tests.

Reads lines "<oracle> <hex bytes>" on stdin and prints, per line, the decoded
text as space-separated code points in hex, or "-" when the oracle refuses the
bytes. Oracles: "iconv:<NAME>" calls glibc iconv(3) through ctypes (the same
converter as the iconv command); "py:<codec>" uses Python's codecs.
"""
import ctypes
import ctypes.util
import sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.iconv_open.restype = ctypes.c_void_p
libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.iconv.restype = ctypes.c_size_t
libc.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                       ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
FAIL = ctypes.c_size_t(-1).value
_handles = {}


def iconv_decode(name, data):
    cd = _handles.get(name)
    if cd is None:
        cd = libc.iconv_open(b"UTF-32BE", name.encode())
        if cd is None or cd == ctypes.c_void_p(-1).value:
            sys.exit(f"iconv_open failed for {name}")
        _handles[name] = cd
    libc.iconv(cd, None, None, None, None)
    inb = ctypes.create_string_buffer(data, len(data))
    outb = ctypes.create_string_buffer(256)
    ip = ctypes.c_char_p(ctypes.addressof(inb))
    op = ctypes.c_char_p(ctypes.addressof(outb))
    il = ctypes.c_size_t(len(data))
    ol = ctypes.c_size_t(256)
    if libc.iconv(cd, ctypes.byref(ip), ctypes.byref(il), ctypes.byref(op), ctypes.byref(ol)) == FAIL or il.value:
        return None
    if libc.iconv(cd, None, None, ctypes.byref(op), ctypes.byref(ol)) == FAIL:
        return None
    raw = outb.raw[: 256 - ol.value]
    return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]


def py_decode(codec, data):
    try:
        return [ord(c) for c in data.decode(codec)]
    except UnicodeDecodeError:
        return None


for line in sys.stdin:
    oracle, hexbytes = line.split()
    data = bytes.fromhex(hexbytes)
    kind, name = oracle.split(":", 1)
    cps = iconv_decode(name, data) if kind == "iconv" else py_decode(name, data)
    print("-" if cps is None else " ".join(f"{c:X}" for c in cps))
