import Foundation
import Synchronization
import VigilHTTP
import VigilJSON

/// Mattermost's REST API v4 on 127.0.0.1 for tests: the endpoints Vigil calls (posts, patch,
/// pin, `users/me`, direct and new channels, members, archive), recorded, with enough state to
/// check what a sequence of calls did, answering from the recorded bodies in
/// `Tests/VigilChatTests/Fixtures/mattermost-api/` with generated 26-character ids.
public final class FakeMattermostAPI: Sendable {
    /// The bot's user id, as `GET /users/me` reports it.
    public static let botUserID = "b0tuserid0000000000000000w"

    /// The endpoints, named as tests script them.
    public enum Route: String, Sendable, Hashable {
        case createPost = "POST /posts"
        case patchPost = "PUT /posts/{id}/patch"
        case pinPost = "POST /posts/{id}/pin"
        case currentUser = "GET /users/me"
        case directChannel = "POST /channels/direct"
        case createChannel = "POST /channels"
        case addMember = "POST /channels/{id}/members"
        case archiveChannel = "DELETE /channels/{id}"
    }

    /// One call as received.
    public struct Call: Sendable {
        /// The endpoint; `nil` for a path the fake does not serve.
        public var route: Route?
        public var method: String
        /// The path below `/api/v4`, e.g. `/posts/abc/patch`.
        public var path: String
        /// The JSON body; `.null` when empty or not JSON.
        public var body: JSONValue
        public var authorization: String?
    }

    /// A post as the fake holds it after creates, patches and pins.
    public struct Post: Sendable, Equatable {
        public var id: String
        public var channelID: String
        public var rootID: String?
        public var message: String
        public var props: JSONValue?
        public var edits: Int
        public var isPinned: Bool
    }

    /// A channel made by `POST /channels` or `POST /channels/direct`.
    public struct Channel: Sendable, Equatable {
        public var id: String
        public var teamID: String
        public var name: String
        public var displayName: String
        /// `O`, `P` or `D`.
        public var type: String
        public var members: [String]
        public var archived: Bool
    }

    /// A scripted answer that replaces the fake's normal one for one call.
    public enum ScriptedAnswer: Sendable, Equatable {
        /// HTTP 429 with `Retry-After` and `X-Ratelimit-Reset` when given.
        case rateLimited(retryAfter: Int?, reset: Int?)
        /// An error body `{"id","message","status_code"}` with that status.
        case error(status: Int, id: String, message: String)
    }

    struct State {
        var calls: [Call] = []
        var script: [Route: [ScriptedAnswer]] = [:]
        var posts: [String: Post] = [:]
        var postOrder: [String] = []
        var channels: [String: Channel] = [:]
        var channelOrder: [String] = []
        var nextID = 1

        /// 26 lowercase letters and digits, like Mattermost's ids: `post000…0001`.
        mutating func makeID(_ prefix: String) -> String {
            defer { nextID += 1 }
            let digits = String(nextID)
            return prefix + String(repeating: "0", count: 26 - prefix.count - digits.count) + digits
        }
    }

    /// The HTTP server underneath.
    public let server: LocalHTTPServer
    private let store: FakeChatAPIStore<State>

    private init(server: LocalHTTPServer, store: FakeChatAPIStore<State>) {
        self.server = server
        self.store = store
    }

    /// Starts the fake.
    ///
    /// - Parameter token: when given, a call with any other bearer token is answered 401.
    public static func start(token: String? = nil) async throws -> FakeMattermostAPI {
        let store = FakeChatAPIStore(State())
        let server = try await LocalHTTPServer.start { request in Self.answer(request, token: token, store: store) }
        return FakeMattermostAPI(server: server, store: store)
    }

    /// Stops the server.
    public func stop() async { await server.stop() }

    /// The server URL to give ``MattermostAPI`` (`http://127.0.0.1:<port>`).
    public var serverURL: String { server.url(path: "") }

    /// Makes the next calls of `route` get `answers`, in order, before the normal ones resume.
    public func script(_ route: Route, _ answers: ScriptedAnswer...) {
        store.state.withLock { $0.script[route, default: []].append(contentsOf: answers) }
    }

    // MARK: - What tests read

    /// Every call so far, in arrival order.
    public var calls: [Call] { store.state.withLock { $0.calls } }
    /// The calls of one endpoint.
    public func calls(_ route: Route) -> [Call] { calls.filter { $0.route == route } }
    /// The post `id` as it stands.
    public func post(_ id: String) -> Post? { store.state.withLock { $0.posts[id] } }
    /// All posts, in posting order.
    public var posts: [Post] { store.state.withLock { state in state.postOrder.compactMap { state.posts[$0] } } }
    /// The channel `id` as it stands.
    public func channel(_ id: String) -> Channel? { store.state.withLock { $0.channels[id] } }
    /// All channels made, direct ones included, in order.
    public var channels: [Channel] { store.state.withLock { state in state.channelOrder.compactMap { state.channels[$0] } } }

    // MARK: - Answering

    static func answer(_ request: LocalHTTPServer.RecordedRequest, token: String?, store: FakeChatAPIStore<State>)
        -> LocalHTTPServer.CannedResponse
    {
        let fullPath = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let path = fullPath.hasPrefix("/api/v4") ? String(fullPath.dropFirst("/api/v4".count)) : fullPath
        let parts = path.split(separator: "/").map(String.init)
        let (route, id) = Self.route(request.method, parts)
        let body = (try? JSONValue.parse(request.body)) ?? .null
        let authorization = request.header("authorization")
        return store.state.withLock { state -> LocalHTTPServer.CannedResponse in
            state.calls.append(Call(route: route, method: request.method, path: path, body: body, authorization: authorization))
            if let token, authorization != "Bearer \(token)" { return json(fixture("error.unauthorized.json"), status: 401) }
            guard let route else {
                return error(404, "api.context.404.app_error", "Sorry, we could not find the page.")
            }
            if var answers = state.script[route], !answers.isEmpty {
                let scripted = answers.removeFirst()
                state.script[route] = answers
                switch scripted {
                case let .rateLimited(retryAfter, reset):
                    var headers = [HTTPHeader("X-Ratelimit-Limit", "10"), HTTPHeader("X-Ratelimit-Remaining", "0")]
                    if let reset { headers.append(HTTPHeader("X-Ratelimit-Reset", "\(reset)")) }
                    if let retryAfter { headers.append(HTTPHeader("Retry-After", "\(retryAfter)")) }
                    return .init(status: 429, headers: headers, body: Array("limit exceeded\n".utf8))
                case let .error(status, errorID, message): return error(status, errorID, message)
                }
            }
            return handle(route, id: id, body, &state)
        }
    }

    static func route(_ method: String, _ parts: [String]) -> (Route?, String?) {
        switch (method, parts.count, parts.first ?? "") {
        case ("POST", 1, "posts"): (.createPost, nil)
        case ("PUT", 3, "posts") where parts[2] == "patch": (.patchPost, parts[1])
        case ("POST", 3, "posts") where parts[2] == "pin": (.pinPost, parts[1])
        case ("GET", 2, "users") where parts[1] == "me": (.currentUser, nil)
        case ("POST", 2, "channels") where parts[1] == "direct": (.directChannel, nil)
        case ("POST", 1, "channels"): (.createChannel, nil)
        case ("POST", 3, "channels") where parts[2] == "members": (.addMember, parts[1])
        case ("DELETE", 2, "channels"): (.archiveChannel, parts[1])
        default: (nil, nil)
        }
    }

    static func handle(_ route: Route, id: String?, _ body: JSONValue, _ state: inout State) -> LocalHTTPServer.CannedResponse {
        let notFound = error(404, "app.post.get.app_error", "Unable to get the post.")
        switch route {
        case .createPost:
            guard let channelID = body["channel_id"]?.stringValue, state.channels[channelID]?.archived != true else {
                return error(400, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to deleted channel.")
            }
            let post = Post(
                id: state.makeID("post"), channelID: channelID, rootID: body["root_id"]?.stringValue,
                message: body["message"]?.stringValue ?? "",
                props: body["props"], edits: 0, isPinned: false)
            state.posts[post.id] = post
            state.postOrder.append(post.id)
            return json(postJSON(post, fixture("posts.create.json")), status: 201)
        case .patchPost:
            guard let id, var post = state.posts[id] else { return notFound }
            post.message = body["message"]?.stringValue ?? post.message
            post.props = body["props"] ?? post.props
            post.edits += 1
            state.posts[id] = post
            return json(postJSON(post, fixture("posts.patch.json")))
        case .pinPost:
            guard let id, state.posts[id] != nil else { return notFound }
            state.posts[id]?.isPinned = true
            return json(fixture("status.ok.json"))
        case .currentUser:
            return json(fixture("users.me.json").setting("id", .string(botUserID)))
        case .directChannel:
            let users = (body.arrayValue ?? []).compactMap(\.stringValue)
            guard users.count == 2 else {
                return error(400, "api.context.invalid_body_param.app_error", "Invalid or missing user_ids in request body.")
            }
            let name = users.sorted().joined(separator: "__")
            if let existing = state.channels.values.first(where: { $0.name == name }) {
                return json(channelJSON(existing, "channels.direct.json"), status: 201)
            }
            let channel = Channel(
                id: state.makeID("dm"), teamID: "", name: name, displayName: "", type: "D", members: users, archived: false)
            state.channels[channel.id] = channel
            state.channelOrder.append(channel.id)
            return json(channelJSON(channel, "channels.direct.json"), status: 201)
        case .createChannel:
            let teamID = body["team_id"]?.stringValue ?? ""
            let name = body["name"]?.stringValue ?? ""
            guard !state.channels.values.contains(where: { $0.teamID == teamID && $0.name == name }) else {
                return json(fixture("error.channel_exists.json"), status: 400)
            }
            let channel = Channel(
                id: state.makeID("chan"), teamID: teamID, name: name, displayName: body["display_name"]?.stringValue ?? "",
                type: body["type"]?.stringValue ?? "O", members: [botUserID], archived: false)
            state.channels[channel.id] = channel
            state.channelOrder.append(channel.id)
            return json(channelJSON(channel, "channels.create.json"), status: 201)
        case .addMember:
            guard let id, state.channels[id] != nil else { return json(fixture("error.not_found.json"), status: 404) }
            let user = body["user_id"]?.stringValue ?? ""
            if state.channels[id]?.members.contains(user) == false { state.channels[id]?.members.append(user) }
            let member = fixture("channels.members.json").setting([("channel_id", .string(id)), ("user_id", .string(user))])
            return json(member, status: 201)
        case .archiveChannel:
            guard let id, let channel = state.channels[id] else { return json(fixture("error.not_found.json"), status: 404) }
            guard !channel.archived else { return json(fixture("error.channel_deleted.json"), status: 400) }
            state.channels[id]?.archived = true
            return json(fixture("status.ok.json"))
        }
    }

    static func postJSON(_ post: Post, _ recorded: JSONValue) -> JSONValue {
        recorded.setting([
            ("id", .string(post.id)), ("channel_id", .string(post.channelID)), ("root_id", .string(post.rootID ?? "")),
            ("message", .string(post.message)), ("props", post.props ?? [:]), ("user_id", .string(botUserID)),
        ])
    }

    static func channelJSON(_ channel: Channel, _ name: String) -> JSONValue {
        fixture(name).setting([
            ("id", .string(channel.id)), ("team_id", .string(channel.teamID)), ("name", .string(channel.name)),
            ("display_name", .string(channel.displayName)), ("type", .string(channel.type)), ("creator_id", .string(botUserID)),
        ])
    }

    static func fixture(_ name: String) -> JSONValue { FakeChatAPIFixtures.json("mattermost-api", name) }

    static func error(_ status: Int, _ id: String, _ message: String) -> LocalHTTPServer.CannedResponse {
        json(["id": .string(id), "message": .string(message), "detailed_error": "", "status_code": .int(Int64(status))], status: status)
    }

    static func json(_ value: JSONValue, status: Int = 200) -> LocalHTTPServer.CannedResponse {
        .init(status: status, headers: [HTTPHeader("Content-Type", "application/json")], body: value.serialized())
    }
}
