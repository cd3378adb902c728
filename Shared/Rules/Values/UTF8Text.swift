/// Text comparison by code units, as JavaScript compares strings. Swift's `==` on `String` is
/// canonical equivalence (and slower for non-ASCII text such as city names); JavaScript's `===`
/// is exact code units, which for well-formed text is exact UTF-8 bytes.
enum UTF8Text {
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        if let result = a.utf8.withContiguousStorageIfAvailable({ left in
            b.utf8.withContiguousStorageIfAvailable { right in
                left.count == 0 || memoryEqual(left, right)
            }
        }), let result {
            return result
        }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// JavaScript's `haystack.indexOf(needle) !== -1`.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        let hay = Array(haystack.utf8)
        let pin = Array(needle.utf8)
        guard pin.count <= hay.count else { return false }
        let first = pin[0]
        var i = 0
        let last = hay.count - pin.count
        while i <= last {
            if hay[i] == first, hay[i..<(i + pin.count)].elementsEqual(pin) { return true }
            i += 1
        }
        return false
    }

    /// JavaScript's string order: UTF-16 code units, lexicographically.
    static func precedes(_ a: String, _ b: String, orEqual: Bool) -> Bool {
        var left = a.utf16.makeIterator()
        var right = b.utf16.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return orEqual
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): if x != y { return x < y }
            }
        }
    }

    private static func memoryEqual(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = left.count
        while i < count {
            if left[i] != right[i] { return false }
            i += 1
        }
        return true
    }
}

/// Text hashed and compared by its exact bytes (see `UTF8Text`).
struct ExactText: Hashable, Sendable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (a: ExactText, b: ExactText) -> Bool { UTF8Text.same(a.text, b.text) }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
