import LeadIntegrationSupport
import LeadStorage
import Logging
import PostgresNIO
import Testing

@Suite("Migrations (real PostgreSQL)")
struct MigrationTests {
    let logger = Logger(label: "test.migrations")

    func sampleSet(_ schema: SQLIdentifier, extra: [Migration] = []) -> MigrationSet {
        MigrationSet(name: schema.name, schema: schema, migrations: [
            Migration(version: 1, name: "widgets", statements: [
                "CREATE TABLE \(schema.name).widgets (id bigint PRIMARY KEY, label text NOT NULL)",
                "CREATE INDEX widgets_label ON \(schema.name).widgets (label)",
            ]),
            Migration(version: 2, name: "widget colour", statements: [
                "ALTER TABLE \(schema.name).widgets ADD COLUMN colour text",
            ]),
        ] + extra)
    }

    @Test("applying the same sets twice is a no-op the second time")
    func idempotent() async throws {
        let schema = try TestDatabase.uniqueSchema()
        try await TestDatabase.withClient { client in
            let migrator = Migrator(client: client, logger: logger)
            let sets = [MigrationSet.messagingTables(schema: schema), sampleSet(schema)]
            let first = try await migrator.migrate(sets)
            let second = try await migrator.migrate(sets)
            #expect(first == 3)
            #expect(second == 0)
            try await client.query("INSERT INTO \(unescaped: schema.name).widgets (id, label, colour) VALUES (1, 'a', 'red')")
            let rows = try await client.query("SELECT count(*)::int FROM \(unescaped: schema.name).widgets")
            var count = 0
            for try await value in rows.decode(Int.self) { count = value }
            #expect(count == 1)
        }
    }

    @Test("a later migration is applied on top of earlier ones")
    func incremental() async throws {
        let schema = try TestDatabase.uniqueSchema()
        try await TestDatabase.withClient { client in
            let migrator = Migrator(client: client, logger: logger)
            #expect(try await migrator.migrate([sampleSet(schema)]) == 2)
            let third = Migration(version: 3, name: "widget size", statements: [
                "ALTER TABLE \(schema.name).widgets ADD COLUMN size int",
            ])
            #expect(try await migrator.migrate([sampleSet(schema, extra: [third])]) == 1)
            try await client.query("INSERT INTO \(unescaped: schema.name).widgets (id, label, size) VALUES (1, 'a', 3)")
        }
    }

    @Test("an applied migration whose SQL changed is refused")
    func editedMigrationRefused() async throws {
        let schema = try TestDatabase.uniqueSchema()
        try await TestDatabase.withClient { client in
            let migrator = Migrator(client: client, logger: logger)
            try await migrator.migrate([sampleSet(schema)])
            let edited = MigrationSet(name: schema.name, schema: schema, migrations: [
                Migration(version: 1, name: "widgets", statements: ["CREATE TABLE \(schema.name).other (id int)"]),
            ])
            await #expect(throws: StorageError.self) { try await migrator.migrate([edited]) }
        }
    }

    @Test("instances migrating at the same moment apply each migration once")
    func concurrentInstances() async throws {
        let schema = try TestDatabase.uniqueSchema()
        let set = sampleSet(schema)
        let logger = self.logger
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await TestDatabase.withClient { client in
                        try await Migrator(client: client, logger: logger).migrate([set])
                    }
                }
            }
            var all: [Int] = []
            for try await count in group { all.append(count) }
            return all
        }
        #expect(counts.reduce(0, +) == 2)
    }

    @Test("identifiers that are not plain lower-case names are refused")
    func identifierValidation() {
        #expect(throws: StorageError.self) { try SQLIdentifier("leads; DROP TABLE x") }
        #expect(throws: StorageError.self) { try SQLIdentifier("Upper") }
        #expect(throws: StorageError.self) { try SQLIdentifier("1abc") }
        #expect(throws: StorageError.self) { try SQLIdentifier("") }
        #expect(throws: StorageError.self) { try SQLIdentifier(String(repeating: "a", count: 64)) }
        #expect((try? SQLIdentifier("ingest_2")) != nil)
    }
}
