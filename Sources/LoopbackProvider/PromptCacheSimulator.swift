import Synchronization

/// Simulates each provider's prompt cache over the requests a loopback server receives, so that
/// benchmarks and tests can measure how much of a conversation's prompts would be read from it.
///
/// A prompt is tokenised deterministically (a role token per block, then one token per four
/// UTF-8 bytes of text, counted from the start of the block), and the rules are:
/// - **Anthropic**: entries are written only at `cache_control` breakpoints whose prefix is at
///   least ``minimumTokens`` long; a request reads, at each of its breakpoints, the longest entry
///   found walking back from that block through ``anthropicLookback`` blocks (the breakpoint itself
///   counted as the first); what lies between the hit and the last breakpoint is written.
/// - **The others** (OpenAI, llama.cpp, Gemini, Ollama): the longest common prefix with any earlier
///   request counts, from ``minimumTokens`` tokens on, in steps of ``step`` tokens.
///
/// The counts are reported in each provider's own usage fields (see ``TokenUsage``).
public final class PromptCacheSimulator: Sendable {
    /// The shortest prefix that is cached.
    public let minimumTokens: Int
    /// The granularity of a hit beyond the minimum (OpenAI: 128).
    public let step: Int
    /// How many blocks Anthropic looks back from each breakpoint, the breakpoint included.
    public static let anthropicLookback = 20

    private struct State {
        /// Earlier prompts as token sequences (prefix providers), newest last.
        var prompts: [[UInt32]] = []
        /// Anthropic entries: the hash of a prefix ending at a block boundary, and its length.
        var entries: [UInt64: Int] = [:]
    }

    private let state = Mutex(State())

    /// How many earlier prompts the prefix providers compare against.
    static let remembered = 64

    public init(minimumTokens: Int = 1_024, step: Int = 128) {
        self.minimumTokens = minimumTokens
        self.step = step
    }

    /// One block of a prompt in the order the provider renders it.
    struct Block: Equatable {
        var role: String
        var text: String
        var isBreakpoint: Bool
    }

    /// The prompt tokens of `request` as this simulator counts them, without touching the cache
    /// (for token-counting endpoints).
    public func promptTokens(for request: RecordedRequest, format: ProviderFormat) -> Int {
        Self.blocks(of: request, format: format).reduce(0) { $0 + Self.tokens($1).count }
    }

    /// The usage to report for `request` (an answer of `output` tokens), updating the cache.
    public func usage(for request: RecordedRequest, format: ProviderFormat, output: Int) -> TokenUsage {
        let blocks = Self.blocks(of: request, format: format)
        let tokenBlocks = blocks.map { Self.tokens($0) }
        let total = tokenBlocks.reduce(0) { $0 + $1.count }
        if format == .anthropic {
            return state.withLock { anthropic(blocks, tokenBlocks, total: total, output: output, state: &$0) }
        }
        let prompt = Array(tokenBlocks.joined())
        return state.withLock { state in
            var longest = 0
            for earlier in state.prompts {
                var index = 0
                let limit = min(earlier.count, prompt.count)
                while index < limit, earlier[index] == prompt[index] { index += 1 }
                longest = max(longest, index)
            }
            state.prompts.append(prompt)
            if state.prompts.count > Self.remembered { state.prompts.removeFirst() }
            let hit = longest < minimumTokens ? 0 : minimumTokens + (longest - minimumTokens) / step * step
            return TokenUsage(input: total, output: output, cacheRead: min(hit, total))
        }
    }

    private func anthropic(
        _ blocks: [Block], _ tokenBlocks: [[UInt32]], total: Int, output: Int, state: inout State
    ) -> TokenUsage {
        // The hash and length of the prefix that ends with each block.
        var hashes: [UInt64] = []
        var lengths: [Int] = []
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var length = 0
        for tokens in tokenBlocks {
            for token in tokens { hash = (hash ^ UInt64(token)) &* 0x0000_0100_0000_01B3 }
            length += tokens.count
            hashes.append(hash)
            lengths.append(length)
        }
        let breakpoints = blocks.indices.filter { blocks[$0].isBreakpoint }
        var read = 0
        for breakpoint in breakpoints {
            var index = breakpoint
            while index >= 0, index > breakpoint - Self.anthropicLookback {
                if let found = state.entries[hashes[index]] {
                    read = max(read, found)
                    break
                }
                index -= 1
            }
        }
        var written = 0
        for breakpoint in breakpoints where lengths[breakpoint] >= minimumTokens {
            if state.entries[hashes[breakpoint]] == nil {
                state.entries[hashes[breakpoint]] = lengths[breakpoint]
                written = max(written, lengths[breakpoint] - read)
            }
        }
        return TokenUsage(input: total, output: output, cacheRead: read, cacheWrite: max(0, written))
    }

    /// Forgets every entry.
    public func reset() {
        state.withLock { $0 = State() }
    }

    // MARK: - Prompts as blocks and tokens

    /// The blocks of a request's prompt, in the provider's rendering order.
    static func blocks(of request: RecordedRequest, format: ProviderFormat) -> [Block] {
        guard let json = request.json() else { return [] }
        var blocks: [Block] = []
        switch format {
        case .anthropic:
            if let text = json["system"]?.string {
                blocks.append(Block(role: "system", text: text, isBreakpoint: false))
            } else {
                for block in json["system"]?.array ?? [] {
                    blocks.append(Block(role: "system", text: block["text"]?.string ?? "",
                                        isBreakpoint: block["cache_control"]?.object != nil))
                }
            }
            for message in json["messages"]?.array ?? [] {
                let role = message["role"]?.string ?? ""
                if let text = message["content"]?.string {
                    blocks.append(Block(role: role, text: text, isBreakpoint: false))
                } else {
                    for block in message["content"]?.array ?? [] {
                        blocks.append(Block(role: role, text: block["text"]?.string ?? "",
                                            isBreakpoint: block["cache_control"]?.object != nil))
                    }
                }
            }
            if json["cache_control"]?.object != nil, !blocks.isEmpty { blocks[blocks.count - 1].isBreakpoint = true }
        case .openai, .llamaCpp, .ollama:
            for message in json["messages"]?.array ?? [] {
                blocks.append(Block(role: message["role"]?.string ?? "", text: message["content"]?.string ?? "",
                                    isBreakpoint: false))
            }
        case .gemini:
            for part in json["systemInstruction"]?["parts"]?.array ?? [] {
                blocks.append(Block(role: "system", text: part["text"]?.string ?? "", isBreakpoint: false))
            }
            for content in json["contents"]?.array ?? [] {
                for part in content["parts"]?.array ?? [] {
                    blocks.append(Block(role: content["role"]?.string ?? "", text: part["text"]?.string ?? "",
                                        isBreakpoint: false))
                }
            }
        }
        return blocks
    }

    /// A block as tokens: one for its role, then one per four bytes of text.
    static func tokens(_ block: Block) -> [UInt32] {
        var tokens: [UInt32] = [fnv(Array(("<" + block.role + ">").utf8)[...])]
        let bytes = Array(block.text.utf8)
        var offset = 0
        while offset < bytes.count {
            tokens.append(fnv(bytes[offset..<min(offset + 4, bytes.count)]))
            offset += 4
        }
        return tokens
    }

    private static func fnv(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }
}
