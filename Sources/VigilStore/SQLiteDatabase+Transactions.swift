import CSQLite

// MARK: - Transactions

/// Transactions and savepoints. A group commit opens one write transaction with ``begin()``, runs
/// each unit in a ``savepoint(_:)``, and ends with ``commit()`` or ``rollback()``; code written
/// for a transaction of its own (``transaction(_:)``) runs inside a unit as a savepoint.
extension SQLiteDatabase {
    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up front
    /// and a busy database waits here rather than failing mid-way), committing when it returns
    /// and rolling back when it throws. Inside a transaction already open (a unit of a group
    /// commit) it is a savepoint of that transaction instead: `body`'s writes still stand or fall
    /// together, and commit with the enclosing transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else { return try savepoint(body) }
        return try transaction("BEGIN IMMEDIATE", commit: true, body)
    }

    /// Runs `body` in a read transaction (one consistent snapshot) that is always rolled back, so
    /// nothing it might write survives. Inside an open transaction it reads that transaction's
    /// snapshot, in a savepoint that is rolled back.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            try run("SAVEPOINT read")
            defer {
                if isInTransaction {
                    try? run("ROLLBACK TO read")
                    try? run("RELEASE read")
                }
            }
            return try body()
        }
        return try transaction("BEGIN DEFERRED", commit: false, body)
    }

    /// Opens the write transaction of a group of units (`BEGIN IMMEDIATE`); ``commit()`` or
    /// ``rollback()`` ends it.
    public func begin() throws {
        guard !isInTransaction else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "transactions do not nest", statement: "BEGIN IMMEDIATE")
        }
        try run("BEGIN IMMEDIATE")
    }

    /// Commits the open transaction.
    public func commit() throws { try run("COMMIT") }

    /// Rolls back the open transaction, if SQLite has not already done so.
    public func rollback() {
        if isInTransaction { try? run("ROLLBACK") }
    }

    /// Runs `body` in a savepoint of the open transaction: released when it returns, rolled back
    /// (alone) when it throws. After an error that made SQLite roll back the whole transaction
    /// (a full disk, an I/O error), there is nothing left to roll back to, and the caller learns
    /// it from ``isInTransaction``.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try run("SAVEPOINT unit")
        do {
            let result = try body()
            try run("RELEASE unit")
            return result
        } catch {
            if isInTransaction {
                try? run("ROLLBACK TO unit")
                try? run("RELEASE unit")
            }
            throw error
        }
    }

    private func transaction<T>(_ begin: String, commit: Bool, _ body: () throws -> T) throws -> T {
        try run(begin)
        do {
            let result = try body()
            try run(commit ? "COMMIT" : "ROLLBACK")
            return result
        } catch {
            // A failed COMMIT may already have rolled back; roll back only what is still open.
            if isInTransaction { try? run("ROLLBACK") }
            throw error
        }
    }
}
