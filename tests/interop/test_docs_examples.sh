# Runs the examples of README.md and docs/*.md as written, with the real binary.
#
# Which examples run:
#   - Commands in ```sh fenced blocks. Other fences (``` alone) hold transcripts and output and
#     are never run. In a block, a command is a line that starts with `sipbeat ` or
#     `build/sipbeat `, joined with its `\` continuation lines; other lines (make, jq, echo)
#     are left alone.
#   - Loopback only: every address in the command must be 127.x.x.x, [::1] or localhost.
#     Anything else (192.0.2.10, a PBX's host name) is documentation only: skipped, and listed.
#   - `sipbeat parse FILE` needs its capture file, and an address without a port would need
#     5060: both are skipped and listed too.
#
# Annotation (the docs' convention): a command expected to exit non-zero ends with a shell
# comment `# exit N`, e.g.
#       sipbeat call sip:7000@127.0.0.1:5080 -d 2m ... --timer-unchecked  # exit 1
# Without it the expected exit code is 0, except for `sipbeat answer` without --max-calls,
# which the test stops with SIGTERM like a Ctrl-C: expected 4. The comment is harmless when
# the line is pasted into a shell.
#
# How they run:
#   - Each example runs in its own scratch directory (its --report/--trace files land there),
#     under `timeout`. Every loopback port is replaced by a free one, the same replacement for
#     the whole block, so the test never collides with something on 5070.
#   - Within one block, `sipbeat answer --listen ADDR:P` and `sipbeat call ...@ADDR:P` run
#     together, as in two terminals: the answerer first, then the calls.
#   - A call with no answerer in its block gets `sipbeat answer --listen ADDR:P` from the test;
#     an answer with no caller gets a bounded `sipbeat call` (one call of 1 s, or --max-calls
#     calls). Both copy the example's --timer, --timer-se, --timer-min-se and
#     --timer-unchecked, so that timers are negotiated as the example means them. The test
#     stops what it started by PID.
# The test fails if an example exits with another code than expected, or if none ran.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
python3 - "$SIPBEAT" "$TMP" "$ROOT" <<'PY'
import atexit, errno, glob, os, re, shlex, signal, socket, subprocess, sys, time

SIPBEAT, TMP, ROOT = sys.argv[1:4]
LIMIT_S = 60  # per process; every example should finish well within it
procs = []    # everything started, stopped by PID at the end whatever happens


def kill_left():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(kill_left)  # also on an exception or a signal: nothing outlives the test
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

# ---- extraction ----------------------------------------------------------------------------


def examples(path):
    """(line number, command text) of every sipbeat command in the file's ```sh blocks, with
    the block number."""
    out, block, in_sh, fence = [], 0, False, None
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*(```+|~~~+)\s*(\S*)", line)
        if m and fence is None:
            fence, in_sh = m.group(1), m.group(2) in ("sh", "bash", "shell")
            block += 1
        elif m and line.strip() == fence:
            fence, in_sh = None, False
        elif in_sh and re.match(r"^\s*(build/)?sipbeat\s", line):
            start, text = i + 1, line.strip()
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1].rstrip() + " " + lines[i].strip()
            out.append((start, block, text))
        i += 1
    return out


IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
HOSTPORT = re.compile(r"(127(?:\.\d{1,3}){3}|\[::1\]|localhost):(\d+)")


def classify(argv):
    """None if the command is loopback only, else why it is skipped."""
    joined = " ".join(argv)
    for ip in IPV4.findall(joined):
        if not ip.startswith("127."):
            return "address %s" % ip
    for v6 in re.findall(r"\[([0-9A-Fa-f:.]*)\]", joined):
        if v6 != "::1":
            return "address [%s]" % v6
    for host in re.findall(r"\bsips?:(?:[^@\s]*@)?(\[[^\]]*\]|[^:;>\s]+)", joined):
        if not (host == "localhost" or host == "[::1]" or IPV4.fullmatch(host)):
            return "host %s" % host
    if len(argv) > 1 and argv[1] == "parse":
        return "parse needs its capture file"
    if len(argv) > 1 and argv[1] == "call":
        uri = next((a for a in argv[2:] if a.startswith("sip:")), "")
        if not HOSTPORT.search(uri):
            return "URI without port (would need 5060)"
    if len(argv) > 1 and argv[1] == "answer" and not HOSTPORT.search(str(flag(argv, "--listen"))):
        return "no --listen ADDR:PORT (would need 5060)"
    return None


def flag(argv, name):
    """Value of a flag given as `name VALUE` or `name=VALUE`, True for a switch, or None."""
    for k, a in enumerate(argv):
        if a == name:
            return argv[k + 1] if k + 1 < len(argv) and not argv[k + 1].startswith("-") else True
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def timer_flags(argv):
    out = []
    for name in ("--timer", "--timer-se", "--timer-min-se"):
        v = flag(argv, name)
        if isinstance(v, str):
            out += [name, v]
    if flag(argv, "--timer-unchecked"):
        out.append("--timer-unchecked")
    return out


# ---- running -------------------------------------------------------------------------------


def free_port(host):
    fam = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.bind((host.strip("[]").replace("localhost", "127.0.0.1"), 0))
        return s.getsockname()[1]


def bound(host, port):
    """True when something holds the UDP port."""
    fam = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host.strip("[]").replace("localhost", "127.0.0.1"), port))
        except OSError as e:
            return e.errno == errno.EADDRINUSE
    return False


def start(argv, cwd, log):
    p = subprocess.Popen(["timeout", "--kill-after=5", str(LIMIT_S)] + argv, cwd=cwd,
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    procs.append(p)
    return p


def wait_listening(p, host, port):
    for _ in range(100):
        if bound(host, port) or p.poll() is not None:
            return
        time.sleep(0.05)


def finish(p, stop):
    """Exit code of p; with stop, it is sent SIGTERM first (a Ctrl-C)."""
    if stop and p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        return p.wait(LIMIT_S + 10)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


def target_of(ex):
    m = HOSTPORT.search(next((a for a in ex["argv"][2:] if a.startswith("sip:")), ""))
    return (m.group(1), int(m.group(2)))


def listen_of(ex):
    m = HOSTPORT.search(flag(ex["argv"], "--listen"))
    return (m.group(1), int(m.group(2)))


ran, skipped, failed, n = [], [], [], 0
docs = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
blocks = {}
for path in docs:
    rel = os.path.relpath(path, ROOT)
    for line, block, text in examples(path):
        where = "%s:%d" % (rel, line)
        m = re.search(r"#\s*exit\s+(\d+)\s*$", text)
        expect = int(m.group(1)) if m else None
        try:
            argv = shlex.split(text, comments=True)
        except ValueError as e:
            failed.append("%s: cannot split the command (%s): %s" % (where, e, text))
            continue
        if argv and argv[-1] == "&":
            argv.pop()
        bad = [a for a in argv if a in ("|", "||", "&&", ";", "&", ">", "<", ">>")]
        why = "not a simple command (%s)" % bad[0] if bad else classify(argv)
        if why:
            skipped.append("%s  %s  [%s]" % (where, text, why))
            continue
        blocks.setdefault((rel, block), []).append(
            {"where": where, "text": text, "argv": argv, "expect": expect})

for (rel, block), exs in blocks.items():
    # One free port per loopback host:port of the block, used wherever it appears.
    ports = {}
    for ex in exs:
        for host, port in HOSTPORT.findall(" ".join(ex["argv"])):
            if port != "0" and (host, port) not in ports:
                ports[(host, port)] = str(free_port(host))
    for ex in exs:
        ex["argv"] = [HOSTPORT.sub(lambda m: "%s:%s" % (
            m.group(1), ports.get((m.group(1), m.group(2)), m.group(2))), a) for a in ex["argv"]]
        ex["argv"][0] = SIPBEAT
        n += 1
        ex["dir"] = os.path.join(TMP, "ex%d" % n)
        os.mkdir(ex["dir"])
        ex["log"] = open(os.path.join(TMP, "ex%d.log" % n), "w")
        ex["log"].write("# %s\n# %s\n" % (ex["where"], shlex.join(ex["argv"])))
        ex["log"].flush()
    answers = [e for e in exs if e["argv"][1] == "answer"]
    calls = [e for e in exs if e["argv"][1] == "call"]
    others = [e for e in exs if e["argv"][1] not in ("answer", "call")]
    helpers = []  # (process, what) started by the test itself

    def helper(argv, ex):
        argv = [SIPBEAT] + argv
        ex["log"].write("# helper: %s\n" % shlex.join(argv))
        ex["log"].flush()
        return start(argv, ex["dir"], ex["log"])

    t0 = time.monotonic()
    for ex in answers:
        ex["proc"] = start(ex["argv"], ex["dir"], ex["log"])
        wait_listening(ex["proc"], *listen_of(ex))
    listening = {listen_of(e) for e in answers}
    for ex in calls:
        uas = None
        if target_of(ex) not in listening:
            host, port = target_of(ex)
            uas = helper(["answer", "--listen", "%s:%d" % (host, port), "-q"] +
                         timer_flags(ex["argv"]), ex)
            wait_listening(uas, host, port)
        t = time.monotonic()
        ex["rc"] = finish(start(ex["argv"], ex["dir"], ex["log"]), False)
        ex["secs"] = time.monotonic() - t
        if uas:
            helpers.append((finish(uas, True), ex, "the test's answerer"))
    targeted = {target_of(e) for e in calls}
    for ex in answers:
        host, port = listen_of(ex)
        if (host, port) not in targeted:
            m = flag(ex["argv"], "--max-calls")
            uac = helper(["call", "sip:docs@%s:%d" % (host, port), "-m",
                          m if isinstance(m, str) else "1", "-r", "10", "-d", "1s", "-q"] +
                         timer_flags(ex["argv"]), ex)
            helpers.append((finish(uac, False), ex, "the test's caller"))
        has_max = isinstance(flag(ex["argv"], "--max-calls"), str)
        ex["rc"] = finish(ex["proc"], not has_max)
        ex["secs"] = time.monotonic() - t0
        if ex["expect"] is None and not has_max:
            ex["expect"] = 4
    for ex in others:
        t = time.monotonic()
        ex["rc"] = finish(start(ex["argv"], ex["dir"], ex["log"]), False)
        ex["secs"] = time.monotonic() - t
    for rc, ex, what in helpers:
        if rc in (2, 3, 124, 137):  # usage, runtime, timeout: the test's own run went wrong
            failed.append("%s: %s exited %d (see ex*.log)" % (ex["where"], what, rc))
    for ex in exs:
        want = 0 if ex["expect"] is None else ex["expect"]
        line = "%s  exit %d  %.1f s  %s" % (ex["where"], ex["rc"], ex["secs"], ex["text"])
        ran.append(line)
        if ex["rc"] != want:
            failed.append("%s: exit %d, expected %d: %s" % (ex["where"], ex["rc"], want,
                                                              ex["text"]))
        ex["log"].close()

for line in ran:
    print("ran      " + line)
for line in skipped:
    print("skipped  " + line)
for line in failed:
    print("FAILED   " + line, file=sys.stderr)
print("docs examples: %d ran, %d skipped, %d failed" % (len(ran), len(skipped), len(failed)))
if not ran:
    print("FAILED   no loopback example found in the docs", file=sys.stderr)
    sys.exit(1)
sys.exit(1 if failed else 0)
PY
pass
