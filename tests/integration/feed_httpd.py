#!/usr/bin/env python3
"""feed_httpd.py - a small HTTPS server for tests/integration/feed_update.sh.

Serves ROOT over TLS on 127.0.0.1 (port chosen by the OS, written to
PORTFILE). Every response carries an ETag (SHA-256 of the content) and a
Last-Modified; a request whose If-None-Match equals the ETag gets 304.
Paths under /short/ serve the file with a Content-Length twice its size and
then close the connection (a truncated download). Each request is logged to
LOG as "PATH STATUS IF-NONE-MATCH".
usage: feed_httpd.py ROOT CERT KEY PORTFILE LOG
"""
import hashlib
import http.server
import os
import ssl
import sys

ROOT, CERT, KEY, PORTFILE, LOG = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def note(self, status):
        with open(LOG, "a") as f:
            f.write("%s %d %s\n" % (self.path, status, self.headers.get("If-None-Match", "-")))

    def do_GET(self):
        short = self.path.startswith("/short/")
        rel = self.path[len("/short/"):] if short else self.path.lstrip("/")
        path = os.path.normpath(os.path.join(ROOT, rel))
        if not path.startswith(os.path.abspath(ROOT)) or not os.path.isfile(path):
            self.note(404)
            self.send_error(404)
            return
        data = open(path, "rb").read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        if not short and self.headers.get("If-None-Match") == etag:
            self.note(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.note(200)
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Sat, 01 Nov 2026 00:00:00 GMT")
        self.send_header("Content-Length", str(len(data) * 2 if short else len(data)))
        self.end_headers()
        self.wfile.write(data)
        if short:
            self.wfile.flush()
            self.close_connection = True


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
