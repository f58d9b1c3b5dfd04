/// Which case facts a request carries, for `/facts` to mark: positions in
/// ``CaseFacts/indicators`` that are in the request (in its messages, or in its facts block), and
/// how many of the analyst's facts it leaves out for space.
public struct CarriedFacts: Sendable, Equatable {
    /// Positions in ``CaseFacts/indicators`` that the request carries.
    public var positions: Set<Int>
    /// How many of the analyst's indicators from left-out messages did not fit in the block.
    public var leftOut: Int

    public init(positions: Set<Int>, leftOut: Int) {
        self.positions = positions
        self.leftOut = leftOut
    }

    /// Whether the indicator at `position` is carried.
    public func contains(_ position: Int) -> Bool { positions.contains(position) }
}
