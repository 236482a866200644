import Foundation
import Testing
import VigilConfig

/// `database: postgres://…`: what is parsed, what is refused, and that the password is never
/// shown, in an error or a description.
@Suite("PostgreSQL database URLs")
struct PostgresLocationTests {
    /// The password in every URL here, searched for in every message and description.
    static let password = "hunter2"

    @Test("a URL is parsed into its parts", arguments: [
        ("postgres://vigil:hunter2@db.internal:6543/incidents?sslmode=require",
         PostgresLocation(host: "db.internal", port: 6543, user: "vigil", password: "hunter2", database: "incidents", tls: .require)),
        ("postgresql://vigil@db/vigil",
         PostgresLocation(host: "db", user: "vigil", database: "vigil")),
        ("POSTGRES://vigil:hunter2@db/vigil",
         PostgresLocation(host: "db", user: "vigil", password: "hunter2", database: "vigil")),
        ("  postgres://vigil:@db:5432/vigil  ",
         PostgresLocation(host: "db", user: "vigil", database: "vigil")),
        ("postgres://vigil:hunter2@[::1]:5433/vigil",
         PostgresLocation(host: "::1", port: 5433, user: "vigil", password: "hunter2", database: "vigil")),
        ("postgres://vigil@[2001:db8::5]/vigil?sslmode=disable",
         PostgresLocation(host: "2001:db8::5", user: "vigil", database: "vigil", tls: .disable)),
        ("postgres://vigil@10.0.0.7/vigil?application_name=vigil%20eu&sslmode=verify-full",
         PostgresLocation(host: "10.0.0.7", user: "vigil", database: "vigil", tls: .require, applicationName: "vigil eu")),
        ("postgres://vigil@db/vigil?",
         PostgresLocation(host: "db", user: "vigil", database: "vigil")),
    ])
    func parsed(url: String, expected: PostgresLocation) throws {
        let location = try PostgresLocation.parse(url)
        #expect(location == expected)
        #expect(try DatabaseLocation.parse(url, relativeTo: "/srv/vigil") == .postgres(expected))
    }

    @Test("user, password and database are percent-decoded; @, : and # may be typed raw in the password")
    func percentEncoding() throws {
        let encoded = try PostgresLocation.parse("postgres://ops%40corp:p%40ss%2Fw%3Ard%25@db/incident%20log")
        #expect(encoded.user == "ops@corp")
        #expect(encoded.password == "p@ss/w:rd%")
        #expect(encoded.database == "incident log")

        let raw = try PostgresLocation.parse("postgres://vigil:p@ss:w#rd?@db/vigil?sslmode=require")
        #expect(raw.user == "vigil")
        #expect(raw.password == "p@ss:w#rd?")
        #expect(raw.host == "db")
        #expect(raw.tls == .require)
    }

    @Test("sslmode maps libpq's six modes onto three", arguments: [
        ("disable", PostgresLocation.TLSMode.disable), ("allow", .prefer), ("prefer", .prefer),
        ("require", .require), ("verify-ca", .require), ("verify-full", .require),
    ])
    func sslmode(value: String, mode: PostgresLocation.TLSMode) throws {
        #expect(try PostgresLocation.parse("postgres://vigil@db/vigil?sslmode=\(value)").tls == mode)
    }

    @Test("without sslmode the connection prefers TLS, as libpq does; the port defaults to 5432")
    func defaults() throws {
        let location = try PostgresLocation.parse("postgres://vigil@db/vigil")
        #expect(location.tls == .prefer)
        #expect(location.port == 5432)
        #expect(location.password == nil)
        #expect(location.applicationName == nil)
    }

    @Test("sqlitePath and postgres tell the two kinds apart")
    func accessors() throws {
        let postgres = try DatabaseLocation.parse("postgres://vigil:hunter2@db/vigil", relativeTo: "/srv/vigil")
        #expect(postgres.sqlitePath == nil)
        #expect(postgres.postgres?.host == "db")
        let sqlite = try DatabaseLocation.parse("sqlite:vigil.sqlite", relativeTo: "/srv/vigil")
        #expect(sqlite.sqlitePath == "/srv/vigil/vigil.sqlite")
        #expect(sqlite.postgres == nil)
    }

    @Test("${VAR} fills the URL when vigil.yaml is loaded")
    func substitution() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "vigil.yaml", "database: postgres://vigil:${PG_PASSWORD}@${PG_HOST}:${PG_PORT}/vigil?sslmode=${PG_SSLMODE}\n")
        let environment = ["PG_PASSWORD": "s3cr%40t", "PG_HOST": "db.internal", "PG_PORT": "6432", "PG_SSLMODE": "verify-full"]

        // MUT
        let configuration = try VigilConfiguration.load(path: path, environment: environment)

        // validate
        #expect(configuration.database == .postgres(PostgresLocation(
            host: "db.internal", port: 6432, user: "vigil", password: "s3cr@t", database: "vigil", tls: .require)))
        #expect(configuration.database.description == "postgres://vigil:***@db.internal:6432/vigil?sslmode=require")
    }

    @Test("a URL whose variable is not set stops the load at its line")
    func missingVariable() {
        let error = #expect(throws: ConfigurationError.self) {
            try VigilConfiguration.decode(
                yaml: "listen: 127.0.0.1:8080\ndatabase: postgres://vigil:${PG_PASSWORD}@db/vigil\n", file: "vigil.yaml",
                directory: "/srv/vigil", environment: [:])
        }
        #expect(error?.diagnostics.map(\.location.line) == [2])
        #expect(error?.description.contains("PG_PASSWORD") == true)
    }

    static let mistakes: [(url: String, message: String)] = [
        ("postgres:vigil:hunter2@db/vigil", "it must start with postgres:// or postgresql:// (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db:99999/vigil", "the port must be a number from 1 to 65535 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db:0/vigil", "the port must be a number from 1 to 65535 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db:54x2/vigil", "the port must be a number from 1 to 65535 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db:/vigil", "the port must be a number from 1 to 65535 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db/vigil?sslmod=require", #"unknown parameter "sslmod" (only sslmode and application_name are accepted)"#),
        ("postgres://vigil:hunter2@db/vigil?sslmode=required",
         #"unknown sslmode "required" (use disable, allow, prefer, require, verify-ca or verify-full)"#),
        ("postgres://vigil:hunter2@db/vigil?sslmode=require&sslmode=disable", #"parameter "sslmode" is given twice"#),
        ("postgres://vigil:hunter2@db/vigil?connect_timeout", #"parameter "connect_timeout" needs a value (NAME=VALUE)"#),
        ("postgres://vigil:hunter2@db", "no database name (end the URL with /DATABASE) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db/", "no database name (end the URL with /DATABASE) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db/vigil/extra",
         #"the path must be one database name (write a "/" in it as %2F) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#),
        ("postgres://db/vigil", "no user name (write USER@ before the host) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://:hunter2@db/vigil", "no user name (write USER@ before the host) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@/vigil", "no host name (write it after the @) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db1,db2/vigil", "several hosts are not supported; name one (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@::1/vigil", "write an IPv6 address in brackets, e.g. [::1]:5432 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@[::1/vigil", #"an IPv6 address is missing its "]" (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#),
        ("postgres://vigil:hunter2@[db]/vigil", "the address in [brackets] is not an IPv6 address (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
        ("postgres://vigil:hunter2@db host/vigil", #"the host name holds " " (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#),
        // A `/` typed raw in the password: everything after it must not be read as the path.
        ("postgres://vigil:hun/ter2@db/vigil?sslmode=ter2",
         #""@" after the host: percent-encode "/" in a user name or password as %2F, and "@" elsewhere as %40 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#),
        ("postgres://vigil:hunter2%zz@db/vigil",
         "the password is not valid percent-encoding (write % as %25) (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"),
    ]

    @Test("mistakes are named, with the password nowhere in the message", arguments: mistakes)
    func mistake(url: String, message: String) {
        // MUT
        let error = #expect(throws: ConfigValueError.self) { try DatabaseLocation.parse(url, relativeTo: "/srv/vigil") }

        // validate
        #expect(error?.message == "invalid PostgreSQL URL: " + message)
        #expect(error?.message.contains(Self.password) == false)
        #expect(error?.message.contains("ter2") == false)
    }

    @Test("in vigil.yaml, each mistake is one diagnostic at its line, without the password", arguments: mistakes)
    func diagnostic(url: String, message: String) {
        let diagnostics = ConfigText.diagnostics("listen: 127.0.0.1:8080\ndatabase: \"\(url)\"\n")
        #expect(diagnostics == ["vigil.yaml:2: invalid PostgreSQL URL: " + message])
        #expect(diagnostics.allSatisfy { !$0.contains(Self.password) })
    }

    @Test("another scheme is named by its scheme alone")
    func otherScheme() {
        let error = #expect(throws: ConfigValueError.self) {
            try DatabaseLocation.parse("mysql://vigil:hunter2@db/vigil", relativeTo: "/srv/vigil")
        }
        #expect(error?.message
            == #"unsupported database "mysql:…" (use sqlite:PATH, e.g. sqlite:vigil.sqlite, or postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#)
    }

    @Test("the description shows the URL with *** for the password", arguments: [
        ("postgres://vigil:hunter2@db/vigil", "postgres://vigil:***@db:5432/vigil"),
        ("postgresql://vigil@db:6432/vigil", "postgres://vigil@db:6432/vigil"),
        ("postgres://vigil:hunter2@[::1]:5433/vigil?sslmode=verify-ca", "postgres://vigil:***@[::1]:5433/vigil?sslmode=require"),
        ("postgres://ops%40corp:hunter2@db/incident%20log?sslmode=disable&application_name=vigil%2Feu",
         "postgres://ops%40corp:***@db:5432/incident%20log?sslmode=disable&application_name=vigil%2Feu"),
    ])
    func description(url: String, expected: String) throws {
        let location = try PostgresLocation.parse(url)
        #expect(location.description == expected)
        #expect(try DatabaseLocation.parse(url, relativeTo: "/").description == expected)
        // The description reads back as the same location, but for the password.
        var withoutPassword = location
        withoutPassword.password = nil
        #expect(try PostgresLocation.parse(expected.replacingOccurrences(of: ":***@", with: "@")) == withoutPassword)
    }

    @Test("printing or dumping a location or a configuration does not show the password")
    func neverShown() throws {
        let configuration = try ConfigText.decode("database: postgres://vigil:hunter2@db/vigil?sslmode=require\n")
        let location = try #require(configuration.database.postgres)
        #expect(location.password == Self.password)
        var dumped = ""
        dump(configuration.database, to: &dumped)
        let shown = [
            "\(configuration.database)", String(reflecting: configuration.database), String(reflecting: location), dumped,
        ]
        for text in shown {
            #expect(!text.contains(Self.password), "\(text)")
        }
        #expect(dumped.contains("\"***\""))
    }
}
