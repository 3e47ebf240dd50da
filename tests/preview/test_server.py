"""The preview's server serves the book and nothing else: no file by a path a request names, no
answer to a host name a DNS-rebinding page would use, no theme a request invents, no change from
a cross-site form."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from bookmaker.preview.build import PreviewBuilder
from bookmaker.preview.printview import PrintView
from bookmaker.preview.server import Events, PreviewServer


@pytest.fixture
def server(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Harbour\n---\n\n# One\n\nThe boats came in.\n",
                     encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    events = Events()
    builder = PreviewBuilder(story, None, events.publish)
    builder.start()
    running = PreviewServer(("127.0.0.1", 0), builder, events, PrintView())
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    builder.stop()


def _ask(server, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*server.server_address, timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    result = answer.status, answer.read()
    connection.close()
    return result


def test_the_books_documents_are_served_by_their_names(server):
    status, body = _ask(server, "GET", "/book/chapter-001.xhtml")
    assert status == 200 and b"The boats came in." in body
    status, css = _ask(server, "GET", "/book/css/book.css")
    assert status == 200 and b"text-indent" in css


@pytest.mark.parametrize("path", ["/book/../secret.txt", "/book/%2e%2e/secret.txt",
                                  "/book//etc/passwd", "/assets/../build.py",
                                  "/fonts/../../fonts.py", "/print-page/../../x/0.png"])
def test_no_request_reaches_the_file_system(server, path):
    status, body = _ask(server, "GET", path)
    assert status == 404 and b"not for the web" not in body


def test_a_host_name_other_than_localhost_is_refused(server):
    status, _ = _ask(server, "GET", "/book/chapter-001.xhtml",
                     headers={"Host": "attacker.example:8000"})
    assert status == 421
    assert _ask(server, "GET", "/", headers={"Host": "localhost:8000"})[0] == 200


def test_the_theme_is_one_of_those_offered_and_asked_for_in_json(server):
    form = _ask(server, "POST", "/theme", b"theme=typewriter",
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert form[0] == 400
    folder = _ask(server, "POST", "/theme", json.dumps({"theme": "/etc"}).encode(),
                  {"Content-Type": "application/json"})
    assert folder[0] == 400 and json.loads(folder[1]) == {"theme": "/etc", "chosen": False}
    chosen = _ask(server, "POST", "/theme", json.dumps({"theme": "modern"}).encode(),
                  {"Content-Type": "application/json"})
    assert chosen[0] == 200 and json.loads(chosen[1])["chosen"] is True
