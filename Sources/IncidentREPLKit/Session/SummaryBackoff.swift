/// When the summariser may try again after a failure: a summary request that fails (or is cut
/// off, or cancelled) is not re-sent on every following turn.
///
/// After the n-th failure in a row the next 2ⁿ turns (at most 16) skip the fold and the view
/// drops the oldest turns instead; the first failure of a streak is announced, later ones are not.
struct SummaryBackoff: Sendable, Equatable {
    /// Failures in a row.
    private(set) var failures = 0
    /// Turns left before the next attempt.
    private(set) var turnsToSkip = 0

    /// The most turns skipped after a failure.
    static let maximumSkip = 16

    /// Whether this turn may send a summary request; counts a skipped turn.
    mutating func mayAttempt() -> Bool {
        guard turnsToSkip == 0 else {
            turnsToSkip -= 1
            return false
        }
        return true
    }

    /// Records a failure; `true` when it starts a streak (and should be announced).
    mutating func recordFailure() -> Bool {
        failures += 1
        turnsToSkip = min(1 << min(failures, 4), SummaryBackoff.maximumSkip)
        return failures == 1
    }

    /// Records a summary that was written.
    mutating func recordSuccess() {
        failures = 0
        turnsToSkip = 0
    }
}
