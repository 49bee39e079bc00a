#!/usr/bin/env python3
"""A minimal SIP UAC over UDP that registers with digest auth, answering the challenge of
the algorithm asked for (RFC 8760: SHA-256, or MD5), to test what sipp and baresip cannot.

usage: digest_client.py SERVER_PORT USER PASSWORD DOMAIN ALGORITHM [--expect 200]

Sends REGISTER to 127.0.0.1:SERVER_PORT, reads the 401, prints the algorithms the server
offered (in order), answers the one named ALGORITHM (qop=auth), and prints the final
status. Exit 0 when the final status is the expected one (default 200).
"""
import argparse
import hashlib
import os
import re
import socket
import sys

HASH = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def challenges(msg):
    out = []
    for m in re.finditer(r"^WWW-Authenticate:\s*Digest\s+(.*?)\r?$", msg, re.M | re.I):
        out.append(dict((k.lower(), v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]*)', m.group(1))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("user")
    ap.add_argument("password")
    ap.add_argument("domain")
    ap.add_argument("algorithm")
    ap.add_argument("--expect", type=int, default=200)
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3)
    lport = s.getsockname()[1]
    callid = os.urandom(8).hex()
    ruri = "sip:%s" % a.domain

    def register(cseq, auth=None):
        lines = ["REGISTER %s SIP/2.0" % ruri,
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport" % (lport, os.urandom(6).hex()),
                 "Max-Forwards: 70",
                 "From: <sip:%s@%s>;tag=%s" % (a.user, a.domain, callid[:8]),
                 "To: <sip:%s@%s>" % (a.user, a.domain),
                 "Call-ID: %s" % callid,
                 "CSeq: %d REGISTER" % cseq,
                 "Contact: <sip:%s@127.0.0.1:%d>" % (a.user, lport),
                 "Expires: 60"]
        if auth:
            lines.append("Authorization: " + auth)
        lines += ["Content-Length: 0", "", ""]
        for _ in range(4):  # a few UDP retransmissions
            s.sendto("\r\n".join(lines).encode(), ("127.0.0.1", a.port))
            try:
                while True:
                    data = s.recv(65535).decode(errors="replace")
                    status = int(data.split(" ", 2)[1])
                    if status >= 200 and ("CSeq: %d REGISTER" % cseq) in data:
                        return status, data
            except socket.timeout:
                continue
        return 0, ""

    status, msg = register(1)
    offered = challenges(msg)
    algs = [c.get("algorithm", "MD5") for c in offered]
    print("401 offers: %s" % (",".join(algs) or "nothing (status %d)" % status), end="; ")
    ch = next((c for c in offered if c.get("algorithm", "MD5").upper() == a.algorithm.upper()), None)
    if status != 401 or ch is None:
        print("no %s challenge" % a.algorithm)
        return 1
    h = lambda x: HASH[a.algorithm](x.encode()).hexdigest()
    cnonce, nc = os.urandom(8).hex(), "00000001"
    ha1 = h("%s:%s:%s" % (a.user, ch["realm"], a.password))
    ha2 = h("REGISTER:%s" % ruri)
    resp = h("%s:%s:%s:%s:auth:%s" % (ha1, ch["nonce"], nc, cnonce, ha2))
    auth = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s, '
            'qop=auth, nc=%s, cnonce="%s"' % (a.user, ch["realm"], ch["nonce"], ruri, resp, a.algorithm, nc, cnonce))
    if "opaque" in ch:
        auth += ', opaque="%s"' % ch["opaque"]
    status, _ = register(2, auth)
    print("answered %s: %d" % (a.algorithm, status))
    return 0 if status == a.expect else 1


if __name__ == "__main__":
    sys.exit(main())
