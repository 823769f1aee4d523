"""What pgassist's Python stand-ins (the fake model provider, the auth service) share: the listening
server, the port file the Swift wrapper waits for, exiting with the test run, the log line format and
the record of requests behind `GET /__requests` and `POST /__reset`.

Standard library only. A script imports it with its own folder's sibling on the path:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "PythonSupport"))
    import stand_in
"""

import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer

# socketserver listens with a backlog of 5: a burst of connections (nginx subrequests, many worker
# threads calling the model at once) would overflow it and wait out a 1 s SYN retransmission.
LISTEN_BACKLOG = 128


def logger(name):
    """A function writing one line `NAME: message` to stderr, which the Swift wrapper keeps in a log file."""
    def log(message):
        sys.stderr.write(f"{name}: {message}\n")
        sys.stderr.flush()
    return log


class RequestLog:
    """The requests a stand-in received, in order, shared by its handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def record(self, entry):
        with self.lock:
            self.entries.append(entry)

    def recorded(self):
        with self.lock:
            return list(self.entries)

    def clear(self):
        with self.lock:
            self.entries.clear()


def add_server_arguments(parser):
    """`--port` and `--port-file`, which every stand-in takes."""
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--port-file", help="where to write the chosen port once listening")


def serve(handler, options, log, banner=""):
    """Serves `handler` on 127.0.0.1:`options.port` until killed, after writing the port file.

    Every accepted connection gets TCP_NODELAY, as real HTTP servers set it: without it an answer
    written in two pieces (head, then body) waits for the client's delayed ACK, about 40 ms on Linux.
    """
    exit_with_parent(log)
    handler.disable_nagle_algorithm = True
    server = ThreadingHTTPServer(("127.0.0.1", options.port), handler, bind_and_activate=False)
    server.daemon_threads = True
    # An instance value, so a larger backlog a caller set on ThreadingHTTPServer still wins.
    server.request_queue_size = max(LISTEN_BACKLOG, server.request_queue_size)
    try:
        server.server_bind()
        server.server_activate()
    except OSError:
        server.server_close()
        raise
    port = server.server_address[1]
    if options.port_file:
        write_port_file(options.port_file, port)
    log(f"listening on http://127.0.0.1:{port}{(' ' + banner) if banner else ''}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def write_port_file(path, port):
    """Writes the port atomically, so a reader never sees a half-written number."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(f"{port}\n")
    os.replace(temporary, path)


def exit_with_parent(log):
    """Exits when the process that started us goes away, so a crashed test run leaves no server behind."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        log("parent process gone; exiting")
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
