/// A lead's priority band, derived from its 0–100 score.
public enum Priority: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Score below 30.
    case cold
    /// Score 30–59.
    case medium
    /// Score 60 and above.
    case hot

    /// Lowest score that is hot.
    public static let hotThreshold = 60
    /// Lowest score that is medium.
    public static let mediumThreshold = 30

    /// Hot at 60 and above, medium from 30 to 59, cold below 30.
    public init(score: Int) {
        switch score {
        case Priority.hotThreshold...: self = .hot
        case Priority.mediumThreshold...: self = .medium
        default: self = .cold
        }
    }

    private var rank: Int {
        switch self {
        case .cold: 0
        case .medium: 1
        case .hot: 2
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        lhs.rank < rhs.rank
    }
}
