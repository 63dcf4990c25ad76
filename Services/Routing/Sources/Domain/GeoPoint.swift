import Foundation

/// A point on the earth (WGS 84 degrees).
public struct GeoPoint: Hashable, Sendable, Codable {
    /// Latitude, -90…90.
    public var latitude: Double
    /// Longitude, -180…180.
    public var longitude: Double

    /// Creates a point.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The mean earth radius used for distances, in kilometres.
    public static let earthRadiusKm = 6371.0088

    /// Whether both coordinates are finite and in range.
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    /// The great-circle distance to `other` in kilometres (haversine formula).
    public func distanceKm(to other: GeoPoint) -> Double {
        let toRadians = Double.pi / 180
        let dLat = (other.latitude - latitude) * toRadians
        let dLon = (other.longitude - longitude) * toRadians
        let a = sin(dLat / 2) * sin(dLat / 2)
            + cos(latitude * toRadians) * cos(other.latitude * toRadians) * sin(dLon / 2) * sin(dLon / 2)
        let c = 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
        return Self.earthRadiusKm * c
    }
}
