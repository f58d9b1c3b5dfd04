/// The formats `/iocs export` writes.
enum IndicatorExportFormat: String, Sendable, CaseIterable {
    case csv, json, stix

    /// The format a file name implies: `.stix.json` (or `.stix`) STIX 2.1, `.json` JSON, `.csv` CSV.
    init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".stix.json") || lower.hasSuffix(".stix") {
            self = .stix
        } else if lower.hasSuffix(".json") {
            self = .json
        } else if lower.hasSuffix(".csv") {
            self = .csv
        } else {
            return nil
        }
    }
}
