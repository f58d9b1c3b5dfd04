#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore

/// A STIX 2.1 bundle of the analyst's indicators: an `indicator` with a STIX pattern per
/// observable (addresses, domains, URLs, e-mail addresses, file hashes, paths, user accounts), an
/// `attack-pattern` per known ATT&CK technique and a `vulnerability` per CVE.
///
/// Host names have no STIX cyber-observable to match and are left out (counted in
/// ``Rendered/skipped``); model-only indicators and unknown ATT&CK IDs are never included.
enum STIXBundle {
    /// One STIX object; absent properties are left out of the JSON.
    struct Object: Encodable {
        struct ExternalReference: Encodable {
            var source_name: String
            var external_id: String
            var url: String?
        }
        struct KillChainPhase: Encodable {
            var kill_chain_name: String
            var phase_name: String
        }
        var type: String
        var spec_version = "2.1"
        var id: String
        var created: String
        var modified: String
        var name: String?
        var description: String?
        var pattern: String?
        var pattern_type: String?
        var valid_from: String?
        var external_references: [ExternalReference]?
        var kill_chain_phases: [KillChainPhase]?
    }

    struct Bundle: Encodable {
        var type = "bundle"
        var id: String
        var objects: [Object]
    }

    struct Rendered {
        var json: String
        var objectCount: Int
        /// Indicators with no STIX pattern (host names).
        var skipped: Int
    }

    /// The bundle for `inventory`, stamped `now`.
    static func render(_ inventory: IndicatorInventory, session: String?, now: Date) throws -> Rendered {
        let stamp = timestamp(now)
        var objects: [Object] = []
        var skipped = 0
        for entry in inventory.analyst {
            let indicator = entry.indicator
            let seen = "seen in messages \(entry.seenText)" + (session.map { " of session \($0)" } ?? "")
            switch indicator.kind {
            case .cve:
                objects.append(Object(
                    type: "vulnerability", id: identifier("vulnerability"), created: stamp, modified: stamp,
                    name: indicator.value, description: "From the analyst (\(entry.sourceText)); \(seen).",
                    external_references: [.init(source_name: "cve", external_id: indicator.value, url: nil)]))
            case .attackTechnique:
                guard let technique = entry.technique else { continue }
                objects.append(Object(
                    type: "attack-pattern", id: identifier("attack-pattern"), created: stamp, modified: stamp,
                    name: technique.name, description: "From the analyst (\(entry.sourceText)); \(seen).",
                    external_references: [.init(source_name: "mitre-attack", external_id: technique.id, url: technique.url)],
                    kill_chain_phases: technique.tactics.map {
                        .init(kill_chain_name: "mitre-attack", phase_name: $0.lowercased().replacing(" ", with: "-"))
                    }))
            default:
                guard let pattern = pattern(for: indicator) else {
                    skipped += 1
                    continue
                }
                objects.append(Object(
                    type: "indicator", id: identifier("indicator"), created: stamp, modified: stamp,
                    name: indicator.value, description: "\(indicator.kind.label) from the analyst (\(entry.sourceText)); \(seen).",
                    pattern: pattern, pattern_type: "stix", valid_from: stamp))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Bundle(id: identifier("bundle"), objects: objects))
        return Rendered(json: String(decoding: data, as: UTF8.self) + "\n", objectCount: objects.count, skipped: skipped)
    }

    /// The STIX pattern matching `indicator`, or nil for kinds STIX has no observable for.
    static func pattern(for indicator: Indicator) -> String? {
        let value = literal(indicator.value)
        switch indicator.kind {
        case .ipv4, .cidr: return "[ipv4-addr:value = \(value)]"
        case .ipv6: return "[ipv6-addr:value = \(value)]"
        case .domain: return "[domain-name:value = \(value)]"
        case .url: return "[url:value = \(value)]"
        case .email: return "[email-addr:value = \(value)]"
        case .md5: return "[file:hashes.MD5 = \(value)]"
        case .sha1: return "[file:hashes.'SHA-1' = \(value)]"
        case .sha256: return "[file:hashes.'SHA-256' = \(value)]"
        case .user: return "[user-account:account_login = \(value)]"
        case .filePath:
            let path = indicator.value
            guard let separator = path.lastIndex(where: { $0 == "/" || $0 == "\\" }), separator != path.startIndex else {
                return "[file:name = \(value)]"
            }
            let name = String(path[path.index(after: separator)...])
            let directory = String(path[..<separator])
            guard !name.isEmpty else { return "[directory:path = \(literal(directory))]" }
            return "[file:name = \(literal(name)) AND file:parent_directory_ref.path = \(literal(directory))]"
        case .host, .cve, .attackTechnique:
            return nil
        }
    }

    /// A STIX pattern string literal: quoted with `'`, `\` and `'` escaped.
    static func literal(_ value: String) -> String {
        "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// `type--` and a random (version 4) UUID, lower-case.
    static func identifier(_ type: String) -> String {
        type + "--" + UUID().uuidString.lowercased()
    }

    /// An RFC 3339 UTC timestamp with milliseconds, as STIX wants: `2026-12-01T04:10:00.000Z`.
    static func timestamp(_ date: Date) -> String {
        let time = LocalTime(date, utcOffsetSeconds: 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2))T\(pad(time.hour, 2)):\(pad(time.minute, 2)):"
            + "\(pad(time.second, 2)).\(pad((milliseconds + 1000) % 1000, 3))Z"
    }
}
