/// Digests for callers outside this module (the outbound filter's fence nonces).
public enum Digest {
    /// The SHA-256 of `bytes` as 64 lower-case hexadecimal characters.
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        SHA256.hexDigest(bytes)
    }

    /// A fast, deterministic 64-bit FNV-1a hash of `bytes` (not cryptographic), as 16 hexadecimal
    /// characters: a stable name for a long text, the same in every process.
    public static func fnv1a64Hex(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
