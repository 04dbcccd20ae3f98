"""A small HTTP server on 127.0.0.1 for fetch imports, asset imports and postbacks."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    """Routes: path -> (status, headers, body). POST bodies are recorded in `posts`."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.posts: list[tuple[str, bytes]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = site.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                site.posts.append((self.path, self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
