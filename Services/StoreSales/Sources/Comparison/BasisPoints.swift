/// A share as the store figures show it: basis points (10000 = 100%) of `whole`, rounded down;
/// 0 when there is nothing to divide by.
func basisPoints(_ part: some BinaryInteger, of whole: some BinaryInteger) -> Int32 {
    whole == 0 ? 0 : Int32(Int64(part) * 10_000 / Int64(whole))
}
