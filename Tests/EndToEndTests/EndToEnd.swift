import TestSupport
import Testing

/// Every end-to-end suite nests here: they share one running stack, and the fault tests kill
/// its processes, so they run one at a time.
@Suite(.serialized) enum EndToEnd {}
