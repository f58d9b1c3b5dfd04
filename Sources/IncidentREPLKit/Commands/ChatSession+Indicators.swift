#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore

extension ChatSession {
    /// `/iocs [--live] [KIND]`: the case's indicators by kind, defanged (`--live`: as they are), with
    /// where each came from;
    /// `/iocs export [--format csv|json|stix] FILE` writes them (atomically, 0600).
    func indicatorsCommand(_ argument: String) {
        var words = argument.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.first == "export" { return exportIndicators(Array(words.dropFirst())) }
        let live = words.contains("--live")
        words.removeAll { $0 == "--live" }
        var kinds: Set<Indicator.Kind>?
        if let word = words.first {
            guard words.count == 1, let chosen = Self.factKinds[word.lowercased()] else {
                return warn("usage: /iocs [--live] [KIND] | /iocs export [--format csv|json|stix] FILE; KIND one of: "
                    + Self.factKinds.keys.sorted().joined(separator: ", "))
            }
            kinds = chosen
        }
        let inventory = IndicatorInventory(facts: conversation.facts, evidence: evidence, kinds: kinds)
        guard !inventory.isEmpty else {
            return say(kinds == nil ? "no indicators yet: they are collected from what you type, paste and attach"
                : "no indicators of that kind")
        }
        sayUntrusted(inventory.listing(defanged: !live))
    }

    /// `/iocs export [--format csv|json|stix] FILE`.
    func exportIndicators(_ words: [String]) {
        let usage = "usage: /iocs export [--format csv|json|stix] FILE (.csv, .json or .stix.json choose the format)"
        var format: IndicatorExportFormat?
        var rest = words[...]
        if rest.first == "--format" {
            guard rest.count >= 2, let chosen = IndicatorExportFormat(rawValue: rest[rest.startIndex + 1].lowercased()) else {
                return warn(usage)
            }
            format = chosen
            rest = rest.dropFirst(2)
        }
        guard !rest.isEmpty else { return warn(usage) }
        let written = rest.joined(separator: " ")
        guard let chosen = format ?? IndicatorExportFormat(fileName: written) else {
            return warn("cannot tell the format from \(written): name it .csv, .json or .stix.json, or add --format csv|json|stix")
        }
        let path = EvidenceReader.absolutePath(
            written, environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        guard EvidenceReader.exists(directory.isEmpty ? "/" : directory) else {
            return warn("\(path): the folder \(directory) does not exist; create it or choose another")
        }
        guard !EvidenceReader.exists(path) else {
            return warn("\(path) already exists; not overwritten: choose another name or remove it first")
        }
        let inventory = IndicatorInventory(facts: conversation.facts, evidence: evidence)
        let now = Date()
        let session = journal?.name
        do {
            let text: String
            var summary: String
            switch chosen {
            case .csv:
                text = IndicatorExporter.csv(inventory)
                summary = "\(inventory.analyst.count) indicators as CSV"
            case .json:
                text = try IndicatorExporter.json(inventory, evidence: evidence.attached, session: session, now: now)
                summary = "\(inventory.analyst.count) indicators as JSON"
            case .stix:
                let rendered = try STIXBundle.render(inventory, session: session, now: now)
                text = rendered.json
                summary = "a STIX 2.1 bundle of \(rendered.objectCount) objects"
                if rendered.skipped > 0 { summary += " (\(rendered.skipped) host names left out: STIX has no pattern for them)" }
            }
            try AtomicFile.write(Array(text.utf8), to: path)
            say("wrote \(summary) to \(path) (0600)")
            if !inventory.unknownTechniques.isEmpty && chosen != .json {
                warn("left out, not current ATT&CK techniques: "
                    + inventory.unknownTechniques.map(\.flaggedID).joined(separator: ", "))
            }
            if !inventory.modelOnly.isEmpty && chosen != .json {
                warn("left out: \(inventory.modelOnly.count) indicators only the model mentioned (unverified; see /iocs)")
            }
        } catch {
            warn("\(error)")
        }
    }
}
