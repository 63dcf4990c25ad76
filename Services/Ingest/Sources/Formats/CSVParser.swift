/// An RFC 4180 CSV parser fed in chunks, so an upload is parsed while it streams and never held
/// whole: quoted fields with `""` escapes and embedded line breaks, CRLF/LF/CR line ends, a
/// UTF-8 byte-order mark. Each row is capped in bytes and columns.
public struct CSVParser: Sendable {
    /// Why parsing cannot continue.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// `csv_row_too_long`, `csv_too_many_columns` or `csv_unterminated_quote`.
        public var code: String
        /// The 1-based line the row started on.
        public var line: Int
        public var message: String

        public var description: String { "\(code) at line \(line): \(message)" }
    }

    /// One parsed row: raw field bytes (decoded by the caller, which reports bad UTF-8 per row).
    public struct Row: Sendable, Hashable {
        /// The 1-based physical line the row started on.
        public var line: Int
        public var fields: [[UInt8]]
    }

    /// Longest row accepted, in bytes.
    public let maxRowBytes: Int
    /// Most columns accepted.
    public let maxColumns: Int

    private var field: [UInt8] = []
    private var fields: [[UInt8]] = []
    private var inQuotes = false
    private var quoteInQuoted = false
    private var afterCR = false
    private var rowBytes = 0
    private var line = 1
    private var rowStartLine = 1
    private var sawBOMCheck = false
    private var bomBuffer: [UInt8] = []
    private var rowHasContent = false

    /// Creates a parser.
    public init(maxRowBytes: Int = 64 << 10, maxColumns: Int = 200) {
        self.maxRowBytes = maxRowBytes
        self.maxColumns = maxColumns
    }

    /// Parses the next chunk; returns the rows completed by it.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(Failure) -> [Row] {
        var rows: [Row] = []
        for byte in bytes {
            if !sawBOMCheck {
                bomBuffer.append(byte)
                if bomBuffer == Array([0xEF, 0xBB, 0xBF].prefix(bomBuffer.count)) {
                    if bomBuffer.count == 3 {
                        sawBOMCheck = true
                        bomBuffer = []
                    }
                    continue
                }
                sawBOMCheck = true
                let pending = bomBuffer
                bomBuffer = []
                for pendingByte in pending { try consume(pendingByte, into: &rows) }
                continue
            }
            try consume(byte, into: &rows)
        }
        return rows
    }

    /// Ends the input; returns the last row if the file did not end with a line break.
    public mutating func finish() throws(Failure) -> [Row] {
        var rows: [Row] = []
        if !sawBOMCheck {
            sawBOMCheck = true
            let pending = bomBuffer
            bomBuffer = []
            for byte in pending { try consume(byte, into: &rows) }
        }
        if inQuotes && !quoteInQuoted {
            throw Failure(code: "csv_unterminated_quote", line: rowStartLine, message: "a quoted field is not closed")
        }
        if rowHasContent || !field.isEmpty || !fields.isEmpty {
            try endRow(into: &rows)
        }
        return rows
    }

    private mutating func consume(_ byte: UInt8, into rows: inout [Row]) throws(Failure) {
        rowBytes += 1
        if rowBytes > maxRowBytes {
            throw Failure(code: "csv_row_too_long", line: rowStartLine, message: "a row is longer than \(maxRowBytes) bytes")
        }
        if afterCR {
            afterCR = false
            if byte == UInt8(ascii: "\n") {
                rowBytes = 0
                return
            }
        }
        if inQuotes {
            if quoteInQuoted {
                quoteInQuoted = false
                if byte == UInt8(ascii: "\"") {
                    field.append(byte)
                    return
                }
                inQuotes = false
                // fall through: the byte after a closing quote is handled as unquoted
            } else if byte == UInt8(ascii: "\"") {
                quoteInQuoted = true
                return
            } else {
                if byte == UInt8(ascii: "\n") { line += 1 }
                field.append(byte)
                return
            }
        }
        switch byte {
        case UInt8(ascii: "\""):
            if field.isEmpty {
                inQuotes = true
                rowHasContent = true
            } else {
                field.append(byte)  // a stray quote inside an unquoted field is data
            }
        case UInt8(ascii: ","):
            try endField()
            rowHasContent = true
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            afterCR = byte == UInt8(ascii: "\r")
            line += 1
            try endRow(into: &rows)
            rowBytes = 0
        default:
            field.append(byte)
            rowHasContent = true
        }
    }

    private mutating func endField() throws(Failure) {
        fields.append(field)
        field = []
        if fields.count > maxColumns {
            throw Failure(code: "csv_too_many_columns", line: rowStartLine, message: "a row has more than \(maxColumns) columns")
        }
    }

    private mutating func endRow(into rows: inout [Row]) throws(Failure) {
        if rowHasContent || !field.isEmpty || !fields.isEmpty {
            try endField()
            rows.append(Row(line: rowStartLine, fields: fields))
        }
        fields = []
        field = []
        rowHasContent = false
        rowStartLine = line
    }
}
