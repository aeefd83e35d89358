import GRDB

/// The journal's tables, versioned by GRDB's migrator (the `grdb_migrations` table).
///
/// - `usage(id, at_ms, worker, ticket, input, output, cache_creation, cache_read, model)`: one row
///   per recorded report; `at_ms` is Unix time in milliseconds.
/// - `actions(id, at_ms, kind, actor, detail)`: pause, resume, limit and cooldown.
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
        return migrator
    }
}
