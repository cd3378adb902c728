extension String {
    /// The text with full-width ASCII forms (U+FF01–U+FF5E, as Chinese input methods type
    /// "８６１３８", "＋", "－", "（）") and the ideographic space turned into their ASCII
    /// equivalents, so a number typed either way reads the same.
    public var halfWidth: String {
        guard unicodeScalars.contains(where: { (0xFF01...0xFF5E).contains($0.value) || $0.value == 0x3000 }) else { return self }
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
