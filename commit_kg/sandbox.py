"""What a query worker does to itself after fork, so that a query cannot harm the machine:
no network sockets (seccomp), a memory ceiling (RLIMIT_AS), death with its parent (no orphans).

The network filter is kernel-enforced: whatever a query makes the engine do (SERVICE, a parser bug
bypassing the allow-list check), socket() for AF_INET, AF_INET6, AF_NETLINK and AF_PACKET fails with
EPERM, and io_uring (which can open sockets without socket()) is refused too. AF_UNIX stays: the
worker talks to the HTTP process over a Unix socket pair it inherited. libseccomp sets no_new_privs.

With a SERVICE allow-list the worker keeps IP sockets, since it must reach the listed endpoints.
seccomp cannot see the address a connect() goes to, so the kernel limits what it can: Landlock (ABI 4,
Linux 6.7+) lets TCP connect() reach only the ports of the listed endpoints. Which host, on such a
port, is left to the SPARQL tokenizer's check in /sparql.
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
PR_SET_NO_NEW_PRIVS = 38
IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)
OTHER_FAMILIES = (socket.AF_NETLINK, socket.AF_PACKET)
# Landlock, x86-64 and arm64 syscall numbers and the constants of linux/landlock.h.
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_NET_PORT = 2
LANDLOCK_ACCESS_NET_CONNECT_TCP = 2
LIBC.syscall.restype = ctypes.c_long


def deny_network(keep_ip: bool = False) -> None:
    """Install the seccomp filter; raises if the kernel or libseccomp refuses (never runs unfiltered).
    `keep_ip`: IPv4 and IPv6 sockets stay allowed (a SERVICE allow-list; see `limit_tcp_ports`)."""
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for family in OTHER_FAMILIES if keep_ip else IP_FAMILIES + OTHER_FAMILIES:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "io_uring_setup")
    rules.load()


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when it has none (4 and up can limit TCP ports)."""
    version = LIBC.syscall(LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(version), 0)


def limit_tcp_ports(ports: tuple[int, ...]) -> None:
    """From now on TCP connect() reaches only these ports (Landlock); raises OSError if it cannot."""
    attr = _RulesetAttr(0, LANDLOCK_ACCESS_NET_CONNECT_TCP)
    ruleset = LIBC.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for port in ports:
            rule = _NetPortAttr(LANDLOCK_ACCESS_NET_CONNECT_TCP, port)
            if LIBC.syscall(LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_NET_PORT, ctypes.byref(rule), 0) < 0:
                raise OSError(ctypes.get_errno(), f"landlock_add_rule for port {port} failed")
        if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or LIBC.syscall(LANDLOCK_RESTRICT_SELF, ruleset, 0) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)


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
