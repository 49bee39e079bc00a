#!/usr/bin/env python3
"""Drive baresip's ctrl_tcp module (netstring-framed JSON) over ONE connection.

baresip 1.0.0's ctrl_tcp keeps a single client connection: a second connection replaces
the first, whose events are then lost. So one process per phone holds the connection,
prints every event and response as a JSON line, and takes commands from a FIFO.

usage: bsctl.py PORT FIFO SECONDS
  Lines written to FIFO are commands: "dial sip:bob@parley.test", "hangup", "accept".
  Runs for SECONDS, or until baresip closes the connection.
"""
import json
import os
import select
import socket
import sys
import time


def connect(port, timeout=10.0):
    end = time.time() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def main():
    port, fifo, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    # O_RDWR: the FIFO never reports EOF when a writer goes away
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    sock = connect(port)
    sock.setblocking(False)
    end = time.time() + seconds
    buf, cmdbuf, n = b"", b"", 0

    def emit(obj):
        obj["t"] = round(time.time(), 3)
        print(json.dumps(obj), flush=True)

    emit({"connected": port})

    while time.time() < end:
        r, _, _ = select.select([sock, fd], [], [], max(0.05, min(0.5, end - time.time())))
        if fd in r:
            cmdbuf += os.read(fd, 4096)
            while b"\n" in cmdbuf:
                line, cmdbuf = cmdbuf.split(b"\n", 1)
                parts = line.decode().strip().split(" ", 1)
                if not parts[0]:
                    continue
                n += 1
                cmd = {"command": parts[0], "params": parts[1] if len(parts) > 1 else "", "token": str(n)}
                data = json.dumps(cmd).encode()
                sock.sendall(b"%d:%s," % (len(data), data))
                emit({"sent": cmd})
        if sock in r:
            chunk = sock.recv(65536)
            if not chunk:
                emit({"closed": True})
                return 0
            buf += chunk
            if os.environ.get("BSCTL_RAW"):
                emit({"chunk": chunk.decode(errors="replace")})
            while True:
                colon = buf.find(b":")
                if colon < 0:
                    break
                try:
                    size = int(buf[:colon])
                except ValueError:
                    buf = b""
                    break
                if len(buf) < colon + 1 + size + 1:
                    break
                payload = buf[colon + 1:colon + 1 + size]
                buf = buf[colon + 1 + size + 1:]
                try:
                    emit(json.loads(payload))
                except ValueError:
                    emit({"raw": payload.decode(errors="replace")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
