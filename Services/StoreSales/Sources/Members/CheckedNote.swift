import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A clerk's note, checked: a rating of 1 to 5, the needs heard, and up to nine clips.
struct CheckedNote: Sendable {
    var rating: Int
    var needs: String
    var media: [Clip]

    struct Clip: Codable, Sendable {
        var kind: String
        var ref: String
        var seconds: Int
    }

    init(_ request: Sales_Storesales_V1_AddMemberNoteRequest) throws(ServiceError) {
        guard (1...5).contains(request.rating) else {
            throw .invalidArgument(field: "rating", rule: "must be 1 to 5 (got \(request.rating))")
        }
        rating = Int(request.rating)
        needs = try Require.optionalText(request.needs, field: "needs", maxLength: 500)
        guard request.media.count <= 9 else { throw .invalidArgument(field: "media", rule: "at most 9 clips a note (got \(request.media.count))") }
        var clips: [Clip] = []
        for (index, item) in request.media.enumerated() {
            let field = "media[\(index)]"
            guard item.kind == "photo" || item.kind == "voice" else {
                throw .invalidArgument(field: "\(field).kind", rule: "must be photo or voice (got \(quoted: item.kind))")
            }
            let ref = try Require.text(item.ref, field: "\(field).ref", maxLength: 200)
            if item.kind == "voice" {
                guard (1...600).contains(item.seconds) else {
                    throw .invalidArgument(field: "\(field).seconds", rule: "a voice clip lasts 1 to 600 seconds (got \(item.seconds))")
                }
            } else if item.seconds != 0 {
                throw .invalidArgument(field: "\(field).seconds", rule: "is for voice clips only; leave it 0 for a photo")
            }
            clips.append(Clip(kind: item.kind, ref: ref, seconds: Int(item.seconds)))
        }
        media = clips
    }

    var mediaJSON: String { String(decoding: (try? JSONEncoder().encode(media)) ?? Data("[]".utf8), as: UTF8.self) }

    func message(id: UUID, clerk: UUID, at time: Date) -> Sales_Storesales_V1_MemberNote {
        Self.stored(id: id, clerk: clerk, rating: rating, needs: needs, mediaJSON: mediaJSON, at: time)
    }

    static func stored(id: UUID, clerk: UUID, rating: Int, needs: String, mediaJSON: String, at time: Date) -> Sales_Storesales_V1_MemberNote {
        let clips = (try? JSONDecoder().decode([Clip].self, from: Data(mediaJSON.utf8))) ?? []
        return .with {
            $0.id = id.apiString
            $0.clerkID = clerk.apiString
            $0.rating = Int32(rating)
            $0.needs = needs
            $0.media = clips.map { clip in
                .with {
                    $0.kind = clip.kind
                    $0.ref = clip.ref
                    $0.seconds = Int32(clip.seconds)
                }
            }
            $0.createdAt = Google_Protobuf_Timestamp(date: time)
        }
    }
}
