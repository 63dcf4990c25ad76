/// Round-robin turn order: members in id order, starting after the one who got the team's last
/// lead and wrapping around. Deterministic, and fair: with the same members eligible, each gets
/// one lead before anyone gets a second.
public enum Rotation {
    /// `ids` in turn order after `last` (ids greater than `last` ascending, then the rest ascending).
    public static func order(_ ids: [String], after last: String?) -> [String] {
        let sorted = ids.sorted()
        guard let last else { return sorted }
        let split = sorted.firstIndex { $0 > last } ?? sorted.endIndex
        return Array(sorted[split...] + sorted[..<split])
    }

    /// The next of `ids` after `last`.
    public static func next(_ ids: [String], after last: String?) -> String? {
        order(ids, after: last).first
    }
}
