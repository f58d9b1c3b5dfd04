extension ChatSession {
    /// `/iocs [KIND]` and `/iocs export [--format csv|json|stix] FILE`.
    func indicatorsCommand(_ argument: String) {
        warn("/iocs: not yet")
    }
}
