/// Verifies a Mattermost slash command's token: the `Authorization: Token …` header or, failing
/// that, the `token` form field, compared in constant time.
public struct MattermostToken: Sendable {
    private let token: [UInt8]

    public init(token: String) {
        self.token = Array(token.utf8)
    }

    /// `authorization` is the header's value; `formToken` the body's `token` field, if any.
    public func verify(authorization: String?, formToken: String?) throws(ChatRequestError) {
        var offered: String?
        if let authorization {
            guard authorization.hasPrefix("Token ") else {
                throw ChatRequestError(.unauthorized, "Authorization header is not of the form 'Token …'")
            }
            offered = String(authorization.dropFirst("Token ".count)).trimmingSpaces()
        } else {
            offered = formToken
        }
        guard let offered, !offered.isEmpty else { throw ChatRequestError(.unauthorized, "missing token") }
        guard ConstantTime.equals(token, Array(offered.utf8)) else {
            throw ChatRequestError(.unauthorized, "invalid token")
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
