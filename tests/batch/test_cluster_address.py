"""Cluster addresses are checked before Dask sees them, and the scheduler must greet as Dask's
does: a scheme Dask cannot use, a broken address or a server that is not Dask's is one message,
never a traceback, a wait, or Dask believing a length of exabytes."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from bookmaker.batch import cluster
from bookmaker.batch.cluster import checked_address
from bookmaker.errors import BookmakerError


@pytest.mark.parametrize("given, address", [
    ("tcp://scheduler-host:8786", "tcp://scheduler-host:8786"),
    ("  TCP://Scheduler.Example.org:8786 ", "tcp://scheduler.example.org:8786"),
    ("127.0.0.1:8786", "tcp://127.0.0.1:8786"),
    ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ("tcp://10.0.0.7:65535/", "tcp://10.0.0.7:65535"),
])
def test_a_tcp_address_is_kept(given, address):
    assert checked_address(given) == address


@pytest.mark.parametrize("given, problem", [
    ("tls://127.0.0.1:8786", "tls:// needs the cluster's certificates"),
    ("inproc://192.0.2.2/1/1", "inproc:// reaches only a scheduler inside this same process"),
    ("gopher://h:70", "gopher:// is not a transport Dask has"),
    ("ucx://h:1", "ucx:// needs UCX"),
    ("tcp://[::1", "is not an address (Invalid IPv6 URL)"),
    ("tcp://[::1]", "names no port"),
    ("tcp://h:99999", "is not an address (Port out of range"),
    ("tcp://h:1x", "is not an address"),
    ("tcp://h:0", "names no port"),
    ("localhost", "names no port"),
    ("tcp://", "names no host"),
    ("", "names no host"),
    ("tcp://-host-:1", "names no host"),
    ("tcp://user:secret@h:1", "holds more than a host and a port"),
    ("tcp://h:1/path?x=1", "holds more than a host and a port"),
    ("tcp://a b:1", "is not an address"),
    ("tcp://h\x1b[2J:1", "is not an address"),
    ("1tcp://h:1", "is not an address"),
])
def test_anything_else_is_one_message_saying_what_to_give(given, problem):
    with pytest.raises(BookmakerError) as refused:
        checked_address(given)
    message = str(refused.value)
    assert problem in message and "tcp://HOST:PORT" in message
    assert "\x1b" not in message


@contextlib.contextmanager
def _server(answer: bytes | None, hang_up: bool = False) -> Iterator[str]:
    """A local server answering one connection with ``answer`` (None: it says nothing), then
    hanging up or (by default) keeping the connection open until the test is done; its
    tcp:// address."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            peer, _ = listener.accept()
            held.append(peer)
            if answer is not None:
                peer.sendall(answer)
            if hang_up:
                peer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(timeout=30)
        for peer in held:
            peer.close()


def _dask_like(frames: list[bytes]) -> bytes:
    prelude = struct.pack(f"<Q{len(frames)}Q", len(frames), *map(len, frames))
    body = prelude + b"".join(frames)
    return struct.pack("<Q", len(body)) + body


@pytest.mark.parametrize("answer, hang_up, problem", [
    (b"SSH-2.0-OpenSSH_9.6\r\n", False, "not as a Dask scheduler does"),
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", False, "not as a Dask scheduler does"),
    (struct.pack("<Q", 2**62), False, "not as a Dask scheduler does"),  # believed by Dask
    (struct.pack("<Q", 40) + struct.pack("<QQ", 1, 999) + b"x" * 24, False, "not as a Dask"),
    (struct.pack("<Q", 40) + b"\x01", True, "closed the connection"),
])
def test_a_server_that_is_not_dasks_is_told_apart_from_its_greeting(answer, hang_up, problem):
    with _server(answer, hang_up) as address, pytest.raises(OSError, match=problem):
        cluster._expect_greeting(address)


def test_a_silent_server_is_given_up_on_after_the_greeting_time(monkeypatch):
    monkeypatch.setattr(cluster, "GREETING_SECONDS", 0.2)
    with _server(None) as address, pytest.raises(OSError, match="did not greet"):
        cluster._expect_greeting(address)


def test_a_greeting_sent_a_byte_at_a_time_is_given_up_on_at_the_same_time(monkeypatch):
    """The greeting time bounds the whole greeting: a server dribbling a byte now and then
    (each within the time) cannot keep the batch waiting."""
    monkeypatch.setattr(cluster, "GREETING_SECONDS", 0.5)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def dribble() -> None:
        peer, _ = listener.accept()
        with peer:
            peer.sendall(struct.pack("<Q", 1000))
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    peer.sendall(b"x")
                stop.wait(0.1)

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    try:
        with pytest.raises(OSError, match="did not greet"):
            cluster._expect_greeting(f"tcp://127.0.0.1:{listener.getsockname()[1]}")
    finally:
        stop.set()
        thread.join(timeout=30)
        listener.close()


def test_a_greeting_shaped_as_dasks_is_taken():
    import msgpack

    handshake = msgpack.packb({"compression": None, "python": [3, 11, 7], "pickle-protocol": 5})
    with _server(_dask_like([handshake])) as address:
        cluster._expect_greeting(address)  # no error: Dask's client takes it from here


@pytest.mark.parametrize("frames", [
    [b"\x83" + b"h" * 40],  # the frames' shape, but no msgpack in them
    [b"\x81\xa1a\x01"],  # msgpack, but no handshake
    [b"\x93\x01\x02\x03"],  # a list, not a map
])
def test_frames_that_are_no_dask_handshake_are_told_apart(frames):
    with _server(_dask_like(frames)) as address, \
            pytest.raises(OSError, match="not as a Dask scheduler does"):
        cluster._expect_greeting(address)
