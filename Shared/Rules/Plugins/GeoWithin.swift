import Foundation
import SalesModel

/// `{"geo_within": [point, area]}`: whether a GPS point lies in a geofence. The point is
/// `{"lat": …, "lng": …}` (or `[lat, lng]`); the area a circle `{"lat", "lng", "radius_m"}`
/// measured by great-circle (haversine) distance, or a polygon `[[lat, lng], …]` of at least three
/// corners. A record without a point (null) is inside no fence.
public struct GeoWithinOperator: RuleOperator {
    public let name = "geo_within"
    public let signature = OperatorSignature(
        [.init("point", .object), .init("area", .any)], result: .boolean)

    public init() {}

    public func problems(withConstantArguments arguments: [RuleValue?]) -> [String] {
        var problems: [String] = []
        if let point = arguments[0], !point.isNull, GeoFence.point(point) == nil {
            problems.append("the point must be {\"lat\": …, \"lng\": …} with a latitude within ±90 and a longitude within ±180")
        }
        if let area = arguments[1] {
            do { _ = try GeoFence(area) } catch { problems.append(error.message) }
        }
        return problems
    }

    public func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue {
        if arguments[0].isNull { return .bool(false) }
        guard let point = GeoFence.point(arguments[0]) else {
            throw RuleEvaluationError("the point must be {\"lat\": …, \"lng\": …}; got \(arguments[0].json)")
        }
        return .bool(try GeoFence(arguments[1]).contains(point))
    }
}

/// A circle or polygon on the earth's surface.
public enum GeoFence: Sendable, Hashable {
    case circle(center: GeoPoint, radiusMeters: Double)
    /// Corners in order; edges are straight in latitude/longitude, fine for city-sized fences
    /// (not for ones crossing the antimeridian).
    case polygon([GeoPoint])

    /// Mean earth radius (IUGG), in metres.
    public static let earthRadius = 6_371_008.8

    public init(_ value: RuleValue) throws(RuleEvaluationError) {
        switch value {
        case .object(let members):
            guard let center = GeoFence.point(value) else {
                throw RuleEvaluationError("a circle needs \"lat\" and \"lng\" of its centre, within ±90 and ±180")
            }
            guard let radius = members["radius_m"]?.numberValue, radius.isFinite, radius > 0 else {
                throw RuleEvaluationError("a circle needs \"radius_m\", a positive number of metres")
            }
            self = .circle(center: center, radiusMeters: radius)
        case .array(let corners):
            guard corners.count >= 3 else {
                throw RuleEvaluationError("a polygon needs at least three corners [[lat, lng], …]; got \(corners.count)")
            }
            var points: [GeoPoint] = []
            for (index, corner) in corners.enumerated() {
                guard let point = GeoFence.point(corner) else {
                    throw RuleEvaluationError("polygon corner \(index) must be [lat, lng] within ±90 and ±180; got \(corner.json)")
                }
                points.append(point)
            }
            self = .polygon(points)
        default:
            throw RuleEvaluationError(
                "the area must be a circle {\"lat\", \"lng\", \"radius_m\"} or a polygon [[lat, lng], …]; got \(value.json)")
        }
    }

    /// `{"lat": …, "lng": …}` or `[lat, lng]`, within range.
    public static func point(_ value: RuleValue) -> GeoPoint? {
        switch value {
        case .object(let members):
            guard let lat = members["lat"]?.numberValue, let lng = members["lng"]?.numberValue else { return nil }
            return GeoPoint(latitude: lat, longitude: lng)
        case .array(let pair) where pair.count == 2:
            guard let lat = pair[0].numberValue, let lng = pair[1].numberValue else { return nil }
            return GeoPoint(latitude: lat, longitude: lng)
        default:
            return nil
        }
    }

    public func contains(_ point: GeoPoint) -> Bool {
        switch self {
        case .circle(let center, let radius):
            return GeoFence.distance(center, point) <= radius
        case .polygon(let corners):
            // Even-odd ray casting along the latitude of the point.
            var inside = false
            var j = corners.count - 1
            for i in corners.indices {
                let a = corners[i]
                let b = corners[j]
                if (a.latitude > point.latitude) != (b.latitude > point.latitude) {
                    let crossing = a.longitude + (point.latitude - a.latitude) / (b.latitude - a.latitude) * (b.longitude - a.longitude)
                    if point.longitude < crossing { inside.toggle() }
                }
                j = i
            }
            return inside
        }
    }

    /// Great-circle distance in metres (haversine).
    public static func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (b.latitude - a.latitude) * radians
        let dLng = (b.longitude - a.longitude) * radians
        let h =
            sin(dLat / 2) * sin(dLat / 2)
            + cos(a.latitude * radians) * cos(b.latitude * radians) * sin(dLng / 2) * sin(dLng / 2)
        return 2 * earthRadius * asin(min(1, sqrt(h)))
    }
}
