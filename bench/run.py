#!/usr/bin/env python3
"""`make bench`: incident-repl against llm, the openai SDK and curl, side by side in one run.

Standard library only (the peers live in bench/.venv). Every server this script starts is a child
that is stopped on exit, on SIGINT/SIGTERM and on errors; loopback-provider additionally stops
itself after --max-seconds. Nothing is sent anywhere but 127.0.0.1.

    python3 bench/run.py [--quick] [--skip-model]
"""
import atexit
import json
import os
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REL = os.path.join(ROOT, ".build", "release")
REPL = os.path.join(REL, "incident-repl")
LOOPBACK = os.path.join(REL, "loopback-provider")
MICRO = os.path.join(REL, "incident-bench")
VENV = os.path.join(ROOT, "bench", ".venv")
LLM = os.path.join(VENV, "bin", "llm")
VPY = os.path.join(VENV, "bin", "python")
RESULTS = os.path.join(ROOT, "bench", "results")
QUICK = "--quick" in sys.argv
SKIP_MODEL = "--skip-model" in sys.argv
MODEL_PORT = 8231
# The Python peers ingest ≈5,000 deltas/s here (1,000,000 took 161 s for the SDK and 238 s for llm in a
# trial run); they stream a 200,000-delta answer so the whole run stays under 15 minutes, and their rate
# is deltas/s of that run. --full-peers gives them the same 1,000,000 deltas.
PEER_DELTAS = 1_000_000 if "--full-peers" in sys.argv else 200_000

children = []
WORK = tempfile.mkdtemp(prefix="incident-bench-")


def stop_children():
    for proc in children:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
    children.clear()


def cleanup():
    stop_children()
    shutil.rmtree(WORK, ignore_errors=True)


def on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


atexit.register(cleanup)
signal.signal(signal.SIGINT, on_signal)
signal.signal(signal.SIGTERM, on_signal)


def log(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def short(path):
    """A path as shown in the commands: relative to the repo, temp files as $T."""
    return path.replace(WORK, "$T").replace(ROOT + "/", "")


def start_loopback(*args):
    """Starts loopback-provider on an ephemeral 127.0.0.1 port; returns (process, base URL)."""
    proc = subprocess.Popen(
        [LOOPBACK, "--port", "0", "--max-seconds", "1500", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children.append(proc)
    ready, _, _ = select.select([proc.stdout], [], [], 120)
    if not ready:
        raise SystemExit("loopback-provider did not start within 120 s")
    line = proc.stdout.readline().strip()
    match = re.match(r"listening on (http://127\.0\.0\.1:\d+)", line)
    if not match:
        raise SystemExit(f"loopback-provider said: {line!r}")
    return proc, match.group(1)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)
    if proc in children:
        children.remove(proc)


def hyperfine(commands, runs=10, warmup=1, no_shell=False, prepare=None, env=None):
    """Runs hyperfine over [(name, command)]; returns {name: stats in seconds}."""
    out = os.path.join(WORK, "hyperfine.json")
    argv = ["hyperfine", "--style", "none", "--runs", str(runs), "--warmup", str(warmup), "--export-json", out]
    if no_shell:
        argv.append("-N")
    if prepare:
        argv += ["--prepare", prepare]
    for name, command in commands:
        argv += ["--command-name", name, command]
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    return {r["command"]: r for r in data["results"]}


def fmt_s(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def stat(r):
    return f"{fmt_s(r['mean'])} ± {fmt_s(r['stddev'])} (n={len(r['times'])})" if r.get("stddev") is not None \
        else f"{fmt_s(r['mean'])} (n={len(r['times'])})"


rows = []       # (id, measurement, ours, peers, ratio, target, verdict)
commands = []   # (id, command)
notes = []
profiles = []


def row(ident, what, ours, peers, ratio, target, met):
    verdict = "n/a" if met is None else ("**met**" if met else "**missed**")
    rows.append((ident, what, ours, peers, ratio, target, verdict))


def cmd(ident, text):
    commands.append((ident, text))


# ----------------------------------------------------------------------------------------------

def write_transcripts():
    paths = {}
    turns50 = [f"Turn {i}: what did host-{i:02d} do after the beacon to 198.51.100.{i}?" for i in range(1, 51)]
    for name, lines in {
        "t50": turns50,
        "t50q": turns50 + ["quit"],
        "t20": turns50[:20],
        "t1": ["Summarise the incident."],
        "empty": [],
        "quit": ["quit"],
    }.items():
        path = os.path.join(WORK, name + ".txt")
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        paths[name] = path
    body = {"model": "m", "messages": [{"role": "user", "content": turns50[0]}], "stream": True,
            "stream_options": {"include_usage": True}, "max_tokens": 1024}
    paths["req"] = os.path.join(WORK, "req.json")
    with open(paths["req"], "w") as f:
        json.dump(body, f)
    return paths


def llm_env(models):
    """A private LLM_USER_PATH with extra-openai-models.yaml for [(model_id, api_base)]."""
    user = os.path.join(WORK, "llm-user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "extra-openai-models.yaml"), "w") as f:
        for model_id, model_name, api_base in models:
            f.write(f"- model_id: {model_id}\n  model_name: {model_name}\n  api_base: \"{api_base}\"\n"
                    f"  api_key: loopback\n")
    env = dict(os.environ, LLM_USER_PATH=user, OPENAI_API_KEY="loopback")
    return env


def main():
    os.makedirs(RESULTS, exist_ok=True)
    paths = write_transcripts()
    state = os.path.join(WORK, "state")
    env = dict(os.environ, XDG_STATE_HOME=state, NO_COLOR="1")
    reset_state = f"rm -rf {state}"

    instant, url = start_loopback("--format", "openai")
    stream_proc, stream_url = start_loopback("--format", "openai", "--deltas", "1000000")
    peer_proc, peer_url = start_loopback("--format", "openai", "--deltas", str(PEER_DELTAS))
    lenv = llm_env([("loop", "m", url + "/v1"), ("loopstream", "m", peer_url + "/v1"),
                    ("smol", "smollm2-135m-instruct", f"http://127.0.0.1:{MODEL_PORT}/v1")])
    lenv["XDG_STATE_HOME"] = state
    ours = f"{REPL} --provider openai --base-url {url}/v1 --model m"
    runs = 5 if QUICK else 20

    # 1. Start-up ------------------------------------------------------------------------------
    log("1. start-up")
    r = hyperfine([("ours --version", f"{REPL} --version"), ("llm --version", f"{LLM} --version"),
                   ("curl --version", "curl --version")], runs=runs, warmup=3, no_shell=True)
    o, l, cv = r["ours --version"], r["llm --version"], r["curl --version"]
    cmd("1a", f"hyperfine -N --warmup 3 --runs {runs} '{short(REPL)} --version' '{short(LLM)} --version' 'curl --version'")
    ratio = l["mean"] / o["mean"]
    row("1a", "Start-up: `--version`", stat(o), f"llm: {stat(l)}; curl --version (same libcurl): {stat(cv)}",
        f"llm/ours = {ratio:.1f}×; ours/curl = {o['mean'] / cv['mean']:.1f}×",
        "≤ 10 ms; ≥ 80× faster than llm", o["mean"] <= 0.010 and ratio >= 80)

    # Piped mode prints the banner on stderr and "You: " on stdout per turn; the first prompt of a
    # transcript is the first "You:" written, so feed it one turn and stop the clock there.
    first_ours = time_to_first(ours, paths["t1"], b"You:", env, runs)
    first_llm = time_to_first(f"{LLM} chat -m loop", paths["quit"], b"> ", lenv, max(3, runs // 4))
    cmd("1b", f"bench/run.py time_to_first: spawn '{short(ours)} < t1.txt' (XDG_STATE_HOME=$T/state), clock stops at the first "
        f"'You:' on stdout; llm: 'llm chat -m loop < quit.txt', clock stops at its first '> ' prompt; median of runs")
    ratio = first_llm[0] / first_ours[0]
    row("1b", "Start-up: first prompt of a piped transcript", f"{fmt_s(first_ours[0])} median (n={first_ours[1]})",
        f"llm chat: {fmt_s(first_llm[0])} median (n={first_llm[1]})", f"llm/ours = {ratio:.1f}×",
        "≤ 10 ms", first_ours[0] <= 0.010)

    # 2. Per-turn overhead ---------------------------------------------------------------------
    log("2. per-turn overhead (50 turns)")
    curl_one = (f"curl -s -N -H 'Content-Type: application/json' --data-binary @{paths['req']} "
                + " ".join([f"{url}/v1/chat/completions"] * 50))
    curl_loop = (f"for i in $(seq 50); do curl -s -N -H 'Content-Type: application/json' "
                 f"--data-binary @{paths['req']} {url}/v1/chat/completions; done")
    shm_state = tempfile.mkdtemp(prefix="incident-bench-state-", dir="/dev/shm") if os.path.isdir("/dev/shm") else None
    r = hyperfine([
        ("ours 50", f"{ours} < {paths['t50']}"),
        *([("ours 50 shm", f"XDG_STATE_HOME={shm_state} {ours} < {paths['t50']}")] if shm_state else []),
        ("ours 0", f"{ours} < {paths['empty']}"),
        ("curl 1x50", curl_one),
        ("curl 50x1", curl_loop),
    ], runs=max(5, runs // 2), warmup=1, prepare=reset_state + (f" {shm_state}/incident-repl" if shm_state else ""), env=env)
    if shm_state:
        shutil.rmtree(shm_state, ignore_errors=True)
    rl = hyperfine([("llm chat 50", f"{LLM} chat -m loop < {paths['t50q']}")],
                   runs=3 if not QUICK else 2, warmup=1, env=lenv)
    o50, o0, c1, cn, l50 = r["ours 50"], r["ours 0"], r["curl 1x50"], r["curl 50x1"], rl["llm chat 50"]
    cmd("2", f"hyperfine --runs {max(5, runs // 2)} --warmup 1 --prepare 'rm -rf $T/state' "
        f"'{short(ours)} < t50.txt' '{short(ours)} < empty.txt' "
        f"\"curl -s -N -H 'Content-Type: application/json' --data-binary @req.json URL/v1/chat/completions (×50 URLs, one process)\" "
        f"'for i in $(seq 50); do curl … ; done'; and hyperfine --runs 3 '{short(LLM)} chat -m loop < t50q.txt' "
        f"(LLM_USER_PATH with extra-openai-models.yaml → {url}/v1; t50q = the 50 turns + quit)")
    per_ours = o50["mean"] / 50
    marginal = (o50["mean"] - o0["mean"]) / 50
    per_curl = c1["mean"] / 50
    per_curl_proc = cn["mean"] / 50
    per_llm = l50["mean"] / 50
    over = per_ours - per_curl
    row("2", "Per-turn: 50-turn piped transcript, instant server",
        f"{fmt_s(per_ours)}/turn (whole run {stat(o50)}); marginal {(fmt_s(marginal))}/turn over the empty transcript ({fmt_s(o0['mean'])})",
        f"curl, one process, 50 POSTs: {fmt_s(per_curl)}/turn ({stat(c1)}); 50 curl processes: {fmt_s(per_curl_proc)}/turn; "
        f"llm chat: {fmt_s(per_llm)}/turn ({stat(l50)})",
        f"ours − curl(1 process) = {fmt_s(over)}/turn; llm/ours = {per_llm / per_ours:.1f}×",
        "≤ 2 ms/turn above curl", over <= 0.002)
    if shm_state:
        shm = r["ours 50 shm"]
        cmd("2-tmpfs", f"the same 50-turn run with XDG_STATE_HOME on /dev/shm (tmpfs: the journal's fsync(2) costs nothing), "
            "in the same hyperfine call")
        row("2-tmpfs", "Per-turn, diagnostic: journal on tmpfs (no fsync cost)",
            f"{fmt_s(shm['mean'] / 50)}/turn (whole run {stat(shm)})", f"curl (1 process): {fmt_s(per_curl)}/turn",
            f"ours − curl = {fmt_s(shm['mean'] / 50 - per_curl)}/turn; ext4/tmpfs = {o50['mean'] / shm['mean']:.2f}×",
            "diagnostic", None)

    # 3. Streaming ingest ----------------------------------------------------------------------
    log("3. streaming ingest (1,000,000 deltas)")
    n = 1_000_000
    out_ours, out_curl, out_sdk, out_llm = (os.path.join(WORK, f"{x}.txt") for x in ("ours", "curl", "sdk", "llm"))
    ours_stream = f"{REPL} --provider openai --base-url {stream_url}/v1 --model m"
    r = hyperfine([
        ("ours", f"{ours_stream} < {paths['t1']} > {out_ours}"),
        ("curl", f"curl -s -N -H 'Content-Type: application/json' --data-binary @{paths['req']} "
                 f"{stream_url}/v1/chat/completions -o {out_curl}"),
    ], runs=3, warmup=0, prepare=reset_state, env=env)
    rp = hyperfine([
        ("openai SDK", f"{VPY} {ROOT}/bench/sdk_stream.py {peer_url}/v1 {out_sdk}"),
        ("llm", f"{LLM} -m loopstream 'Summarise the incident.' > {out_llm}"),
    ], runs=1, warmup=0, env=lenv)
    sizes = {k: os.path.getsize(p) for k, p in (("ours", out_ours), ("curl", out_curl), ("sdk", out_sdk), ("llm", out_llm))}
    o, c, s, l = r["ours"], r["curl"], rp["openai SDK"], rp["llm"]
    rate = lambda x: n / x["mean"]
    prate = lambda x: PEER_DELTAS / x["mean"]
    cmd("3", f"loopback-provider --format openai --deltas 1000000 (pre-rendered, {sizes['curl']:,} B body); "
        f"hyperfine --runs 3 --prepare 'rm -rf $T/state' '{short(ours_stream)} < t1.txt > $T/ours.txt' "
        f"'curl -s -N -H … --data-binary @req.json URL/v1/chat/completions -o $T/curl.txt'; "
        f"peers against a second loopback-provider --deltas {PEER_DELTAS}: "
        f"hyperfine --runs 1 '{short(VPY)} bench/sdk_stream.py URL2/v1 $T/sdk.txt' "
        f"'{short(LLM)} -m loopstream \"Summarise the incident.\" > $T/llm.txt'")
    notes.append(f"3: output sizes — ours {sizes['ours']:,} B (includes 'You: '/'Assistant: ' labels), "
                 f"SDK {sizes['sdk']:,} B, llm {sizes['llm']:,} B, curl {sizes['curl']:,} B (raw SSE). "
                 "Each figure is the whole process (start-up, request, stream, exit), 1,000,000 deltas / wall time.")
    row("3", "Streaming ingest: 1,000,000 deltas → file",
        f"{rate(o):,.0f} deltas/s ({stat(o)})",
        f"openai SDK: {prate(s):,.0f}/s ({fmt_s(s['mean'])} for {PEER_DELTAS:,}, n=1); "
        f"llm: {prate(l):,.0f}/s ({fmt_s(l['mean'])} for {PEER_DELTAS:,}, n=1); "
        f"curl -sN: {rate(c):,.0f}/s ({stat(c)})",
        f"ours/SDK = {rate(o) / prate(s):.1f}×; ours/llm = {rate(o) / prate(l):.1f}×; ours/curl = {rate(o) / rate(c):.3f}×",
        "≥ 500,000 deltas/s; ≈ 80× the SDK", rate(o) >= 500_000 and rate(o) / prate(s) >= 80)
    stop(stream_proc)
    stop(peer_proc)

    log("3. in-process stages (incident-bench ingest)")
    micro = run_micro(["ingest", "--deltas", str(200_000 if QUICK else n), "--repeats", "1"])
    cmd("3-stages", f"{short(MICRO)} ingest --deltas {200_000 if QUICK else n} --repeats 1")
    stages = {m["stage"]: m for m in micro}
    desc = {
        "split": "line splitting only",
        "sse": "SSE framing (ServerSentEventParser)",
        "decode": "SSE + OpenAIFormat.Decoder (JSON per event)",
        "sanitize": "OutputSanitizer alone, on the joined text per 16 KiB read",
        "pipeline": "SSE + decode + join + sanitize + write(2), no network",
        "client": "CurlTransport → HTTPChatClient → sanitize → write(2), over loopback",
    }
    for name in ("split", "sse", "decode", "sanitize", "pipeline", "client"):
        m = stages[name]
        row(f"3-{name}", f"Ingest stage: {desc[name]}", f"{m['deltas_per_s']:,.0f} deltas/s ({fmt_s(m['best_s'])} for {m['deltas']:,})",
            "", "", "≥ 500,000 deltas/s (whole path)", None)
    measure_render()

    # 4. Connection reuse ----------------------------------------------------------------------
    log("4. connection reuse (20 turns)")
    port = url.rsplit(":", 1)[1]
    shim = os.path.join(WORK, "connect_counter.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", shim, os.path.join(ROOT, "bench", "connect_counter.c"), "-ldl"],
                   check=True)
    counts_log = os.path.join(WORK, "connects.log")
    cenv = dict(env, LD_PRELOAD=shim, BENCH_CONNECT_PORT=port, BENCH_CONNECT_LOG=counts_log)
    binary_runs = 10
    for _ in range(binary_runs):
        shutil.rmtree(state, ignore_errors=True)
        with open(paths["t20"]) as stdin:
            subprocess.run(shlex.split(ours), stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=cenv, check=True, timeout=120)
    with open(counts_log) as f:
        binary_counts = [int(x) for x in f.read().split()]
    micro_runs = 50
    in_process = [run_micro(["connections", "--turns", "20"])[0] for _ in range(micro_runs)]
    accepted = [c["server_connections_accepted"] for c in in_process]
    dist = lambda xs: ", ".join(f"{v} in {xs.count(v)}" for v in sorted(set(xs)))
    cmd("4", f"cc -shared -fPIC -o $T/connect_counter.so bench/connect_counter.c -ldl; {binary_runs}× "
        f"LD_PRELOAD=$T/connect_counter.so BENCH_CONNECT_PORT=PORT {short(ours)} < t20.txt (counts connect(2) to the port, "
        f"no ptrace); and {micro_runs}× {short(MICRO)} connections --turns 20 (LoopbackServer.connectionsAccepted)")
    row("4", "Connection reuse: TCP connections for a 20-turn conversation",
        f"binary: connect() calls per run: {dist(binary_counts)} of {binary_runs} runs (20 turns + the GET /props the first turn makes)",
        f"in process (HTTPChatClient + CurlTransport, turns back to back): connections per run: {dist(accepted)} of {micro_runs} runs",
        "", "1", all(c == 1 for c in binary_counts) and all(a == 1 for a in accepted))

    # 5. History scaling -----------------------------------------------------------------------
    log("5. history scaling")
    views = run_micro(["view"] + (["--quick"] if QUICK else []))
    cmd("5", f"{short(MICRO)} view" + (" --quick" if QUICK else ""))
    by = {(v["messages"], v["window"]): v for v in views}
    for window in ("200k", "8k"):
        cells = []
        for count in (100, 1_000, 10_000, 100_000):
            v = by[(count, window)]
            cells.append(f"{count:,}: {fmt_s(v['median_ns'] / 1e9)} (sends {v['sent_messages']:,}; turn {fmt_s(v['turn_median_ns'] / 1e9)})")
        t10k = by[(10_000, window)]["median_ns"] / 1e9
        growth = by[(100_000, window)]["median_ns"] / by[(10_000, window)]["median_ns"]
        growth2 = by[(10_000, window)]["median_ns"] / by[(1_000, window)]["median_ns"]
        row(f"5-{window}", f"History: makeView median, {window} window (and one turn: append user + view + append answer)",
            "; ".join(cells), "", f"×{growth2:.1f} from 1k→10k, ×{growth:.1f} from 10k→100k messages",
            "≤ 5 ms at 10,000; no worse than linear", t10k <= 0.005 and growth <= 10.0 * 1.25 and growth2 <= 10.0 * 1.25)
    # Diagnostic: the same histories without indicators, to separate the case-facts walk from the rest.
    plain = run_micro(["view", "--quick", "--indicator-every", "0"])
    pby = {(v["messages"], v["window"]): v for v in plain}
    cmd("5-noind", f"{short(MICRO)} view --quick --indicator-every 0")
    for window in ("200k", "8k"):
        cells = [f"{count:,}: {fmt_s(pby[(count, window)]['median_ns'] / 1e9)}" for count in (100, 1_000, 10_000, 100_000)]
        g = pby[(100_000, window)]["median_ns"] / pby[(10_000, window)]["median_ns"]
        row(f"5-noind-{window}", f"History, diagnostic: makeView median, {window} window, no indicators in the history",
            "; ".join(cells), "", f"×{g:.1f} from 10k→100k messages", "diagnostic", None)
    notes.append("5: 'no worse than linear' is checked as ×≤12.5 per 10× messages (25% noise allowance); "
                 "the view cost follows what is sent, which the window caps (≈3,300 messages at 200k, ≈115 at 8k).")

    # 6. Memory ---------------------------------------------------------------------------------
    log("6. memory")
    big = write_big_transcript()
    rss_idle = max_rss(f"{ours} --context-window 1048576", paths["empty"], env)
    rss_big = max_rss(f"{ours} --context-window 1048576", big["path"], env)
    text = big["bytes"] + big["turns"] * len("Hello from the loopback provider.")
    budget = 30 * 1024 * 1024 + 2 * text
    cmd("6", f"/usr/bin/time -v {short(ours)} --context-window 1048576 < empty.txt; and < big.txt "
        f"({big['turns']} turns of {big['bytes'] // big['turns']:,} characters, {big['bytes']:,} B, "
        f"≈{big['tokens']:,} tokens by TokenEstimator's rule of 4 characters per token); 'Maximum resident set size'")
    row("6-idle", "Memory: peak RSS idle (empty transcript)", f"{rss_idle / 1024:.1f} MiB", "", "", "≤ 30 MB",
        rss_idle * 1024 <= 30 * 1024 * 1024)
    row("6-1M", f"Memory: peak RSS after a ≈1,000,000-token conversation ({text / 1e6:.2f} MB of text)",
        f"{rss_big / 1024:.1f} MiB", "", f"budget 30 MiB + 2×text = {budget / 2**20:.1f} MiB",
        "≤ 30 MB + 2 × text", rss_big * 1024 <= budget)
    rss_lastn = max_rss(f"{ours} --context-window 1048576 --strategy last-n --keep-turns 1", big["path"], env)
    cmd("6-lastn", f"/usr/bin/time -v {short(ours)} --context-window 1048576 --strategy last-n --keep-turns 1 < big.txt "
        "(same history kept in memory, but each request carries only the newest exchange)")
    row("6-lastn", "Memory, diagnostic: the same conversation, requests carrying only the last exchange",
        f"{rss_lastn / 1024:.1f} MiB", "", f"full-history requests add {(rss_big - rss_lastn) / 1024:.1f} MiB "
        f"= {(rss_big - rss_lastn) * 1024 / text:.1f}× the text", "diagnostic", None)
    stop(instant)

    # 7. Real model ----------------------------------------------------------------------------
    if SKIP_MODEL:
        notes.append("7: skipped (--skip-model)")
    else:
        try:
            real_model(lenv, env)
        except Exception as error:  # the table still gets printed; the failure is reported in it
            notes.append(f"7: failed: {error!r}")
            row("7", "Real model (SmolLM2-135M)", "failed (see notes)", "", "", "report", None)

    # 8–10. Prompt caching (issue 11) -------------------------------------------------------------
    try:
        prompt_cache()
    except Exception as error:
        notes.append(f"8/9: failed: {error!r}")
    if SKIP_MODEL:
        notes.append("10: skipped (--skip-model)")
    else:
        try:
            real_model_cache()
        except Exception as error:
            notes.append(f"10: failed: {error!r}")
            row("10", "Real model, cache-aware view", "failed (see notes)", "", "", "report", None)

    # Profile what missed ------------------------------------------------------------------------
    if any("missed" in r[6] and r[0].startswith("3") for r in rows):
        profile_ingest()


def measure_render():
    """3-render (issue 15): Markdown rendering of a 1 MB answer at a terminal width, against the ingest pipeline."""
    log("3. rendering a 1 MB Markdown answer (incident-bench render)")
    args = ["render", "--width", "100", "--repeats", "1" if QUICK else "7"]
    m = run_micro(args)[0]
    cmd("3-render", f"{short(MICRO)} {' '.join(args)}")
    added = m["added_vs_ingest"]
    row("3-render", f"Rendering a {m['answer_bytes'] / 1e6:.1f} MB Markdown answer ({m['deltas']:,} deltas, width {m['width']})",
        f"{m['rendered_mb_per_s']:.1f} MB/s; adds {fmt_s(m['added_s'])} to ingest's {fmt_s(m['ingest_pipeline_s'])}; "
        f"per delta p50 {m['delta_rendered_p50_ns'] / 1000:.1f} µs, p99 {m['delta_rendered_p99_ns'] / 1000:.1f} µs "
        f"(plain {m['delta_plain_p50_ns'] / 1000:.1f} / {m['delta_plain_p99_ns'] / 1000:.1f} µs)",
        "", f"added/ingest = {added:.1%} (median of the {m['repeats']} back-to-back runs: "
        f"{m['added_vs_ingest_median']:.1%})", "≤ 10% added to ingest", added <= 0.10)


def time_to_first(command, stdin_path, marker, env, runs):
    """Median seconds from spawn until `marker` appears on stdout (then the process is let finish)."""
    samples = []
    for _ in range(runs):
        shutil.rmtree(env.get("XDG_STATE_HOME", "/nonexistent-bench-state"), ignore_errors=True)
        with open(stdin_path) as stdin:
            start = time.perf_counter()
            proc = subprocess.Popen(shlex.split(command), stdin=stdin, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=env)
            seen = b""
            stamp = None
            deadline = start + 30
            while time.perf_counter() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 1)
                if not ready:
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
                if marker in seen:
                    stamp = time.perf_counter() - start
                    break
            proc.stdout.close()
            proc.wait(timeout=30)
        if stamp is None:
            raise SystemExit(f"{command}: no {marker!r} on stdout")
        samples.append(stamp)
    return statistics.median(samples), len(samples)


def run_micro(args):
    out = subprocess.run([MICRO, *args], check=True, capture_output=True, text=True, timeout=900)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def write_big_transcript():
    """≈1,000,000 tokens of pasted text: 100 turns of 40,000 characters (letters and spaces: 4 chars/token)."""
    words = ("process beacon lateral movement credential dump parent powershell encoded command scheduled "
             "task registry persistence outbound traffic analyst observed alert triage timeline containment").split()
    turns = 100
    path = os.path.join(WORK, "big.txt")
    total = 0
    with open(path, "w") as f:
        for t in range(turns):
            line = []
            size = 0
            i = t
            while size < 40_000:
                w = words[i % len(words)]
                line.append(w)
                size += len(w) + 1
                i += 7
            text = " ".join(line)[:40_000]
            total += len(text)
            f.write(text + "\n")
    return {"path": path, "bytes": total, "turns": turns, "tokens": total // 4}


def max_rss(command, stdin_path, env):
    """Peak RSS in KiB from GNU time -v."""
    shutil.rmtree(env["XDG_STATE_HOME"], ignore_errors=True)
    with open(stdin_path) as stdin:
        out = subprocess.run(["/usr/bin/time", "-v", *shlex.split(command)], stdin=stdin, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=env, timeout=600)
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    if out.returncode != 0 or not match:
        raise SystemExit(f"{command}: status {out.returncode}\n{out.stderr[-2000:]}")
    return int(match.group(1))


def model_up():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{MODEL_PORT}/health", timeout=2) as r:
            return r.status == 200
    except Exception:
        return False


def tokenize_count(text):
    body = json.dumps({"content": text}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{MODEL_PORT}/tokenize", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return len(json.load(r)["tokens"])


def stream_timing(argv, stdin_path, env, strip_prefix):
    """Spawns argv; returns (time to first answer byte, time to last byte, answer text)."""
    start = time.perf_counter()
    with open(stdin_path) as stdin:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    children.append(proc)
    seen = b""
    first = last = None
    deadline = start + 120
    while True:
        if time.perf_counter() >= deadline:
            proc.kill()
            proc.wait(timeout=10)
            children.remove(proc)
            raise RuntimeError(f"{os.path.basename(argv[0])}: no complete answer within 120 s "
                               f"(the shared server on {MODEL_PORT} may be busy)")
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        seen += chunk
        if strip_prefix:
            answer = seen.split(strip_prefix, 1)[1] if strip_prefix in seen else b""
        else:
            answer = seen
        if first is None and answer.strip():
            first = time.perf_counter() - start
        last = time.perf_counter() - start
    proc.stdout.close()
    proc.wait(timeout=30)
    children.remove(proc)
    text = seen.decode(errors="replace")
    if strip_prefix:
        text = text.split(strip_prefix.decode(), 1)[-1]
        text = text.rsplit("\n", 1)[0] if text.endswith("\n") else text
    return first, last, text.strip()


def real_model(lenv, env):
    log("7. real model (SmolLM2 at 127.0.0.1:8231)")
    started = None
    if not model_up():
        # Start the embedded server through the product itself: it stays up only while incident-repl
        # runs, so use a long-lived session fed through a pipe we close at the end.
        log("7. no server on 8231: starting one via incident-repl --provider local")
        started = subprocess.Popen([REPL, "--provider", "local"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env)
        children.append(started)
        for _ in range(120):
            if model_up() or started.poll() is not None:
                break
            time.sleep(1)
        if not model_up():
            notes.append("7: not run — the local SmolLM2 server could not be started (run `make setup`).")
            return
    else:
        notes.append("7: reused the llama.cpp server already listening on 127.0.0.1:8231 (shared; other work may load it).")
    prompt = "List three first steps when a workstation beacons to an unknown IP address."
    ppath = os.path.join(WORK, "model-prompt.txt")
    with open(ppath, "w") as f:
        f.write(prompt + "\n")
    system = "You are a helpful assistant."
    ours_argv = [REPL, "--provider", "openai", "--base-url", f"http://127.0.0.1:{MODEL_PORT}/v1",
                 "--model", "smollm2-135m-instruct", "--temperature", "0", "--max-tokens", "128", "--system", system]
    llm_argv = [LLM, "-m", "smol", "-s", system, "-o", "temperature", "0", "-o", "max_tokens", "128", prompt]
    results = {"ours": [], "llm": []}
    reps = 2 if QUICK else 3
    for _ in range(reps):
        for name in ("ours", "llm"):
            shutil.rmtree(env["XDG_STATE_HOME"], ignore_errors=True)
            if name == "ours":
                first, last, text = stream_timing(ours_argv, ppath, env, b"Assistant: ")
            else:
                first, last, text = stream_timing(llm_argv, os.devnull, lenv, None)
            if first is None:
                raise RuntimeError(f"{name} produced no answer")
            tokens = tokenize_count(text)
            results[name].append((first, last, tokens))
    def summary(samples):
        ttft = statistics.median(s[0] for s in samples)
        tps = statistics.median((s[2] - 1) / (s[1] - s[0]) if s[1] > s[0] else 0 for s in samples)
        toks = statistics.median(s[2] for s in samples)
        return ttft, tps, toks
    o, l = summary(results["ours"]), summary(results["llm"])
    cmd("7", f"{' '.join(short(a) for a in ours_argv[:1])} {' '.join(shlex.quote(a) for a in ours_argv[1:])} < prompt.txt; "
        f"{short(LLM)} {' '.join(shlex.quote(a) for a in llm_argv[1:])} (LLM_USER_PATH model smol → 127.0.0.1:8231/v1); "
        f"clock from spawn to the first answer byte on stdout (TTFT) and to the last; tokens/s = (tokens−1)/(last−first), "
        f"tokens counted by the server's /tokenize; median of {reps}")
    row("7", "Real model (SmolLM2-135M, llama.cpp, max 128 tokens, T=0)",
        f"TTFT {fmt_s(o[0])}, {o[1]:.1f} tokens/s ({o[2]:.0f} tokens)",
        f"llm: TTFT {fmt_s(l[0])}, {l[1]:.1f} tokens/s ({l[2]:.0f} tokens)",
        f"TTFT llm/ours = {l[0] / o[0]:.1f}×; tokens/s ours/llm = {o[1] / l[1]:.2f}×" if l[1] else "", "report", None)
    if started is not None:
        started.stdin.close()
        started.wait(timeout=30)
        children.remove(started)


def prompt_cache():
    """Rows 8 and 9: cache-read ratio of a 60-turn conversation at a 2,500-token window per provider and
    strategy, cache-aware view against the naive one, over loopback providers that simulate each
    provider's caching rules (PromptCacheSimulator); and its cost on Claude Sonnet."""
    log("8. prompt cache: incident-bench cache")
    argv = [MICRO, "cache", "--turns", "60", "--window", "2500", "--max-tokens", "200"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=True).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    with open(os.path.join(RESULTS, "prompt-cache.jsonl"), "w") as f:
        f.write(out)
    cmd("8", f"{short(MICRO)} cache --turns 60 --window 2500 --max-tokens 200 (a real ChatSession per provider × "
        "strategy × view against a LoopbackServer running PromptCacheSimulator; ratio = cache-read tokens / prompt "
        "tokens of the answer requests from the first truncation on; results: bench/results/prompt-cache.jsonl)")
    by = {(r["provider"], r["strategy"], r["view"]): r for r in results}
    for provider in ("anthropic", "openai", "llamacpp", "gemini", "ollama"):
        for strategy in ("drop-oldest", "summarise", "last-n:8"):
            aware, naive = by.get((provider, strategy, "cache-aware")), by.get((provider, strategy, "naive"))
            if not aware or not naive:
                continue
            ratio = aware["cache_read_ratio_after_first_truncation"]
            # The 75% target is for drop-oldest and summarise; last-n keeps at least its N
            # exchanges, so it is reported against its naive view only.
            targeted = strategy != "last-n:8"
            row(f"8-{provider}-{strategy}", f"Cache-read ratio after the first truncation: {provider}, {strategy}",
                f"{ratio:.1%} (all turns {aware['cache_read_ratio_all_turns']:.1%})",
                f"naive view: {naive['cache_read_ratio_after_first_truncation']:.1%}",
                f"+{(ratio - naive['cache_read_ratio_after_first_truncation']) * 100:.1f} points",
                "≥ 75%" if targeted else "report", (ratio >= 0.75) if targeted else None)
    for strategy in ("drop-oldest", "summarise", "last-n:8"):
        aware, naive = by.get(("anthropic", strategy, "cache-aware")), by.get(("anthropic", strategy, "naive"))
        if aware and naive and "sonnet_cost_usd" in aware:
            row(f"9-{strategy}", f"Cost of the 60-turn conversation on Claude Sonnet (list prices), {strategy}",
                f"${aware['sonnet_cost_usd']:.4f} with caching", f"without caching (naive view, no breakpoints): "
                f"${naive['sonnet_cost_usd']:.4f}", f"{naive['sonnet_cost_usd'] / aware['sonnet_cost_usd']:.2f}× cheaper",
                "report", None)


def real_model_cache():
    """Row 10: a 30-turn triage transcript through the embedded llama.cpp server at a 2,048-token window,
    naive view against the cache-aware one; llama.cpp's own timings per answer."""
    log("10. real model, cache-aware view: incident-bench real-cache (starts its own llama.cpp server)")
    figures = {}
    for view in ("naive", "cache-aware"):
        argv = [MICRO, "real-cache", "--turns", "30", "--window", "2048", "--max-tokens", "80", "--root", ROOT]
        if view == "naive":
            argv.append("--naive")
        out = subprocess.run(argv, capture_output=True, text=True, timeout=1800, check=True).stdout
        with open(os.path.join(RESULTS, f"real-cache-{view}.jsonl"), "w") as f:
            f.write(out)
        figures[view] = [json.loads(l) for l in out.splitlines() if '"real-cache"' in l][-1]
    cmd("10", f"{short(MICRO)} real-cache --turns 30 --window 2048 --max-tokens 80 [--naive] (SmolLM2-135M, T=0, "
        "drop-oldest; llama.cpp timings cache_n/prompt_n/prompt_ms of every answer; after the window fills = from the "
        "first truncation on; results: bench/results/real-cache-*.jsonl)")
    a, n = figures["cache-aware"], figures["naive"]
    slow_a = a["median_prompt_ms_after_fill"] / max(a["median_prompt_ms_before_fill"], 1e-9)
    slow_n = n["median_prompt_ms_after_fill"] / max(n["median_prompt_ms_before_fill"], 1e-9)
    row("10", "Real model at a 2,048 window: tokens re-evaluated per turn after the window fills; median prompt time",
        f"{a['mean_prompt_n_after_fill']:.0f} tokens ({a['mean_reevaluated_share_of_window_after_fill']:.1%} of the window); "
        f"{a['median_prompt_ms_before_fill']:.0f} → {a['median_prompt_ms_after_fill']:.0f} ms ({slow_a:.1f}×)",
        f"naive view: {n['mean_prompt_n_after_fill']:.0f} tokens ({n['mean_reevaluated_share_of_window_after_fill']:.1%}); "
        f"{n['median_prompt_ms_before_fill']:.0f} → {n['median_prompt_ms_after_fill']:.0f} ms ({slow_n:.1f}×)",
        "", "≤ 15% of the window; after ≤ 3× before",
        a["mean_reevaluated_share_of_window_after_fill"] <= 0.15 and slow_a <= 3 and a["failed_turns"] == 0)


def profile_ingest():
    log("profile: callgrind on incident-bench stage decode")
    out = os.path.join(RESULTS, "callgrind.decode.out")
    n = 20_000
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", MICRO, "stage", "decode",
                    "--deltas", str(n)], check=True, capture_output=True, timeout=900)
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], capture_output=True, text=True).stdout
    demangler = shutil.which("swift")
    if demangler:
        ann = subprocess.run([demangler, "demangle", "--simplified"], input=ann, capture_output=True, text=True).stdout
    with open(os.path.join(RESULTS, "callgrind.decode.txt"), "w") as f:
        f.write(ann)
    cmd("profile", f"valgrind --tool=callgrind {short(MICRO)} stage decode --deltas {n}; callgrind_annotate --inclusive=yes "
        "| swift demangle --simplified (full output: bench/results/callgrind.decode.txt)")
    keys = ("PROGRAM TOTALS", "runStage(_:reads:sink:) ", "LineSplitter.feed", "ServerSentEventParser.dispatch",
            "OpenAIFormat.Decoder.decode", "WireJSON.decode", "JSONDecoder.decode<", "OpenAIFormat.Chunk.init",
            "getGenericMetadata", "JSONScanner.scanValue", "swift_allocObject", "malloc [")
    picked, seen = [], set()
    for line in ann.splitlines():
        if not re.match(r"\s*[\d,]+ \(", line):
            continue
        clean = re.sub(r" \[/[^]]*\]", "", line).replace(ROOT + "/", "")
        for key in keys:
            if key in clean and key not in seen:
                seen.add(key)
                picked.append(clean[:170])
    total = next((int(l.split()[0].replace(",", "")) for l in picked if "PROGRAM TOTALS" in l), 0)
    profiles.append(f"Inclusive instruction counts (callgrind), `incident-bench stage decode --deltas {n:,}` "
                    f"(SSE framing + OpenAIFormat.Decoder), ≈{total / n:,.0f} instructions per delta:\n\n```\n"
                    + "\n".join(picked) + "\n```")


def render():
    head = ["# incident-repl benchmarks", "",
            f"Run {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {os.uname().nodename} "
            f"({os.cpu_count()} CPUs, shared and noisy; compare the ratios){' — QUICK mode' if QUICK else ''}.", "",
            "| # | Measurement | incident-repl | Peers | Ratio | Target | Verdict |",
            "|---|---|---|---|---|---|---|"]
    body = [f"| {i} | {w} | {o} | {p} | {r} | {t} | {v} |" for i, w, o, p, r, t, v in rows]
    cmds = ["", "## Commands", ""] + [f"- **{i}**: `{c}`" for i, c in commands]
    note = (["", "## Notes", ""] + [f"- {n}" for n in notes]) if notes else []
    prof = (["", "## Profile", ""] + profiles) if profiles else []
    return "\n".join(head + body + cmds + note + prof) + "\n"


def casefile_bench():
    """`python3 bench/run.py --casefile [--quick]`: the case file alone (search, sessions, verify, the chain's
    per-line cost) over 1,000 generated sessions of 100 turns (--quick: 200 of 50). No peers, no servers."""
    sessions, turns = ("200", "50") if QUICK else ("1000", "100")
    log(f"case file: incident-bench casefile --sessions {sessions} --turns {turns}")
    results = run_micro(["casefile", "--sessions", sessions, "--turns", turns])
    by = {}
    for r in results:
        by.setdefault(r["bench"], []).append(r)
    gen = by["casefile-generate"][0]
    cmd("CF", f"incident-bench casefile --sessions {sessions} --turns {turns} (journals generated in /tmp, removed after)")
    cold = by["casefile-search-cold"][0]
    row("CF-1", f"Search, first run (indexes {cold['sessions_indexed']} sessions, {gen['journal_bytes'] / 1e6:.0f} MB of journals)",
        f"{cold['ms']:.0f} ms, {cold['hits']} hits", "-", "-", "-", None)
    for r in by["casefile-search"]:
        ms = r["median_ms"]
        is_indicator = " " not in r["term"] and not r["term"].startswith("WS")
        row("CF-2", f"Search `{r['term']}` ({'indicator' if is_indicator else 'text'}, warm)",
            f"{ms:.2f} ms median, {r.get('median_cpu_ms', 0):.2f} ms CPU (n={r['runs']}), {r['hits']} hits", "-", "-",
            "≤ 50 ms" if is_indicator else "-", (ms <= 50) if is_indicator else None)
    r = by["casefile-sessions"][0]
    row("CF-3", f"`incident-repl sessions` ({r['sessions']} sessions)", f"{r['median_ms']:.2f} ms median", "-", "-", "-", None)
    r = by["casefile-verify"][0]
    row("CF-4", f"`incident-repl verify` of one {r['turns']}-turn journal", f"{r['median_ms']:.2f} ms median ({r['result']})",
        "-", "-", "-", None)
    r = by["casefile-append-line"][0]
    row("CF-5", f"Per journal line: chain link (SHA-256 of a {r['line_bytes']}-byte answer line)",
        f"{r['chain_us']:.1f} µs (encode alone {r['encode_us']:.1f} µs)", "-", "-", "-", None)


if __name__ == "__main__" and "--casefile" in sys.argv:
    try:
        casefile_bench()
    finally:
        stop_children()
    print(render())
    sys.exit(0)

if __name__ == "__main__":
    try:
        main()
    finally:
        stop_children()
    table = render()
    print(table)
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write(table)
