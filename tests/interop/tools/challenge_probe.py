#!/usr/bin/env python3
"""A registrar stub that challenges with several WWW-Authenticate headers, to learn which
algorithm a SIP client answers (no server of ours involved).

usage: challenge_probe.py PORT SECONDS ALG1[,ALG2...] PASSWORD

Listens on UDP 127.0.0.1:PORT. A REGISTER without credentials gets a 401 with one Digest
challenge per algorithm, in the order given; a REGISTER with credentials gets a 200 and
ends the probe. Prints "answered ALG digest=ok|bad", "ignored" (no answer before SECONDS)
and exits 0 only for a correct answer.
"""
import hashlib
import re
import socket
import sys
import time

HASH = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def headers(msg, name):
    return [m.group(1) for m in re.finditer(r"^%s:\s*(.*?)\r?$" % name, msg, re.M | re.I)]


def main():
    port, seconds, algs, password = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3].split(","), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    end = time.time() + seconds
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        msg = data.decode(errors="replace")
        if not msg.startswith("REGISTER "):
            continue
        head = ["%s: %s" % (h, v) for h in ("Via", "From") for v in headers(msg, h)]
        head += ["To: %s;tag=probe" % headers(msg, "To")[0], "Call-ID: %s" % headers(msg, "Call-ID")[0],
                 "CSeq: %s" % headers(msg, "CSeq")[0]]
        auth = headers(msg, "Authorization")
        if not auth:
            chal = ['WWW-Authenticate: Digest realm="parley.test", nonce="n-%s", qop="auth", algorithm=%s'
                    % (a, a) for a in algs]
            resp = "\r\n".join(["SIP/2.0 401 Unauthorized"] + head + chal + ["Content-Length: 0", "", ""])
            s.sendto(resp.encode(), addr)
            continue
        p = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]*)', auth[0]))
        alg = p.get("algorithm", "MD5")
        h = lambda x: HASH.get(alg, hashlib.md5)(x.encode()).hexdigest()
        ruri = msg.split(" ")[1]
        ha1 = h("%s:%s:%s" % (p.get("username"), p.get("realm"), password))
        ha2 = h("REGISTER:%s" % p.get("uri"))
        if "qop" in p:
            want = h("%s:%s:%s:%s:%s:%s" % (ha1, p["nonce"], p["nc"], p["cnonce"], p["qop"], ha2))
        else:
            want = h("%s:%s:%s" % (ha1, p["nonce"], ha2))
        ok = want == p.get("response") and p.get("nonce") == "n-" + alg
        resp = "\r\n".join(["SIP/2.0 200 OK"] + head + ["Content-Length: 0", "", ""])
        s.sendto(resp.encode(), addr)
        print("answered %s digest=%s uri=%s (request-uri %s)" % (alg, "ok" if ok else "bad", p.get("uri"), ruri))
        return 0 if ok else 1
    print("ignored: no answer to the challenge")
    return 1


if __name__ == "__main__":
    sys.exit(main())
