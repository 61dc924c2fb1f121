# Writes the hand-made seeds of fuzz/corpus/<target>/ (run: python3 fuzz/seeds.py).
# The RFC 4475 torture messages (fuzz/corpus/msg/rfc4475-*) come from the RFC's appendix.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sip(*lines, body=""):
    head = "\r\n".join(lines) + "\r\n"
    if body and not any(l.lower().startswith(("content-length", "l:")) for l in lines):
        head += "Content-Length: %d\r\n" % len(body)
    return head + "\r\n" + body


SDP = ("v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
       "c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n"
       "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")
SDP6 = ("v=0\r\no=- 1 2 IN IP6 2001:db8::10\r\ns=-\r\nc=IN IP6 2001:db8::10\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 0\r\na=sendonly\r\n")

INV = ["INVITE sip:bob@192.0.2.20:5060 SIP/2.0",
       "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport",
       "Max-Forwards: 70",
       "From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774",
       "To: <sip:bob@192.0.2.20>",
       "Call-ID: a84b4c76e66710@192.0.2.10",
       "CSeq: 314159 INVITE",
       "Contact: <sip:alice@192.0.2.10:5060>",
       "Supported: timer",
       "Session-Expires: 1800;refresher=uac",
       "Min-SE: 90",
       "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE",
       "Content-Type: application/sdp"]
RESP_COMMON = ["Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060"
               ";received=192.0.2.10",
               "From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774",
               "To: <sip:bob@192.0.2.20>;tag=a6c85cf",
               "Call-ID: a84b4c76e66710@192.0.2.10"]


def msg_seeds():
    write("msg", "invite-sdp-timer", sip(*INV, body=SDP))
    write("msg", "200-session-expires", sip(
        "SIP/2.0 200 OK", *RESP_COMMON, "CSeq: 314159 INVITE",
        "Contact: <sip:bob@192.0.2.20>", "Require: timer",
        "Session-Expires: 1800;refresher=uas", "Content-Type: application/sdp", body=SDP))
    write("msg", "422-min-se", sip(
        "SIP/2.0 422 Session Interval Too Small", *RESP_COMMON, "CSeq: 314159 INVITE",
        "Min-SE: 1800", "Content-Length: 0"))
    write("msg", "180-ringing", sip(
        "SIP/2.0 180 Ringing", *RESP_COMMON, "CSeq: 314159 INVITE", "Content-Length: 0"))
    write("msg", "ack", sip(
        "ACK sip:bob@192.0.2.20 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds9", "Max-Forwards: 70",
        "From: <sip:alice@192.0.2.10>;tag=1928301774", "To: <sip:bob@192.0.2.20>;tag=a6c85cf",
        "Call-ID: a84b4c76e66710@192.0.2.10", "CSeq: 314159 ACK", "Content-Length: 0"))
    write("msg", "bye", sip(
        "BYE sip:alice@192.0.2.10:5060 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKnashds10",
        "From: <sip:bob@192.0.2.20>;tag=a6c85cf", "To: <sip:alice@192.0.2.10>;tag=1928301774",
        "Call-ID: a84b4c76e66710@192.0.2.10", "CSeq: 231 BYE", "Content-Length: 0"))
    write("msg", "update-refresh", sip(
        "UPDATE sip:bob@192.0.2.20 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKupd1", "Max-Forwards: 70",
        "From: <sip:alice@192.0.2.10>;tag=1928301774", "To: <sip:bob@192.0.2.20>;tag=a6c85cf",
        "Call-ID: a84b4c76e66710@192.0.2.10", "CSeq: 314160 UPDATE", "Supported: timer",
        "Session-Expires: 90;refresher=uac", "Content-Length: 0"))
    write("msg", "compact-forms", sip(
        "INVITE sip:bob@example.com SIP/2.0",
        "v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKc1", "f: <sip:a@example.com>;tag=1",
        "t: sip:bob@example.com", "i: compact@pc33", "CSeq: 1 INVITE", "m: <sip:a@pc33>",
        "k: timer", "x: 120;refresher=uas", "c: application/sdp", "l: %d" % len(SDP), body=SDP))
    write("msg", "folded-headers", sip(
        "OPTIONS sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP host.example.com\r\n ;branch=z9hG4bKfold",
        "From: <sip:a@example.com>\r\n\t;tag=2",
        "To: <sip:bob@example.com>", "Call-ID: fold@host", "CSeq: 7\r\n  OPTIONS",
        "Supported: 100rel,\r\n timer", "Session-Expires: 90\r\n ;refresher=uac",
        "Content-Length: 0"))
    write("msg", "ipv6-via", sip(
        "INVITE sip:bob@[2001:db8::20]:5060 SIP/2.0",
        "Via: SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bKv6;rport;received=[2001:db8::10]",
        "Via: SIP/2.0/TCP [::1];branch=z9hG4bKv6b", "From: <sip:a@[2001:db8::10]>;tag=6",
        "To: <sip:bob@[2001:db8::20]>", "Call-ID: v6@2001:db8::10", "CSeq: 1 INVITE",
        "Contact: <sip:a@[2001:db8::10]:5060;transport=udp>", "Content-Type: application/sdp",
        body=SDP6))
    write("msg", "record-route-list", sip(
        "SIP/2.0 200 OK", *RESP_COMMON, "CSeq: 1 INVITE",
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        "Record-Route: \"quoted, name\" <sip:p3.example.com;lr>",
        "Contact: \"Bob \\\"B\\\"\" <sip:bob@192.0.2.20:5062>;expires=60", "Content-Length: 0"))
    write("msg", "bare-lf", "OPTIONS sip:x@y SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKlf\n"
          "From: <sip:a@h>;tag=1\nTo: <sip:x@y>\nCall-ID: lf\nCSeq: 1 OPTIONS\n\n")
    write("msg", "stream-two-messages",
          sip("OPTIONS sip:x@y SIP/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bKs1",
              "From: <sip:a@h>;tag=1", "To: <sip:x@y>", "Call-ID: s1", "CSeq: 1 OPTIONS",
              "Content-Length: 0") +
          sip("SIP/2.0 200 OK", "Via: SIP/2.0/TCP h;branch=z9hG4bKs1", "From: <sip:a@h>;tag=1",
              "To: <sip:x@y>;tag=2", "Call-ID: s1", "CSeq: 1 OPTIONS", "Content-Length: 4",
              body="abcd"))
    write("msg", "keepalive-then-msg", "\r\n\r\n" + sip(
        "BYE sip:x@y SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKk", "From: <sip:a@h>;tag=1",
        "To: <sip:x@y>;tag=3", "Call-ID: k", "CSeq: 2 BYE", "Content-Length: 0"))
    write("msg", "401-digest-challenges", sip(
        "SIP/2.0 401 Unauthorized", *RESP_COMMON, "CSeq: 314160 INVITE",
        "WWW-Authenticate: Digest realm=\"biloxi.com\", qop=\"auth,auth-int\",\r\n"
        " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        "WWW-Authenticate: Digest realm=\"a \\\"q\\\" \\\\ b\", nonce=\"n\", algorithm=SHA-256-sess, "
        "qop=auth-int, stale=TRUE, userhash=true",
        "Proxy-Authenticate: digest REALM=p, NONCE=x, algorithm=SHA-512-256, qop=\"x, auth\"",
        "WWW-Authenticate: Basic realm=\"old\"", "Content-Length: 0"))
    write("msg", "invite-authorization", sip(
        *INV[:7],
        "Authorization: Digest username=\"bob\", realm=\"biloxi.com\",\r\n"
        " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", qop=auth,"
        " nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\","
        " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        "Proxy-Authorization: Digest username=\"u\", realm=\"p\", nonce=\"x\", uri=\"sip:b@h\","
        " response=\"00\", algorithm=MD5-sess, cnonce=\"c\"", "Content-Length: 0"))
    write("msg", "se-huge-values", sip(
        "UPDATE sip:x@y SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKhuge", "From: <sip:a@h>;tag=1",
        "To: <sip:x@y>;tag=3", "Call-ID: huge", "CSeq: 2147483647 UPDATE",
        "Session-Expires: 4294967296;refresher=UAS", "Min-SE: 99999999999999999999",
        "Content-Length: 0"))


def timer_seeds():
    for i, v in enumerate(["1800", "1800;refresher=uac", "90;refresher=uas",
                           " 120 ; refresher = uac ",
                           "4294967295", "4294967296", "0", "1800;refresher=bogus",
                           "1800;foo=bar;refresher=uas", "1800;refresher", "1800;refresher=\"uac\"",
                           "90\r\n ;refresher=uac", "abc", "", ";refresher=uac", "00090",
                           "1800 ;x=\"a;refresher=uas\"", "1800;REFRESHER=UAC"]):
        write("timer_hdrs", "value-%02d" % i, v)


def sdp_seeds():
    write("sdp", "offer", SDP)
    write("sdp", "ipv6-sendonly", SDP6)
    write("sdp", "session-level-inactive", "v=0\r\no=- 5 9 IN IP4 10.0.0.1\r\ns=-\r\na=inactive\r\n"
          "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n")
    write("sdp", "media-and-session-dir", "v=0\no=x 1 18446744073709551615 IN IP4 h\ns=-\n"
          "a=sendonly\nm=audio 65535 RTP/AVP 0\na=recvonly\na=inactive\n")
    write("sdp", "video-then-audio", "v=0\r\no=a 1 3 IN IP4 h\r\nm=video 3227 RTP/AVP 31\r\n"
          "a=inactive\r\nm=audio 49217 RTP/AVP 0 12\r\nm=audio 1 RTP/AVP 0\r\n")
    write("sdp", "no-origin", "v=0\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n")
    write("sdp", "truncated-origin", "o=a 1")


# ---- engine records ------------------------------------------------------------------------------
OP_RAW, OP_TPL, OP_ADV, OP_CALL, OP_HANG, OP_HOLD, OP_NET, OP_HANGALL = range(8)


def rec(op, eng, data=b""):
    return bytes([op | (eng << 3)]) + struct.pack(">H", len(data)) + data


def cfg(mode_a=0, mode_b=0, se_a=0, se_b=0, minse_a=0, minse_b=0, a_extra=0, b_extra=0,
        v6=False, refr_a=1, refr_b=1, meth_a=0, meth_b=0, soft=False):
    def eng(mode, se, minse, refr, meth, extra):
        c0 = mode | (refr << 2) | (meth << 4) | ((1 << 6) if soft else 0)
        return bytes([c0, se, minse, extra])
    return bytes([1 if v6 else 0]) + eng(mode_a, se_a, minse_a, refr_a, meth_a, a_extra) + \
        eng(mode_b, se_b, minse_b, refr_b, meth_b, b_extra)


def adv(unit, n):
    return rec(OP_ADV, 0, bytes([unit]) + struct.pack(">H", n))


def call(eng=0, flags=0, dur=0, hold=0, resume=0):
    return rec(OP_CALL, eng, bytes([flags]) + struct.pack(">HHH", dur, hold, resume))


NEXT = adv(3, 15)  # the next 16 deadlines
SOON = adv(0, 10)


def engine_seeds():
    A, B = 0, 1
    write("engine", "basic-call", cfg() + call() + NEXT + rec(OP_HANG, A, b"\0") + NEXT + NEXT)
    write("engine", "basic-call-v6", cfg(v6=True) + call() + NEXT + adv(2, 5) +
          rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "timer-refreshes", cfg(1, 1) + call() + adv(2, 400) + rec(OP_HANG, A, b"\0")
          + NEXT)
    write("engine", "timer-uas-refresher-update",
          cfg(1, 1, refr_a=2, refr_b=2, meth_a=1, meth_b=1) + call() + adv(2, 300) +
          rec(OP_HANG, B, b"\0") + NEXT)
    write("engine", "timer-required-vs-off", cfg(2, 0) + call() + NEXT + NEXT)
    write("engine", "timer-always-vs-off", cfg(3, 0) + call() + adv(2, 200) + NEXT)
    write("engine", "422-min-se", cfg(1, 1, 0, 255, 0, 15) + call() + NEXT + adv(2, 600) +
          rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "hold-resume", cfg(1, 2, 10, 10) + call() + adv(1, 10) +
          rec(OP_HOLD, A, b"\0\0") + adv(1, 10) + rec(OP_HOLD, A, b"\1\0") + adv(1, 10) +
          rec(OP_HOLD, B, b"\2\0") + adv(1, 10) + rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "scheduled-hold-duration", cfg(1, 1) +
          call(flags=4 | 8 | 16 | 32, dur=3000, hold=500, resume=1500) + adv(2, 60) + NEXT)
    write("engine", "glare", cfg() + call() + adv(1, 10) + rec(OP_HOLD, A, b"\0\0") +
          rec(OP_HOLD, B, b"\0\0") + adv(2, 20) + rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "cancel-while-ringing", cfg(b_extra=3) + call() + adv(0, 200) +
          rec(OP_HANG, A, b"\0") + NEXT + NEXT)
    write("engine", "hangup-before-1xx", cfg(b_extra=2) + rec(OP_NET, 0, b"\1") + call() +
          rec(OP_HANG, A, b"\0") + adv(2, 40))
    write("engine", "lossy-retransmit", cfg(1, 1) + rec(OP_NET, 0, b"\3") + call() +
          adv(0, 5000) + rec(OP_NET, 0, b"\x0c") + adv(2, 100) + rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "reject-486", cfg(b_extra=5 << 2) + call() + NEXT + NEXT)
    write("engine", "max-concurrent", cfg(b_extra=1 << 5) + call() + call() + call() + NEXT +
          rec(OP_HANGALL, A) + adv(2, 40))
    write("engine", "soft-expiry-skip-refresh", cfg(1, 1, 0, 0, 1 << 4, 0, soft=True) + call() +
          adv(2, 1000) + rec(OP_HANG, A, b"\0") + NEXT)
    write("engine", "refresh-answered-491", cfg(1, 1, 0, 0, 0, 0, 0, 5 << 5) + call() +
          adv(2, 300) + NEXT)
    write("engine", "call-to-stranger", cfg(1, 1) + call(flags=1) + adv(2, 40))
    # The caller has credentials (a_extra bit 2): its INVITE is challenged (401, then a 407
    # with SHA-256 and stale=true) before the answerer's 200 gets through.
    write("engine", "auth-401-then-407-stale", cfg(1, 1, a_extra=4) + call() +
          rec(OP_TPL, A, bytes([1, 20, 0, 7, 0, 8])) + SOON +
          rec(OP_TPL, A, bytes([1, 21, 0, 9, 0, 8 | 16 | 32])) + NEXT + NEXT)
    write("engine", "auth-refresh-challenged", cfg(1, 1, a_extra=4) + call() + NEXT +
          adv(2, 400) + rec(OP_TPL, A, bytes([1, 21, 0, 3, 0, 8])) + NEXT + NEXT)
    # Template-driven dialogs: engine B answers fuzz INVITEs; engine A gets fuzz responses.
    inv = bytes([0, 0x00, 0x0b, 0x0c, 0x00])  # INVITE, SE 1800;refresher=uac, Supported+Require
    write("engine", "tpl-invite-ack-bye", cfg(1, 1) + rec(OP_TPL, B, inv) + SOON +
          rec(OP_TPL, B, bytes([5 | (3 << 3), 3, 0, 0, 4, 0])) +       # ACK, CSeq of the INVITE
          adv(2, 30) + rec(OP_TPL, B, bytes([5 | (0 << 3), 4, 0, 0, 4, 0])) + NEXT)
    write("engine", "tpl-invite-update-reinvite", cfg(1, 1) + rec(OP_TPL, B, inv) + SOON +
          rec(OP_TPL, B, bytes([5 | (3 << 3), 3, 0, 0, 4, 0])) +
          rec(OP_TPL, B, bytes([5 | (1 << 3), 4, 0x11, 0x04, 4, 0])) +  # UPDATE SE 90 uac
          rec(OP_TPL, B, bytes([5 | (2 << 3), 4, 0x13, 0x05, 1, 0])) +  # re-INVITE sendonly
          adv(2, 200) + NEXT)
    write("engine", "tpl-invite-garbage-headers", cfg(2, 2) +
          rec(OP_TPL, B, inv + b"Session-Expires: 90\r\nMin-SE: 4294967296\r\nX-Junk: ;;,,") +
          NEXT + adv(2, 40))
    resp = lambda code_idx, x, y, sdp, tag: bytes([1, code_idx, x, y, sdp, tag])
    write("engine", "tpl-uac-180-200-bye", cfg(1, 0) + rec(OP_NET, 0, b"\3") + call(flags=1) +
          rec(OP_TPL, A, resp(1, 0, 0, 4, 0)) + rec(OP_TPL, A, resp(3, 0x12, 0x0c, 0, 0)) +
          adv(2, 10) + rec(OP_TPL, A, bytes([5, 4, 0, 0, 4, 0])) + NEXT)
    write("engine", "tpl-uac-422", cfg(1, 0) + call(flags=1) + rec(OP_TPL, A, resp(7, 0, 2, 4, 0)) +
          rec(OP_TPL, A, resp(8, 0, 3, 4, 0)) + rec(OP_TPL, A, resp(3, 0x0b, 0x0c, 0, 0)) +
          adv(2, 100) + NEXT)
    write("engine", "tpl-uac-2xx-retransmit", cfg(1, 0) + call(flags=1) +
          rec(OP_TPL, A, resp(3, 0x12, 0x0c, 0, 0)) + rec(OP_TPL, A, resp(3, 0x12, 0x0c, 0, 0)) +
          adv(2, 5) + NEXT)
    write("engine", "tpl-cancel", cfg(b_extra=3) + rec(OP_NET, 0, b"\1") + call() +
          rec(OP_TPL, B, bytes([3])) + NEXT + NEXT)
    write("engine", "tpl-retransmit-last", cfg(1, 1) + call() + rec(OP_TPL, B, bytes([4])) +
          rec(OP_TPL, A, bytes([4 | 8])) + adv(2, 5) + NEXT)
    raw_inv = sip(*INV, body=SDP).encode()
    write("engine", "raw-invite", cfg(1, 1) + rec(OP_RAW, B, raw_inv) + adv(2, 40))
    write("engine", "raw-keepalive-and-junk", cfg() + rec(OP_RAW, B, b"\r\n\r\n") +
          rec(OP_RAW, B, b"SIP/2.0 200 OK\r\n\r\n") + call() + NEXT + rec(OP_HANGALL, B) + NEXT)


if __name__ == "__main__":
    msg_seeds()
    timer_seeds()
    sdp_seeds()
    engine_seeds()
