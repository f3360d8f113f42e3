"""Keep formcheck off the network: refuse every internet socket in this process (Linux).

formcheck needs no network, and promises that camera frames and measurements stay on the
machine. MediaPipe 1.2.x, however, sends usage metrics to Google from its native code (a lookup
of play.googleapis.com at start-up was observed with ``strace``), and it offers no switch to turn
that off. A seccomp filter makes ``socket(AF_INET | AF_INET6, ...)`` fail with EACCES for this
process and every process it starts; Unix-domain sockets (the X server of the live window) stay
allowed. The filter cannot be removed once installed, which is the point.

On other systems or architectures, or where the kernel refuses the filter,
:func:`block_internet_sockets` installs nothing and returns False.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import platform
import socket
import struct
import sys

#: (AUDIT_ARCH value, number of the ``socket`` syscall) per machine.
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
# BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program(arch: int, socket_nr: int) -> bytes:
    """The BPF filter: deny socket() for the inet families on ``arch``, allow everything else."""
    insns = [
        (_LD_W_ABS, 0, 0, 4),  # 0: A = seccomp_data.arch
        (_JEQ_K, 0, 5, arch),  # 1: other arch -> allow
        (_LD_W_ABS, 0, 0, 0),  # 2: A = seccomp_data.nr
        (_JEQ_K, 0, 3, socket_nr),  # 3: not socket() -> allow
        (_LD_W_ABS, 0, 0, 16),  # 4: A = low word of args[0] (the address family)
        (_JEQ_K, 2, 0, socket.AF_INET),  # 5: AF_INET -> deny
        (_JEQ_K, 1, 0, socket.AF_INET6),  # 6: AF_INET6 -> deny
        (_RET_K, 0, 0, _RET_ALLOW),  # 7
        (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES),  # 8
    ]
    return b"".join(struct.pack("HBBI", *insn) for insn in insns)


def block_internet_sockets() -> bool:
    """Install the filter; True when internet sockets are now refused in this process."""
    arch = _ARCHES.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    code = ctypes.create_string_buffer(_program(*arch))
    prog = _SockFprog(len(code.raw) // 8, ctypes.cast(code, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
