import Foundation
import SalesProto
import SwiftProtobuf
import Testing

@testable import OpportunitiesService

/// The local signer's stamp: the PDF's hash and time, sealed to its contract.
@Suite struct LocalContractSignerTests {
    @Test func aStampMovedToAnotherContractOrChangedNoLongerVerifies() {
        let signer = LocalContractSigner(secret: String(repeating: "s", count: 32))
        let document = Array("%PDF-1.7 签字页".utf8)
        let stamp = signer.stamp(document: document, contractID: "c-1", signedBy: "li.na", at: Date(timeIntervalSince1970: 1_800_000_000))
        // SHA-256 of the bytes, as `sha256sum` prints it.
        #expect(stamp.documentSha256 == "9cfb570c7cf0e4d2cbc960bb43038d5169ba8f2a9cec6d6f415c333f70a7ce9f")
        #expect(signer.verifies(stamp, contractID: "c-1"))
        #expect(!signer.verifies(stamp, contractID: "c-2"))
        var changed = stamp
        changed.signedAt.seconds += 1
        #expect(!signer.verifies(changed, contractID: "c-1"))
        #expect(!LocalContractSigner(secret: String(repeating: "t", count: 32)).verifies(stamp, contractID: "c-1"))
    }
}
