import Foundation

/// The wall clock, in Unix milliseconds: what the journal stamps and compares records with.
enum WallClock {
    static func milliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
