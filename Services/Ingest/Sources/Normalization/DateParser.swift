import Foundation

/// Reads the timestamps senders write — RFC 3339 with `Z` or an offset (with or without a
/// colon, `+0000` as Meta writes it), a space instead of `T`, fractional seconds, dates alone,
/// US `MM/DD/YYYY`, and Unix epoch seconds or milliseconds — into UTC instants.
/// Times without an offset are taken as UTC.
public enum DateParser {
    /// The instant `raw` denotes, or `nil`.
    public static func parse(_ raw: String) -> Date? {
        let text = raw.trimmingWhitespace
        guard !text.isEmpty, text.count <= 40 else { return nil }
        if text.allSatisfy(\.isASCIIDigitCharacter) {
            guard let value = Int64(text) else { return nil }
            switch text.count {
            case 9...10: return Date(timeIntervalSince1970: TimeInterval(value))
            case 12...13: return Date(timeIntervalSince1970: TimeInterval(value) / 1000)
            default: return nil
            }
        }
        var scanner = Cursor(Array(text.unicodeScalars))
        var components = DateComponents()
        components.timeZone = TimeZone(secondsFromGMT: 0)
        if let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
           let day = scanner.digits(2) {
            components.year = year
            components.month = month
            components.day = day
        } else {
            scanner = Cursor(Array(text.unicodeScalars))
            guard let month = scanner.digits(1...2), scanner.take("/"), let day = scanner.digits(1...2), scanner.take("/"),
                  let year = scanner.digits(4) else { return nil }
            components.year = year
            components.month = month
            components.day = day
        }
        var offsetSeconds = 0
        if !scanner.atEnd {
            guard scanner.take("T") || scanner.take("t") || scanner.take(" ") else { return nil }
            guard let hour = scanner.digits(2), scanner.take(":"), let minute = scanner.digits(2) else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = 0
            if scanner.take(":") {
                guard let second = scanner.digits(2) else { return nil }
                components.second = second
                if scanner.take(".") || scanner.take(",") {
                    let start = scanner.index
                    var fraction = "0."
                    while let digit = scanner.peekDigit() {
                        fraction.append(Character(digit))
                        scanner.index += 1
                    }
                    guard scanner.index > start, let value = Double(fraction) else { return nil }
                    components.nanosecond = Int((value * 1_000_000_000).rounded())
                }
            }
            if scanner.take("Z") || scanner.take("z") {
                offsetSeconds = 0
            } else if let sign = scanner.takeSign() {
                guard let hours = scanner.digits(2) else { return nil }
                _ = scanner.take(":")
                let minutes = scanner.digits(2) ?? 0
                guard hours <= 14, minutes < 60 else { return nil }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            } else {
                _ = scanner.take(" ")
                if scanner.takeWord("UTC") || scanner.takeWord("GMT") { offsetSeconds = 0 }
            }
            guard scanner.atEnd else { return nil }
        }
        guard let year = components.year, (1900...2200).contains(year),
              let month = components.month, (1...12).contains(month),
              let day = components.day, (1...31).contains(day),
              (components.hour ?? 0) < 24, (components.minute ?? 0) < 60, (components.second ?? 0) < 61
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let local = calendar.date(from: components),
              calendar.component(.day, from: local) == day  // refuses 2025-02-30
        else { return nil }
        return local.addingTimeInterval(TimeInterval(-offsetSeconds))
    }

    private struct Cursor {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index >= scalars.count }

        func peekDigit() -> Unicode.Scalar? {
            guard index < scalars.count, ("0"..."9").contains(scalars[index]) else { return nil }
            return scalars[index]
        }

        mutating func digits(_ count: Int) -> Int? { digits(count...count) }

        mutating func digits(_ counts: ClosedRange<Int>) -> Int? {
            var value = 0
            var taken = 0
            while taken < counts.upperBound, let digit = peekDigit() {
                value = value * 10 + Int(digit.value - 48)
                taken += 1
                index += 1
            }
            return taken >= counts.lowerBound ? value : nil
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
            return true
        }

        mutating func takeSign() -> Int? {
            if take("+") { return 1 }
            if take("-") || take("\u{2212}") { return -1 }
            return nil
        }

        mutating func takeWord(_ word: String) -> Bool {
            let letters = Array(word.unicodeScalars)
            guard index + letters.count <= scalars.count,
                  Array(scalars[index..<(index + letters.count)]).map({ Character($0).uppercased() }) == letters.map({ Character($0).uppercased() })
            else { return false }
            index += letters.count
            return true
        }
    }
}
