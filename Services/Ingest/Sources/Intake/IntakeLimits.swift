/// Size limits on intake input (configurable through `LEADFLOW_INGEST_*`, see docs/ingest.md).
public struct IntakeLimits: Sendable, Hashable {
    /// Longest short field (names, e-mail, ids, make/model…), in characters.
    public var maxFieldLength: Int
    /// Longest free-text field (comments, notes), in characters.
    public var maxTextLength: Int
    /// Most entries in one list (e-mails, phones, vehicles, trade-ins, prospects per ADF document).
    public var maxItems: Int
    /// Most custom fields per lead.
    public var maxCustomFields: Int
    /// Most leads in one document (ADF prospects, Meta changes, Google batches).
    public var maxBatch: Int

    /// Creates limits; the defaults suit real senders with room to spare.
    public init(maxFieldLength: Int = 256, maxTextLength: Int = 5000, maxItems: Int = 20, maxCustomFields: Int = 50, maxBatch: Int = 100) {
        self.maxFieldLength = maxFieldLength
        self.maxTextLength = maxTextLength
        self.maxItems = maxItems
        self.maxCustomFields = maxCustomFields
        self.maxBatch = maxBatch
    }
}
