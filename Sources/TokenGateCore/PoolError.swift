/// A pool declaration or a pool name that cannot be used.
public enum PoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A glob with no characters.
    case emptyGlob
    /// A pool with no globs.
    case noModels(pool: String)
    /// Not 1-64 of `A-Za-z0-9._-`, or `default` (the top-level limits' pool).
    case invalidName(String)
    /// Two pools with one name.
    case duplicateName(String)
    /// `glob` of `pool` can never match: an earlier glob (`coveredBy`, of `earlierPool`) takes
    /// every model it would.
    case unreachableGlob(pool: String, glob: String, earlierPool: String, coveredBy: String)
    /// A request named a pool the daemon does not have.
    case unknownPool(String, known: [String])

    public var description: String {
        switch self {
        case .emptyGlob: "a model glob must not be empty"
        case .noModels(let pool): "pool '\(pool)' names no models (give models=GLOB|GLOB)"
        case .invalidName(let name):
            "pool name '\(name)' must be 1-64 of A-Za-z0-9._- and not 'default' (the top-level limits)"
        case .duplicateName(let name): "pool '\(name)' is declared twice"
        case .unreachableGlob(let pool, let glob, let earlierPool, let coveredBy):
            "glob '\(glob)' of pool '\(pool)' can never match: '\(coveredBy)' of pool '\(earlierPool)' comes first and takes every model it would"
        case .unknownPool(let name, let known): "unknown pool '\(name)'; pools: \(known.joined(separator: ", "))"
        }
    }
}
