import ConversationCore
import LLMClients
import Safeguards
/// `/facts`: the case facts, where each came from, and which are sent.
extension ChatSession {
    /// Indicator kinds by the words `/facts KIND` takes.
    static let factKinds: [String: Set<Indicator.Kind>] = [
        "ip": [.ipv4, .ipv6, .cidr], "ipv4": [.ipv4], "ipv6": [.ipv6], "cidr": [.cidr], "net": [.ipv4, .ipv6, .cidr],
        "domain": [.domain], "domains": [.domain], "url": [.url], "urls": [.url],
        "email": [.email], "mail": [.email], "e-mail": [.email],
        "hash": [.md5, .sha1, .sha256], "hashes": [.md5, .sha1, .sha256],
        "md5": [.md5], "sha1": [.sha1], "sha-1": [.sha1], "sha256": [.sha256], "sha-256": [.sha256],
        "cve": [.cve], "attack": [.attackTechnique], "technique": [.attackTechnique], "ttp": [.attackTechnique],
        "path": [.filePath], "file": [.filePath], "host": [.host], "hosts": [.host], "user": [.user], "users": [.user],
    ]

    /// `/facts [KIND]`: pins, the analyst's indicators and the model's, where each came from and
    /// which the next request carries.
    func showFacts(_ argument: String) {
        var kinds: Set<Indicator.Kind>?
        if !argument.isEmpty {
            guard let chosen = Self.factKinds[argument.lowercased()] else {
                return warn("usage: /facts [KIND], KIND one of: " + Self.factKinds.keys.sorted().joined(separator: ", "))
            }
            kinds = chosen
        }
        guard !conversation.facts.isEmpty else {
            return say("no case facts yet: indicators are collected as you talk; /pin TEXT adds one")
        }
        let carried: CarriedFacts?
        switch nextView() {
        case .success(let view): carried = conversation.facts.carried(in: view)
        case .failure: carried = nil
        }
        sayUntrusted(conversation.facts.listing(kinds: kinds, carried: carried))
    }
}
