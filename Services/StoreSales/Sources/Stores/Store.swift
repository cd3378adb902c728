import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A validated CreateStore request.
struct NewStore: Sendable {
    var code: String
    var name: String
    var city: String
    var location: GeoPoint?
    var district: String
    var region: String

    init(_ request: Sales_Storesales_V1_CreateStoreRequest) throws(ServiceError) {
        let code = request.code.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else { throw .invalidArgument(field: "code", rule: "is required") }
        guard (2...32).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .invalidArgument(field: "code", rule: "must be 2 to 32 letters, digits or '-' (e.g. SH-001)")
        }
        self.code = code.uppercased()
        name = try Require.text(request.name, field: "name", maxLength: 100)
        city = try Require.optionalText(request.city, field: "city", maxLength: 50)
        district = try Require.optionalText(request.district, field: "district", maxLength: 50)
        region = try Require.optionalText(request.region, field: "region", maxLength: 50)
        if request.hasLocation {
            guard let point = GeoPoint(latitude: request.location.latitude, longitude: request.location.longitude) else {
                throw .invalidArgument(field: "location", rule: "latitude must be within ±90 and longitude within ±180")
            }
            location = point
        }
    }
}

struct StoreRow: Sendable {
    var seq: Int64
    var message: Sales_Storesales_V1_Store
}
