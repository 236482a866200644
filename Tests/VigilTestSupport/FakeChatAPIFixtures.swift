import Foundation
import Synchronization
import VigilJSON

/// The recorded platform answers under `Tests/VigilChatTests/Fixtures/` that the fake chat APIs
/// answer with. Read by path (as ``Fixtures`` reads `commands/`), so the fakes and the parser
/// tests share one copy of each body.
enum FakeChatAPIFixtures {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/VigilChatTests/Fixtures")

    /// The JSON body recorded in `<folder>/<name>`; a missing or broken fixture stops the test run.
    static func json(_ folder: String, _ name: String) -> JSONValue {
        let url = directory.appendingPathComponent(folder).appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url), let json = try? JSONValue.parse(Array(data)) else {
            preconditionFailure("fixture \(folder)/\(name) is missing or not JSON")
        }
        return json
    }
}

/// A fake's state behind a lock, shared by the fake (which tests read) and its server's
/// responder (which changes it), so neither holds the other.
final class FakeChatAPIStore<State: Sendable>: Sendable {
    let state: Mutex<State>

    init(_ initial: State) {
        state = Mutex(initial)
    }
}

extension JSONValue {
    /// This object with the member `key` set to `value` (replaced in place, or appended).
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case var .object(members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// This object with several members set, in order.
    func setting(_ changes: [(String, JSONValue)]) -> JSONValue {
        changes.reduce(self) { $0.setting($1.0, $1.1) }
    }
}
