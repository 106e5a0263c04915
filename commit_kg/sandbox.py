"""What a query worker does to itself after fork, so that a query cannot harm the machine:
no network sockets (seccomp), a memory ceiling (RLIMIT_AS), death with its parent (no orphans).

The network filter is kernel-enforced: whatever a query makes the engine do (SERVICE, a parser bug
bypassing the allow-list check), socket() for AF_INET, AF_INET6, AF_NETLINK and AF_PACKET fails with
EPERM, and io_uring (which can open sockets without socket()) is refused too. AF_UNIX stays: the
worker talks to the HTTP process over a Unix socket pair it inherited. libseccomp sets no_new_privs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import socket

import pyseccomp as seccomp

# Loaded once in the server, before any fork: a worker starts without looking for libraries.
LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET)


def deny_network() -> None:
    """Install the seccomp filter; raises if the kernel or libseccomp refuses (never runs unfiltered)."""
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for family in DENIED_FAMILIES:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "io_uring_setup")
    rules.load()


def limit_memory(extra_bytes: int) -> int:
    """Cap the address space at what the process maps now plus `extra_bytes` (a fork of the server
    already maps the store and the interpreter); an allocation past it fails. Returns the cap."""
    with open("/proc/self/status", encoding="ascii") as status:
        size_kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    cap = size_kib * 1024 + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return cap


def die_with_parent(name: str) -> None:
    """Be killed when the parent dies, even by SIGKILL, so no worker outlives the server; and carry
    `name` (at most 15 bytes) in /proc/PID/comm, so an operator (or a test) can tell the processes apart."""
    parent = os.getppid()
    if LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    LIBC.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
