import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One XML part of a workbook read with XMLParser as a stream of events (no tree is built, so a
/// large sheet costs its XML and its values, not a DOM). Element names come without a namespace
/// prefix: Excel writes none, but other writers (the Open XML SDK) write `x:row`, `x:c`.
final class XMLEvents: NSObject, XMLParserDelegate {
    private let start: (String, [String: String]) -> Void
    private let text: (String) -> Void
    private let end: (String) -> Void

    private init(start: @escaping (String, [String: String]) -> Void, text: @escaping (String) -> Void, end: @escaping (String) -> Void) {
        self.start = start
        self.text = text
        self.end = end
    }

    static func parse(
        _ data: Data, part: String, name: String,
        start: @escaping (String, [String: String]) -> Void,
        text: @escaping (String) -> Void = { _ in },
        end: @escaping (String) -> Void = { _ in }
    ) throws {
        // Fed as a stream, in chunks: given all at once, libxml2 (under FoundationXML) stops a part
        // over 10 MB (its lookup limit; a sheet of ~25,000 rows) with an internal error.
        let parser = XMLParser(stream: InputStream(data: data))
        let events = XMLEvents(start: start, text: text, end: end)  // the parser holds its delegate weakly
        parser.delegate = events
        guard parser.parse() else {
            throw ImportError(
                "\(name) is a damaged workbook: \(part) is not well-formed XML (line \(parser.lineNumber), column "
                    + "\(parser.columnNumber)); open it in Excel or WPS and save it again")
        }
    }

    static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// The value of an attribute whatever its prefix (`r:id` in Excel's files, another prefix elsewhere).
    static func attribute(_ local: String, in attributes: [String: String]) -> String? {
        attributes[local] ?? attributes.first { localName($0.key) == local }?.value
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        start(Self.localName(elementName), attributeDict)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text(string) }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        end(Self.localName(elementName))
    }
}

/// The text of a string item (`<si>` in sharedStrings.xml, `<is>` in a cell): plain `<t>`, or the
/// `<t>` of each rich-text run `<r>`, without the phonetic guide `<rPh>` that Chinese and Japanese
/// Excel adds (its `<t>` is a reading, not the cell's text).
struct XLSXStringItem {
    private(set) var text = ""
    private var inPhonetic = false
    private var inText = false

    mutating func start(_ element: String) {
        switch element {
        case "rPh": inPhonetic = true
        case "t": inText = !inPhonetic
        default: break
        }
    }

    mutating func characters(_ string: String) {
        if inText { text += string }
    }

    mutating func end(_ element: String) {
        switch element {
        case "rPh": inPhonetic = false
        case "t": inText = false
        default: break
        }
    }

    /// The finished text, with OOXML's `_xHHHH_` escapes decoded: Excel writes a carriage return in
    /// a cell as `_x000D_`, and a literal `_x` as `_x005F_x`.
    var decoded: String {
        guard text.contains("_x") else { return text }
        var result = ""
        var rest = text[...]
        while let range = rest.range(of: "_x") {
            result += rest[..<range.lowerBound]
            let escape = rest[range.upperBound...].prefix(5)  // HHHH_
            if escape.count == 5, escape.last == "_", escape.dropLast().allSatisfy(\.isHexDigit),
                let code = UInt32(escape.dropLast(), radix: 16), let scalar = Unicode.Scalar(code)
            {
                result.unicodeScalars.append(scalar)
                rest = rest[rest.index(range.upperBound, offsetBy: 5)...]
            } else {
                result += "_x"
                rest = rest[range.upperBound...]
            }
        }
        return result + rest
    }
}

enum XLSXSharedStrings {
    /// xl/sharedStrings.xml: the table that `t="s"` cells index into.
    static func read(_ data: Data, part: String, name: String) throws -> [String] {
        var strings: [String] = []
        var item: XLSXStringItem?
        try XMLEvents.parse(
            data, part: part, name: name,
            start: { element, _ in
                if element == "si" { item = XLSXStringItem() } else { item?.start(element) }
            }, text: { item?.characters($0) },
            end: { element in
                if element == "si", let done = item { strings.append(done.decoded); item = nil } else { item?.end(element) }
            })
        return strings
    }
}
