import ConversationCore

/// The case's indicators for `/iocs` and its exports: each with where it came from (typed, pasted,
/// which evidence file; model-only ones apart), the messages it was first and last seen in, and
/// ATT&CK technique IDs checked against ``AttackCatalog`` (a revoked or deprecated one is flagged with
/// what ATT&CK made of it).
struct IndicatorInventory: Sendable {
    /// One indicator and what is known about it.
    struct Entry: Sendable, Equatable {
        var indicator: Indicator
        /// How the analyst gave it (`typed`, `pasted`, `evidence`), or `model` alone.
        var sources: [String]
        /// Evidence files it appears in, by name.
        var evidenceFiles: [String]
        /// The message numbers (as `/history` shows them) of its first and last mention.
        var firstSeen: Int
        var lastSeen: Int
        /// The ATT&CK technique, for a known technique ID.
        var technique: AttackCatalog.Technique?
        /// The retired technique, for an ID ATT&CK revoked (`T1086`, now `T1059.001`) or deprecated.
        var retired: AttackCatalog.RetiredTechnique?

        var defanged: String { Defanging.defanged(indicator) }

        /// `typed, evidence auth.log`.
        var sourceText: String {
            sources.map { $0 == "evidence" && !evidenceFiles.isEmpty ? "evidence " + evidenceFiles.joined(separator: ", ") : $0 }
                .joined(separator: ", ")
        }

        /// `#1` or `#1–#5`.
        var seenText: String { firstSeen == lastSeen ? "#\(firstSeen)" : "#\(firstSeen)–#\(lastSeen)" }

        /// Why a flagged ATT&CK ID is not exported: `revoked by ATT&CK; now T1059.001 …`,
        /// `deprecated by ATT&CK; no replacement`, or not in the table at all.
        var flagReason: String {
            retired?.status ?? "not in the offline ATT&CK v\(AttackCatalog.version) table"
        }

        /// `T1086 (revoked; now T1059.001)`, `T1064 (deprecated)` or `T9999`, for a one-line warning.
        var flaggedID: String {
            guard let retired else { return indicator.value }
            return indicator.value + (retired.replacement.map { " (revoked; now \($0.id))" } ?? " (deprecated)")
        }
    }

    /// The analyst's indicators (typed, pasted or in evidence), known ATT&CK IDs only.
    var analyst: [Entry] = []
    /// Indicators only the model mentioned: unverified, never exported as the case's.
    var modelOnly: [Entry] = []
    /// ATT&CK-looking IDs that are not current techniques (whoever wrote them): unknown to the offline
    /// table, or revoked or deprecated by ATT&CK. Flagged, not exported.
    var unknownTechniques: [Entry] = []

    init(facts: CaseFacts, evidence: EvidenceLedger, kinds: Set<Indicator.Kind>? = nil) {
        let files = evidence.fileNamesByIndicator()
        for position in facts.indicators.indices {
            let indicator = facts.indicators[position]
            if let kinds, !kinds.contains(indicator.kind) { continue }
            let provenance = facts.provenance[position]
            var sources: [String] = []
            if provenance.wasTyped { sources.append("typed") }
            if provenance.wasPasted { sources.append("pasted") }
            if provenance.wasInEvidence { sources.append("evidence") }
            if sources.isEmpty { sources.append("model") }
            var entry = Entry(
                indicator: indicator, sources: sources,
                evidenceFiles: provenance.wasInEvidence ? files[indicator.key] ?? [] : [],
                firstSeen: provenance.firstMessageID + 1, lastSeen: facts.lastMentionIDs[position] + 1)
            if indicator.kind == .attackTechnique {
                guard let technique = AttackCatalog.technique(indicator.value) else {
                    entry.retired = AttackCatalog.retired(indicator.value)
                    unknownTechniques.append(entry)
                    continue
                }
                entry.technique = technique
            }
            if provenance.isFromAnalyst { analyst.append(entry) } else { modelOnly.append(entry) }
        }
    }

    var isEmpty: Bool { analyst.isEmpty && modelOnly.isEmpty && unknownTechniques.isEmpty }

    /// The `/iocs` listing: by kind, defanged (unless `defanged` is false), with sources and where seen.
    func listing(defanged: Bool = true) -> String {
        var lines: [String] = []
        if !analyst.isEmpty {
            lines.append("From the analyst (typed, pasted or in evidence files)" + (defanged ? ", defanged:" : ", live (not defanged):"))
            lines += Self.grouped(analyst, defanged: defanged)
        }
        if !unknownTechniques.isEmpty {
            lines.append("Not current ATT&CK techniques (check them; never exported):")
            for entry in unknownTechniques {
                let name = entry.retired.map { $0.name + " " } ?? ""
                lines.append("  \(entry.indicator.value)  \(name)[\(entry.flagReason)]"
                    + "  (\(entry.sourceText); \(entry.seenText))")
            }
        }
        if !modelOnly.isEmpty {
            lines.append("Mentioned only by the model (unverified; not exported as the case's):")
            lines += Self.grouped(modelOnly, defanged: defanged)
        }
        return lines.joined(separator: "\n")
    }

    static func grouped(_ entries: [Entry], defanged: Bool) -> [String] {
        var lines: [String] = []
        for kind in Indicator.Kind.allCases {
            let ofKind = entries.filter { $0.indicator.kind == kind }
            guard !ofKind.isEmpty else { continue }
            lines.append("  \(kind.label):")
            for entry in ofKind {
                var line = "    " + (defanged ? entry.defanged : entry.indicator.value)
                if let technique = entry.technique {
                    line += "  \(technique.name) [\(technique.tactics.joined(separator: ", "))]"
                }
                line += "  (\(entry.sourceText); \(entry.seenText))"
                lines.append(line)
            }
        }
        return lines
    }
}
