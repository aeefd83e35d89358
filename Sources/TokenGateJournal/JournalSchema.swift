import GRDB

/// The journal's tables, versioned by GRDB's migrator (the `grdb_migrations` table).
///
/// - `usage(id, at_ms, worker, ticket, input, output, cache_creation, cache_read, model)`: one row
///   per recorded report; `at_ms` is Unix time in milliseconds.
/// - `actions(id, at_ms, kind, actor, detail)`: pause, resume, limit and cooldown.
/// - `open_grants(ticket, at_ms, worker, tokens, input, output, requests, lease_until_ms)` (v2):
///   grants whose ticket was not yet reported, released or withdrawn, so a restart keeps them.
/// - v3 adds `pool` to the three tables: the pool a usage counted in or a grant was made in, and
///   the pool an action was on (NULL: every pool for a pause or resume, `default` otherwise; rows
///   written before v3 have NULL).
enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "usage") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at_ms", .integer).notNull()
                table.column("worker", .text).notNull()
                table.column("ticket", .text)
                table.column("input", .integer).notNull()
                table.column("output", .integer).notNull()
                table.column("cache_creation", .integer).notNull()
                table.column("cache_read", .integer).notNull()
                table.column("model", .text)
            }
            try db.create(index: "usage_at_ms", on: "usage", columns: ["at_ms"])
            try db.create(table: "actions") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at_ms", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("actor", .text).notNull()
                table.column("detail", .text).notNull()
            }
            try db.create(index: "actions_at_ms", on: "actions", columns: ["at_ms"])
            try db.create(index: "actions_kind_at_ms", on: "actions", columns: ["kind", "at_ms"])
            try db.create(table: "journal_info") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v2") { db in
            try db.create(table: "open_grants") { table in
                table.primaryKey("ticket", .text)
                table.column("at_ms", .integer).notNull()
                table.column("worker", .text).notNull()
                table.column("tokens", .integer).notNull()
                table.column("input", .integer).notNull()
                table.column("output", .integer).notNull()
                table.column("requests", .integer).notNull()
                table.column("lease_until_ms", .integer).notNull()
            }
            try db.create(index: "open_grants_at_ms", on: "open_grants", columns: ["at_ms"])
        }
        migrator.registerMigration("v3") { db in
            for table in ["usage", "actions", "open_grants"] {
                try db.alter(table: table) { table in table.add(column: "pool", .text) }
            }
        }
        return migrator
    }
}
