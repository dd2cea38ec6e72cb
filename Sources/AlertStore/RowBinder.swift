import GRDB
import GRDBSQLite

/// Binds one row's values straight onto a cached statement and runs it.
///
/// The batch writer inserts several rows per alert; building GRDB's
/// `StatementArguments` for each (an array of boxed values, then bound one
/// by one) was a tenth of the cost of a new incident. This binds positionally
/// with SQLite's own calls, inside the transaction GRDB opened.
struct RowBinder {
    private let statement: SQLiteStatement
    private let db: Database
    private var index: Int32 = 1

    init(_ statement: Statement, in db: Database) {
        self.statement = statement.sqliteStatement
        self.db = db
    }

    /// SQLite copies the text (`SQLITE_TRANSIENT`): Swift's buffer is only
    /// lent for the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(statement, index, value)
        index += 1
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: Int64?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: String) {
        var value = value
        let statement = statement
        let index = index
        value.withUTF8 { text in
            _ = text.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
                return sqlite3_bind_text(statement, index, base, Int32(chars.count), Self.transient)
            }
        }
        self.index += 1
    }

    mutating func bind(_ value: String?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bindNull() {
        sqlite3_bind_null(statement, index)
        index += 1
    }

    /// Runs the statement (an UPDATE) and resets it; whether it changed a row.
    mutating func runChangingRows() throws -> Bool {
        try run()
        return db.changesCount > 0
    }

    /// Runs the statement and resets it for the next row.
    mutating func run() throws {
        let code = sqlite3_step(statement)
        defer {
            sqlite3_reset(statement)
            index = 1
        }
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                sql: String(cString: sqlite3_sql(statement)))
        }
    }
}

/// Reads a statement's rows with SQLite's own calls: start-up reads a
/// million alert rows, and GRDB's row values (a string per text column)
/// cost more than the read itself.
struct RowStepper {
    /// Kept alive here: the statement is finalized when GRDB's object goes.
    private let owner: Statement
    private let statement: SQLiteStatement
    private let db: Database

    init(_ statement: Statement, in db: Database) {
        owner = statement
        self.statement = statement.sqliteStatement
        self.db = db
    }

    /// Moves to the next row; false after the last one.
    func next() throws -> Bool {
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                sql: String(cString: sqlite3_sql(statement)))
        }
        return false
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// The column's text as UTF-8, lent for the call (SQLite owns it).
    func withText<Result>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let text = sqlite3_column_text(statement, column)
        return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))))
    }
}
