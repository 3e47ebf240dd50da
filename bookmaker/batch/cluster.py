"""Run a batch on an existing Dask distributed cluster
(``pip install 'fanfic-bookmaker[cluster]'``).

Every worker must have bookmaker installed and see the source and output folders at the same
paths: the workers read the inputs and write the books themselves. Nothing else is shared: each
job carries the absolute paths, the options, the theme and the timestamp setting (see worker.py),
so workers started anywhere, with any working folder and environment, build the same bytes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ipaddress
import re
import socket
import struct
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bookmaker.errors import BookmakerError
from bookmaker.terminal import printable

# How long an unreachable scheduler may keep the batch waiting before it is an error: the
# scheduler's port is tried first, with this bound, so a wrong address fails at once.
CONNECT_SECONDS = 3
# The client's own budget, once the scheduler answered: for the handshake and for reconnecting
# when a busy machine delays the connection. Dask closes a client that cannot reconnect within
# it, and every book in flight then fails; a few seconds is not enough on a loaded machine.
CLIENT_SECONDS = 120


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[cf.Executor, int]]:
    """A ``concurrent.futures`` executor on the scheduler at ``address``, and its worker threads."""
    address = checked_address(address)
    try:
        import distributed
    except ImportError:
        raise BookmakerError("--scheduler needs Dask: pip install 'fanfic-bookmaker[cluster]'") \
            from None
    try:
        _expect_greeting(address)
        client = _client(distributed, address)
    except (OSError, ValueError, TypeError, MemoryError) as error:  # refused, timed out...
        reason = "it answered with a message larger than memory" \
            if isinstance(error, MemoryError) else str(error) or type(error).__name__
        raise BookmakerError(f"cannot reach the Dask scheduler at {address}: {reason} "
                             f"(is `dask scheduler` running there? is the address right?)") \
            from None
    try:
        slots = sum(client.nthreads().values()) or 1
        # pure=False: a book is built once per run even if an identical job was submitted before.
        executor = client.get_executor(pure=False)
        try:
            yield executor, slots
        except BaseException:
            # Interrupted or failed: take back every future not yet finished, so the scheduler
            # starts no more of them (a task already running on a worker thread finishes, and
            # removes its own staged files: see worker.convert_one).
            executor.shutdown(wait=False)
            raise
    finally:
        client.close(timeout=CLIENT_SECONDS)


def _client(distributed: Any, address: str) -> Any:
    """Dask's client of the scheduler at ``address``. One that fails half-way is closed here,
    at once: left to the garbage collector, it spent twice the client's time closing, then
    printed "Exception ignored in Client.__del__" and a traceback."""
    made: list[Any] = []

    class Client(distributed.Client):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    try:
        return Client(address, timeout=f"{CLIENT_SECONDS}s", set_as_default=False)
    except BaseException:
        for half_made in made:
            with contextlib.suppress(Exception):
                half_made.close(timeout=CONNECT_SECONDS)
        raise


# Why Dask cannot be given an address of these schemes from the command line: each would fail
# inside Dask, after a wait, with a traceback printed as the client is collected.
_SCHEMES = {
    "tls": "needs the cluster's certificates, which bookmaker is not given",
    "inproc": "reaches only a scheduler inside this same process",
    "ucx": "needs UCX, which bookmaker does not set up",
    "ws": "needs Dask's websocket transport, which bookmaker does not set up",
    "wss": "needs Dask's websocket transport and the cluster's certificates",
}
_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def checked_address(address: str) -> str:
    """``address`` as ``tcp://HOST:PORT`` (``HOST:PORT`` is taken as tcp), or a BookmakerError
    saying what is wrong with it, before Dask sees it: Dask answers a scheme it cannot use
    (``tls://``, ``inproc://``, ``gopher://``) or a broken address (``tcp://[::1``) only after
    a timeout, and then prints a traceback as its half-made client is collected."""
    text = address.strip()
    shown = printable(text) or "''"

    def refused(problem: str) -> BookmakerError:
        return BookmakerError(f"--scheduler {shown}: {problem} (give the scheduler's address "
                              "as tcp://HOST:PORT, for example tcp://scheduler-host:8786)")

    if not text.isprintable() or any(char.isspace() for char in text) or len(text) > 300:
        raise refused("is not an address")
    if "://" not in text:
        text = f"tcp://{text}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as error:  # an unclosed [, a port out of range or not a number
        raise refused(f"is not an address ({error})") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise refused("is not an address")
    if scheme != "tcp":
        raise refused(f"{scheme}:// {_SCHEMES[scheme]}" if scheme in _SCHEMES
                      else f"{scheme}:// is not a transport Dask has; bookmaker connects over "
                      "tcp://")
    if parts.username is not None or parts.password is not None or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise refused("holds more than a host and a port")
    if not host or not _is_host(host):
        raise refused("names no host")
    if not port:
        raise refused("names no port")
    return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOST_NAME.fullmatch(host)) and len(host) <= 253


# A Dask scheduler greets a new connection first: 8 bytes giving the length of its handshake,
# then a few frames (their count, their lengths, the frames), the first a msgpack map. Dask
# itself believes any length it reads, so a server that is not Dask's ("HTTP/1.1" read as a
# length) made it ask for exabytes.
GREETING_SECONDS = 10
_MAX_GREETING_BYTES = 64 * 1024
_MAX_GREETING_FRAMES = 64


def _expect_greeting(address: str) -> None:
    """An OSError unless a Dask scheduler answers at ``address`` (``tcp://HOST:PORT``): the
    port is tried within CONNECT_SECONDS, and the greeting must come within GREETING_SECONDS
    and be shaped as Dask's is."""
    parts = urlsplit(address)
    assert parts.hostname and parts.port  # checked_address made it so
    with socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_SECONDS) as peer:
        deadline = time.monotonic() + GREETING_SECONDS  # for the whole greeting, however sent
        try:
            (size,) = struct.unpack("<Q", _received(peer, 8, deadline))
            if not 16 <= size <= _MAX_GREETING_BYTES:
                raise OSError("something answers there, but not as a Dask scheduler does")
            greeting = _received(peer, size, deadline)
        except TimeoutError:
            raise OSError(f"something answers there, but it did not greet bookmaker as a Dask "
                          f"scheduler does within {GREETING_SECONDS} s") from None
    if not _is_handshake(greeting):
        raise OSError("something answers there, but not as a Dask scheduler does")


def _is_handshake(greeting: bytes) -> bool:
    """Whether ``greeting`` is a Dask handshake: frames (their count, their lengths, the frames)
    whose first is a msgpack map naming the peer's Python and pickle protocol."""
    import msgpack  # Dask's own dependency, there whenever Dask is

    (frames,) = struct.unpack_from("<Q", greeting)
    if not 0 < frames <= _MAX_GREETING_FRAMES or 8 * (frames + 1) > len(greeting):
        return False
    lengths = struct.unpack_from(f"<{frames}Q", greeting, 8)
    start = 8 * (frames + 1)
    if start + sum(lengths) != len(greeting):
        return False
    try:
        message = msgpack.unpackb(greeting[start:start + lengths[0]], raw=False,
                                  strict_map_key=False)
    except (ValueError, TypeError, msgpack.UnpackException):
        return False
    return isinstance(message, dict) and {"python", "pickle-protocol"} <= set(message)


def _received(peer: socket.socket, size: int, deadline: float) -> bytes:
    """Exactly ``size`` bytes from ``peer`` by ``deadline`` (TimeoutError after it, even from a
    peer sending a byte at a time); an OSError if it closes first."""
    data = bytearray()
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        peer.settimeout(left)
        chunk = peer.recv(size - len(data))
        if not chunk:
            raise OSError("something answers there, but it closed the connection without "
                          "greeting as a Dask scheduler does")
        data += chunk
    return bytes(data)
