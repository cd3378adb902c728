import Foundation

/// Files in `Tests/Fixtures`, read through this file's path (not as a SwiftPM resource), so
/// every test target finds them in a plain clone.
package enum Fixtures {
    package static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    package static func path(_ relative: String) -> String {
        folder.appendingPathComponent(relative).path
    }
}
