import Foundation
import Synchronization
import VigilHTTP
import VigilJSON

/// Slack's Web API on 127.0.0.1 for tests: serves `/api/<method>` for the methods Vigil calls
/// (`chat.postMessage`, `chat.update`, `conversations.open|create|invite|archive|setTopic`,
/// `pins.add`), records each call, keeps enough state to check what a sequence of calls did
/// (messages by channel and ts, channels, invites, pins, archives, DMs), and answers from the
/// recorded bodies in `Tests/VigilChatTests/Fixtures/slack-web-api/` with generated ids.
///
/// ```swift
/// let slack = try await FakeSlackWebAPI.start(token: "xoxb-test")
/// slack.script("chat.postMessage", .rateLimited(retryAfter: 3))
/// let api = SlackWebAPI(token: "xoxb-test", baseURL: slack.baseURL)
/// …
/// #expect(slack.message(channel: "C0INCIDENTS", ts: "1733200000.000100")?.text == "…")
/// await slack.stop()
/// ```
public final class FakeSlackWebAPI: Sendable {
    /// One call as received.
    public struct Call: Sendable {
        /// The Web API method, e.g. `chat.postMessage`.
        public var method: String
        /// The JSON body; `.null` when the body was not JSON.
        public var body: JSONValue
        /// The `Authorization` header, if any.
        public var authorization: String?
    }

    /// A message as the fake holds it after posts and updates.
    public struct PostedMessage: Sendable, Equatable {
        public var channel: String
        public var ts: String
        public var threadTS: String?
        public var text: String?
        public var blocks: JSONValue?
        /// How many `chat.update` calls changed it.
        public var edits: Int
    }

    /// A channel made by `conversations.create`.
    public struct CreatedChannel: Sendable, Equatable {
        public var id: String
        public var name: String
        public var isPrivate: Bool

        public init(id: String, name: String, isPrivate: Bool) {
            self.id = id
            self.name = name
            self.isPrivate = isPrivate
        }
    }

    /// A scripted answer that replaces the fake's normal one for one call.
    public enum ScriptedAnswer: Sendable, Equatable {
        /// HTTP 429 with `Retry-After: <seconds>`.
        case rateLimited(retryAfter: Int)
        /// HTTP 200 `{"ok":false,"error":"<code>"}`.
        case error(String)
        /// Any status and body, e.g. a 503 from a proxy.
        case http(status: Int, body: String)
    }

    struct State {
        var calls: [Call] = []
        var script: [String: [ScriptedAnswer]] = [:]
        var messages: [String: PostedMessage] = [:]
        var messageOrder: [String] = []
        var channels: [CreatedChannel] = []
        var invites: [String: [String]] = [:]
        var pins: [String] = []
        var archived: [String] = []
        var directChannels: [String: String] = [:]
        var topics: [String: String] = [:]
        var nextTS = 1
        var nextChannel = 1

        static func key(_ channel: String, _ ts: String) -> String { channel + "/" + ts }

        /// `1733200000.000100`, then `…000200`: increasing, like Slack's.
        mutating func makeTS() -> String {
            defer { nextTS += 1 }
            let micros = String(nextTS * 100)
            return "1733200000." + String(repeating: "0", count: max(0, 6 - micros.count)) + micros
        }

        mutating func makeChannelID(_ prefix: String) -> String {
            defer { nextChannel += 1 }
            let digits = String(nextChannel)
            return prefix + "0FAKE" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }

    /// The HTTP server underneath (its ``LocalHTTPServer/requests`` hold the raw requests).
    public let server: LocalHTTPServer
    private let store: FakeChatAPIStore<State>

    private init(server: LocalHTTPServer, store: FakeChatAPIStore<State>) {
        self.server = server
        self.store = store
    }

    /// Starts the fake.
    ///
    /// - Parameter token: when given, a call with any other bearer token is answered `invalid_auth`.
    public static func start(token: String? = nil) async throws -> FakeSlackWebAPI {
        // The server answers through the store alone, so it holds no reference back to the fake.
        let store = FakeChatAPIStore(State())
        let server = try await LocalHTTPServer.start { request in Self.answer(request, token: token, store: store) }
        return FakeSlackWebAPI(server: server, store: store)
    }

    /// Stops the server.
    public func stop() async { await server.stop() }

    /// The API root to give ``SlackWebAPI`` (`http://127.0.0.1:<port>/api/`).
    public var baseURL: String { server.url(path: "/api/") }

    /// Makes the next calls of `method` get `answers`, in order, before the normal ones resume.
    public func script(_ method: String, _ answers: ScriptedAnswer...) {
        store.state.withLock { $0.script[method, default: []].append(contentsOf: answers) }
    }

    // MARK: - What tests read

    /// Every call so far, in arrival order.
    public var calls: [Call] { store.state.withLock { $0.calls } }
    /// The calls of one method.
    public func calls(_ method: String) -> [Call] { calls.filter { $0.method == method } }
    /// The message `ts` in `channel`, as it stands after any updates.
    public func message(channel: String, ts: String) -> PostedMessage? {
        store.state.withLock { $0.messages[State.key(channel, ts)] }
    }
    /// All messages posted, in posting order.
    public var messages: [PostedMessage] {
        store.state.withLock { state in state.messageOrder.compactMap { state.messages[$0] } }
    }
    /// Channels created, in order.
    public var createdChannels: [CreatedChannel] { store.state.withLock { $0.channels } }
    /// Users invited, by channel, in invitation order.
    public var invites: [String: [String]] { store.state.withLock { $0.invites } }
    /// Pinned messages as `channel/ts`.
    public var pins: [String] { store.state.withLock { $0.pins } }
    /// Archived channel ids, in order.
    public var archived: [String] { store.state.withLock { $0.archived } }
    /// DM channel ids by the `users` list that opened them.
    public var directChannels: [String: String] { store.state.withLock { $0.directChannels } }
    /// Channel topics by channel id.
    public var topics: [String: String] { store.state.withLock { $0.topics } }

    // MARK: - Answering

    static func answer(_ request: LocalHTTPServer.RecordedRequest, token: String?, store: FakeChatAPIStore<State>)
        -> LocalHTTPServer.CannedResponse
    {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let method = path.hasPrefix("/api/") ? String(path.dropFirst("/api/".count)) : path
        let body = (try? JSONValue.parse(request.body)) ?? .null
        let authorization = request.header("authorization")
        return store.state.withLock { state -> LocalHTTPServer.CannedResponse in
            state.calls.append(Call(method: method, body: body, authorization: authorization))
            if let token, authorization != "Bearer \(token)" { return Self.error("invalid_auth") }
            if var answers = state.script[method], !answers.isEmpty {
                let scripted = answers.removeFirst()
                state.script[method] = answers
                switch scripted {
                case let .rateLimited(seconds):
                    return Self.json(
                        Self.fixture("error.ratelimited.json"), status: 429, headers: [HTTPHeader("Retry-After", "\(seconds)")])
                case let .error(code): return Self.error(code)
                case let .http(status, text): return .text(text, status: status)
                }
            }
            return Self.handle(method, body, &state)
        }
    }

    static func handle(_ method: String, _ body: JSONValue, _ state: inout State) -> LocalHTTPServer.CannedResponse {
        let channel = body["channel"]?.stringValue ?? ""
        switch method {
        case "chat.postMessage":
            guard !channel.isEmpty else { return error("channel_not_found") }
            guard !state.archived.contains(channel) else { return error("is_archived") }
            let ts = state.makeTS()
            let message = PostedMessage(
                channel: channel, ts: ts, threadTS: body["thread_ts"]?.stringValue, text: body["text"]?.stringValue, blocks: body["blocks"],
                edits: 0)
            state.messages[State.key(channel, ts)] = message
            state.messageOrder.append(State.key(channel, ts))
            let recorded = fixture("chat.postMessage.json")
            let echoed = (recorded["message"] ?? [:]).setting([("text", body["text"] ?? ""), ("ts", .string(ts))])
            return json(recorded.setting([("channel", .string(channel)), ("ts", .string(ts)), ("message", echoed)]))
        case "chat.update":
            let ts = body["ts"]?.stringValue ?? ""
            guard var message = state.messages[State.key(channel, ts)] else { return error("message_not_found") }
            message.text = body["text"]?.stringValue ?? message.text
            message.blocks = body["blocks"] ?? message.blocks
            message.edits += 1
            state.messages[State.key(channel, ts)] = message
            return json(
                fixture("chat.update.json").setting([("channel", .string(channel)), ("ts", .string(ts)), ("text", body["text"] ?? "")]))
        case "conversations.open":
            guard let users = body["users"]?.stringValue, !users.isEmpty else { return error("users_list_not_supplied") }
            let id = state.directChannels[users] ?? state.makeChannelID("D")
            state.directChannels[users] = id
            return json(fixture("conversations.open.json").setting("channel", ["id": .string(id)]))
        case "conversations.create":
            let name = body["name"]?.stringValue ?? ""
            guard !name.isEmpty else { return error("invalid_name_required") }
            guard !state.channels.contains(where: { $0.name == name }) else { return json(fixture("error.name_taken.json")) }
            let created = CreatedChannel(id: state.makeChannelID("C"), name: name, isPrivate: body["is_private"]?.boolValue ?? false)
            state.channels.append(created)
            let recorded = fixture("conversations.create.json")
            let channelJSON = (recorded["channel"] ?? [:]).setting([
                ("id", .string(created.id)), ("name", .string(name)), ("name_normalized", .string(name)),
                ("is_private", .bool(created.isPrivate)),
            ])
            return json(recorded.setting("channel", channelJSON))
        case "conversations.invite":
            let users = (body["users"]?.stringValue ?? "").split(separator: ",").map(String.init)
            guard !users.isEmpty else { return error("no_user") }
            let already = state.invites[channel] ?? []
            let new = users.filter { !already.contains($0) }
            guard !new.isEmpty else { return json(fixture("error.already_in_channel.json")) }
            state.invites[channel] = already + new
            return json(fixture("conversations.invite.json").setting("channel", ["id": .string(channel)]))
        case "pins.add":
            let key = State.key(channel, body["timestamp"]?.stringValue ?? "")
            guard state.messages[key] != nil else { return error("message_not_found") }
            guard !state.pins.contains(key) else { return json(fixture("error.already_pinned.json")) }
            state.pins.append(key)
            return json(fixture("pins.add.json"))
        case "conversations.archive":
            guard !state.archived.contains(channel) else { return json(fixture("error.already_archived.json")) }
            state.archived.append(channel)
            return json(fixture("conversations.archive.json"))
        case "conversations.setTopic":
            state.topics[channel] = body["topic"]?.stringValue ?? ""
            return json(fixture("conversations.setTopic.json").setting("channel", ["id": .string(channel)]))
        default:
            return error("unknown_method")
        }
    }

    static func fixture(_ name: String) -> JSONValue { FakeChatAPIFixtures.json("slack-web-api", name) }

    static func error(_ code: String) -> LocalHTTPServer.CannedResponse {
        json(["ok": false, "error": .string(code)])
    }

    static func json(_ value: JSONValue, status: Int = 200, headers: [HTTPHeader] = []) -> LocalHTTPServer.CannedResponse {
        .init(status: status, headers: [HTTPHeader("Content-Type", "application/json; charset=utf-8")] + headers, body: value.serialized())
    }
}
