#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore

/// Renders an ``IndicatorInventory`` as CSV or JSON (STIX is ``STIXBundle``).
///
/// Exports hold the analyst's indicators only, refanged (tools import real values; the `defanged`
/// column is for people). ATT&CK IDs that are not current techniques (unknown to the offline table,
/// or revoked or deprecated by ATT&CK) are left out of CSV and STIX and listed as flagged, with the
/// reason, in JSON; model-only indicators are left out of CSV and STIX and listed apart, as
/// unverified, in JSON.
enum IndicatorExporter {
    /// RFC 4180 CSV, one row per indicator; cells that a spreadsheet would run as a formula
    /// (`=`, `+`, `-`, `@` first) are prefixed with `'`.
    static func csv(_ inventory: IndicatorInventory) -> String {
        var rows = [["kind", "value", "defanged", "source", "evidence_files", "first_seen_message", "last_seen_message",
                     "attack_name", "attack_tactics"]]
        for entry in inventory.analyst {
            rows.append([
                entry.indicator.kind.rawValue, entry.indicator.value, entry.defanged, entry.sources.joined(separator: ";"),
                entry.evidenceFiles.joined(separator: ";"), String(entry.firstSeen), String(entry.lastSeen),
                entry.technique?.name ?? "", entry.technique?.tactics.joined(separator: ";") ?? "",
            ])
        }
        return rows.map { $0.map(csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ value: String) -> String {
        var cell = value
        if let first = cell.first, "=+-@\t\r".contains(first) { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacing("\"", with: "\"\"") + "\""
    }

    struct JSONDocument: Encodable {
        struct Item: Encodable {
            var kind: String
            var value: String
            var defanged: String
            var sources: [String]
            var evidenceFiles: [String]
            var firstSeenMessage: Int
            var lastSeenMessage: Int
            var attackName: String?
            var attackTactics: [String]?
        }
        struct Flagged: Encodable {
            var value: String
            var sources: [String]
            var reason: String
        }
        struct Evidence: Encodable {
            var path: String
            var size: Int
            var sha256: String
            var modified: String
            var attached: String
            var message: Int
        }
        var generated: String
        var session: String?
        var indicators: [Item]
        var modelOnlyUnverified: [Item]
        var flagged: [Flagged]
        var evidence: [Evidence]
    }

    /// A JSON document: the analyst's indicators, the model-only ones apart, flagged ATT&CK IDs,
    /// and the evidence files with their hashes.
    static func json(_ inventory: IndicatorInventory, evidence: [AttachedEvidence], session: String?, now: Date) throws -> String {
        func item(_ entry: IndicatorInventory.Entry) -> JSONDocument.Item {
            JSONDocument.Item(
                kind: entry.indicator.kind.rawValue, value: entry.indicator.value, defanged: entry.defanged,
                sources: entry.sources, evidenceFiles: entry.evidenceFiles, firstSeenMessage: entry.firstSeen,
                lastSeenMessage: entry.lastSeen, attackName: entry.technique?.name, attackTactics: entry.technique?.tactics)
        }
        let document = JSONDocument(
            generated: STIXBundle.timestamp(now), session: session,
            indicators: inventory.analyst.map(item), modelOnlyUnverified: inventory.modelOnly.map(item),
            flagged: inventory.unknownTechniques.map {
                JSONDocument.Flagged(value: $0.indicator.value, sources: $0.sources, reason: $0.flagReason)
            },
            evidence: evidence.map {
                JSONDocument.Evidence(path: $0.file.path, size: $0.file.size, sha256: $0.file.sha256,
                                      modified: STIXBundle.timestamp($0.file.modified),
                                      attached: STIXBundle.timestamp($0.file.attached), message: $0.messageID + 1)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
