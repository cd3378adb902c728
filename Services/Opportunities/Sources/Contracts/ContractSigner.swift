import Crypto
import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The e-signature plugin: stamps a signed document for a contract. A vendor's signer (e签宝,
/// 法大大) implements it by calling its service; the local signer is the default.
protocol ContractSigner: Sendable {
    func stamp(document: [UInt8], contractID: String, signedBy: String, at time: Date) async throws -> Sales_Opportunities_V1_ContractSignature
}

/// Stamps the PDF's SHA-256 and the time, sealed with an HMAC under a key derived from the
/// service secret: anyone holding the secret can check a stamp, and no stamp can be moved to
/// another contract, document or time.
struct LocalContractSigner: ContractSigner {
    private let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(derivedFrom: secret, label: "sales.contract-seal.v1")
    }

    func stamp(document: [UInt8], contractID: String, signedBy: String, at time: Date) -> Sales_Opportunities_V1_ContractSignature {
        var stamp = Sales_Opportunities_V1_ContractSignature.with {
            $0.signer = "local"
            $0.documentSha256 = SHA256.hash(data: document).hexEncoded
            $0.documentBytes = Int64(document.count)
            $0.signedAt = Google_Protobuf_Timestamp(date: time)
            $0.signedBy = signedBy
        }
        stamp.seal = seal(of: stamp, contractID: contractID)
        return stamp
    }

    /// Whether `signature` is this signer's stamp for the contract, unchanged.
    func verifies(_ signature: Sales_Opportunities_V1_ContractSignature, contractID: String) -> Bool {
        signature.signer == "local" && signature.seal == seal(of: signature, contractID: contractID)
    }

    private func seal(of stamp: Sales_Opportunities_V1_ContractSignature, contractID: String) -> String {
        let text = [
            contractID, stamp.documentSha256, "\(stamp.documentBytes)", "\(stamp.signedAt.seconds).\(stamp.signedAt.nanos)", stamp.signedBy,
        ].joined(separator: "|")
        return HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key).hexEncoded
    }
}
