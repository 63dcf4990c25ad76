import Foundation

/// Realistic, invented leads for load generation: people with names, e-mails and NANP phones,
/// vehicles, trade-ins, ZIP codes and comments, in every intake format. Repeat people (a share
/// chosen by the caller) come back with their e-mail in another case or their phone in another
/// notation, so de-duplication is exercised.
struct LeadFaker {
    struct Person {
        var first: String
        var last: String
        var email: String
        var phoneDigits: String
        var zip: String
    }

    static let firstNames = ["Dana", "Marcus", "Ingrid", "Beatriz", "Jo", "Sam", "Priya", "Mateo", "Aiko", "Olu", "Hannah", "Luca", "Noor", "Erik", "Camila", "Wei"]
    static let lastNames = ["Whitfield", "Okafor", "Solberg", "Lindgren", "Park", "Nguyen", "Garcia", "Kowalski", "Haddad", "Tanaka", "Murphy", "Schmidt", "Silva", "Cohen"]
    static let vehicles: [(String, String, String)] = [
        ("Honda", "CR-V", "SUV"), ("Jeep", "Grand Cherokee", "SUV"), ("Ford", "F-150", "Pickup"), ("Toyota", "Camry", "Sedan"),
        ("Kia", "EV9", "SUV"), ("Hyundai", "Tucson Hybrid", "SUV"), ("Tesla", "Model 3", "Sedan"), ("Chevrolet", "Silverado", "Pickup"),
    ]
    static let comments = ["Please text before calling.", "Interested in financing.", "Is it still available this weekend?",
                           "Want a trade-in value first.", "Evenings only, please.", "'; DROP TABLE leads;-- just kidding"]

    let runTag: String
    var generator = SystemRandomNumberGenerator()
    private(set) var people: [Person] = []

    init(runTag: String) {
        self.runTag = runTag
    }

    /// A new person, or (with probability `duplicateShare`) someone seen before.
    mutating func person(duplicateShare: Double) -> (Person, isRepeat: Bool) {
        if !people.isEmpty, Double.random(in: 0..<1, using: &generator) < duplicateShare {
            return (people.randomElement(using: &generator)!, true)
        }
        let first = Self.firstNames.randomElement(using: &generator)!
        let last = Self.lastNames.randomElement(using: &generator)!
        let number = people.count
        let person = Person(
            first: first, last: last,
            email: "\(first.lowercased()).\(last.lowercased()).\(runTag).\(number)@example.com",
            phoneDigits: "\(Int.random(in: 201...989, using: &generator))\(Int.random(in: 201...989, using: &generator))\(String(format: "%04d", number % 10_000))",
            zip: String(format: "%05d", Int.random(in: 1001...99950, using: &generator)))
        people.append(person)
        return (person, false)
    }

    func email(_ person: Person, repeat isRepeat: Bool) -> String {
        isRepeat ? person.email.uppercased() : person.email
    }

    func phone(_ person: Person, repeat isRepeat: Bool) -> String {
        let d = Array(person.phoneDigits)
        return isRepeat ? "+1.\(String(d[0..<3])).\(String(d[3..<6])).\(String(d[6...]))" : "(\(String(d[0..<3]))) \(String(d[3..<6]))-\(String(d[6...]))"
    }

    mutating func vehicle() -> (make: String, model: String, body: String, year: Int, price: Int) {
        let (make, model, body) = Self.vehicles.randomElement(using: &generator)!
        return (make, model, body, Int.random(in: 2019...2026, using: &generator), Int.random(in: 180...900, using: &generator) * 100)
    }

    static func escapeJSON(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: Formats

    mutating func json(_ p: Person, repeat r: Bool, externalId: String) -> String {
        let v = vehicle()
        let comment = Self.escapeJSON(Self.comments.randomElement(using: &generator)!)
        return """
            {"externalId":"\(externalId)","name":{"first":"\(p.first)","last":"\(p.last)"},"email":"\(email(p, repeat: r))",\
            "phone":"\(phone(p, repeat: r))","address":{"postalCode":"\(p.zip)","country":"US"},\
            "vehicles":[{"interest":"buy","status":"new","year":\(v.year),"make":"\(v.make)","model":"\(v.model)","bodyStyle":"\(v.body)","price":{"amount":"\(v.price)","currency":"USD"}}],\
            "timeframe":{"description":"Within 1 month"},"comments":"\(comment)","attribution":{"partner":"Loadgen Ads","campaignId":"\(Int.random(in: 1_000_000_000_000...9_999_999_999_999, using: &generator))"}}
            """
    }

    mutating func adf(_ p: Person, repeat r: Bool, externalId: String) -> String {
        let v = vehicle()
        return """
            <?xml version="1.0" encoding="UTF-8"?><?adf version="1.0"?><adf><prospect status="new">\
            <id sequence="1" source="Loadgen Marketplace">\(externalId)</id><requestdate>\(LeadFakerDates.now())</requestdate>\
            <vehicle interest="buy" status="new"><year>\(v.year)</year><make>\(v.make)</make><model>\(v.model)</model><bodystyle>\(v.body)</bodystyle>\
            <price type="offer" currency="USD">\(v.price)</price></vehicle>\
            <customer><contact><name part="first">\(p.first)</name><name part="last">\(p.last)</name>\
            <email>\(email(p, repeat: r))</email><phone type="cellphone">\(phone(p, repeat: r))</phone>\
            <address><postalcode>\(p.zip)</postalcode><country>US</country></address></contact>\
            <comments><![CDATA[\(Self.comments.randomElement(using: &generator)!)]]></comments></customer>\
            <vendor><vendorname>Lakeshore Auto Group</vendorname></vendor><provider><name part="full">Loadgen Marketplace</name></provider>\
            </prospect></adf>
            """
    }

    mutating func google(_ p: Person, repeat r: Bool, externalId: String, key: String) -> String {
        let v = vehicle()
        return """
            {"lead_id":"\(externalId)","user_column_data":[{"column_name":"Full Name","string_value":"\(p.first) \(p.last)","column_id":"FULL_NAME"},\
            {"column_name":"User Email","string_value":"\(email(p, repeat: r))","column_id":"EMAIL"},\
            {"column_name":"User Phone","string_value":"\(phone(p, repeat: r))","column_id":"PHONE_NUMBER"},\
            {"column_name":"Postal Code","string_value":"\(p.zip)","column_id":"POSTAL_CODE"},\
            {"column_name":"Which model?","string_value":"\(v.model)","column_id":"VEHICLE_MODEL"}],\
            "api_version":"1.0","form_id":\(Int.random(in: 10_000_000_000...99_999_999_999, using: &generator)),\
            "campaign_id":\(Int.random(in: 10_000_000_000...99_999_999_999, using: &generator)),"google_key":"\(Self.escapeJSON(key))","is_test":false}
            """
    }

    mutating func meta(_ p: Person, repeat r: Bool, externalId: String) -> String {
        let v = vehicle()
        return """
            {"id":"\(externalId)","created_time":"\(LeadFakerDates.now())","ad_id":"120208765432100011","campaign_id":"120208765432100001",\
            "campaign_name":"Loadgen Spring Event","form_id":"987650001234567","platform":"fb","field_data":[\
            {"name":"full_name","values":["\(p.first) \(p.last)"]},{"name":"email","values":["\(email(p, repeat: r))"]},\
            {"name":"phone_number","values":["\(phone(p, repeat: r))"]},{"name":"zip_code","values":["\(p.zip)"]},\
            {"name":"which_model_are_you_interested_in?","values":["\(v.model)"]}]}
            """
    }

    static let csvHeader = "Lead ID,First Name,Last Name,Email,Phone,Zip,Make,Model,Year,Notes\n"

    mutating func csvRow(_ p: Person, repeat r: Bool, externalId: String) -> String {
        let v = vehicle()
        let note = Self.comments.randomElement(using: &generator)!.replacingOccurrences(of: "\"", with: "\"\"")
        return "\(externalId),\(p.first),\(p.last),\(email(p, repeat: r)),\(phone(p, repeat: r)),\(p.zip),\(v.make),\(v.model),\(v.year),\"\(note)\"\n"
    }
}

enum LeadFakerDates {
    static func now() -> String {
        Date().formatted(.iso8601)
    }
}
