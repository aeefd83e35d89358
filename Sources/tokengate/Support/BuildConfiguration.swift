/// Which configuration this executable was compiled in: a debug build measures 5-9 times slower
/// than a release build, so the benchmarks say which one ran.
enum BuildConfiguration {
    #if DEBUG
    /// `debug` or `release`.
    static let name = "debug"
    /// Whether this is a debug build.
    static let isDebug = true
    #else
    /// `debug` or `release`.
    static let name = "release"
    /// Whether this is a debug build.
    static let isDebug = false
    #endif

    /// The line the benchmarks print first: the configuration, and a warning on a debug build.
    static var benchmarkLine: String {
        guard isDebug else { return "build: release" }
        return "build: debug - WARNING: a debug build runs 5-9 times slower; measure with "
            + "`swift build -c release` and $(swift build -c release --show-bin-path)/tokengate"
    }
}
