#!/usr/bin/env python3
"""`conform lsp` over a pipe, as an editor drives it: after a change the client waits (the
server sees no pending input) and must still get that change's diagnostics — the server
analyses changes when the input goes idle, not only before the next message.
Usage: lsp_pipe_test.py CONFORM_BIN SCRATCH_DIR"""
import json, os, select, subprocess, sys, time

conform, scratch = sys.argv[1], sys.argv[2]
os.makedirs(scratch, exist_ok=True)
doc = os.path.join(scratch, "pipe.clause")
uri = "file://" + os.path.abspath(doc)
good = 'use core\nstandard pipe "P" {\n  clause 4 "C" {\n    requirement named : minor {\n      says "x"\n      pass name != ""\n      else "the organization has no name"\n    }\n  }\n}\n'
with open(doc, "w") as f:
    f.write(good)

p = subprocess.Popen([conform, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
buf = b""


def send(obj):
    body = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def receive(deadline):
    """The next message, or None when the deadline passes (a failure, not a measurement)."""
    global buf
    while True:
        head = buf.find(b"\r\n\r\n")
        if head >= 0:
            n = int(buf[:head].split(b":")[1])
            if len(buf) >= head + 4 + n:
                msg = json.loads(buf[head + 4:head + 4 + n])
                buf = buf[head + 4 + n:]
                return msg
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
            return None
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return None
        buf += chunk


def diagnostics(deadline):
    while True:
        m = receive(deadline)
        if m is None or m.get("method") == "textDocument/publishDiagnostics":
            return m


deadline = time.monotonic() + 120  # generous: a loaded machine; only a hang fails
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "clause", "version": 1, "text": good}}})
first = diagnostics(deadline)
assert first is not None and first["params"]["diagnostics"] == [], first
# Two keystrokes' worth of incremental changes, then nothing: `name` → `nme` (E0201).
send({"jsonrpc": "2.0", "method": "textDocument/didChange",
      "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
          {"range": {"start": {"line": 5, "character": 12}, "end": {"line": 5, "character": 13}}, "text": ""}]}})
second = diagnostics(deadline)
assert second is not None, "no diagnostics after a change while the client waits"
codes = [d["code"] for d in second["params"]["diagnostics"]]
assert codes and codes[0].startswith("E02"), second
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
send({"jsonrpc": "2.0", "method": "exit", "params": None})
p.stdin.close()
assert p.wait(timeout=60) == 0
print("ok")
