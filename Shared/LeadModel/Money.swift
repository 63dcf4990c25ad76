import Foundation

/// An exact amount of money in one currency.
///
/// The amount is a `Decimal` and is written to JSON as a string (`"51995.00"`) so that no
/// reader ever parses it as a binary floating-point number. Decoding also accepts a JSON
/// number, read exactly from its digits.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount, exact.
    public var amount: Decimal
    /// The ISO 4217 currency code, e.g. `USD`.
    public var currency: String

    /// Creates an amount of money.
    public init(amount: Decimal, currency: String = "USD") {
        self.amount = amount
        self.currency = currency
    }

    /// Parses an amount written as a decimal string (`"1234.50"`); `nil` if it is not one.
    public init?(_ amount: String, currency: String = "USD") {
        guard let value = Money.parseAmount(amount) else { return nil }
        self.init(amount: value, currency: currency)
    }

    /// `"1234.5 USD"`.
    public var description: String {
        "\(amount) \(currency)"
    }

    private enum CodingKeys: String, CodingKey {
        case amount, currency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currency = try container.decode(String.self, forKey: .currency)
        if let text = try? container.decode(String.self, forKey: .amount) {
            guard let value = Money.parseAmount(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .amount, in: container, debugDescription: "Not a decimal amount: \"\(text)\"")
            }
            amount = value
        } else {
            amount = try container.decode(Decimal.self, forKey: .amount)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(amount.description, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }

    /// Accepts `-?digits(.digits)?` only: no exponents, no grouping, no locale.
    static func parseAmount(_ text: String) -> Decimal? {
        var body = Substring(text)
        if body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
        else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}
