import VigilCore

/// Verifies a Mattermost slash command's token: the `Authorization: Token …` header or, failing
/// that, the `token` form field, compared in constant time.
public struct MattermostToken: Sendable {
    private let token: [UInt8]

    public init(token: String) {
        self.token = Array(token.utf8)
    }

    /// `authorization` is the header's value; `formToken` the body's `token` field, if any.
    public func verify(authorization: String?, formToken: String?) throws(ChatRequestError) {
        // Compared as bytes: character-by-character trimming and prefix checks cost more than the
        // comparison itself.
        var offered: ArraySlice<UInt8>
        if let authorization {
            let bytes = Array(authorization.utf8)
            guard bytes.starts(with: Self.scheme) else {
                throw ChatRequestError(.unauthorized, "Authorization header is not of the form 'Token …'")
            }
            offered = bytes[Self.scheme.count...]
            while offered.first == UInt8(ascii: " ") { offered = offered.dropFirst() }
            while offered.last == UInt8(ascii: " ") { offered = offered.dropLast() }
        } else {
            offered = ArraySlice(formToken.map { Array($0.utf8) } ?? [])
        }
        guard !offered.isEmpty else { throw ChatRequestError(.unauthorized, "missing token") }
        guard ConstantTime.equals(token, offered) else {
            throw ChatRequestError(.unauthorized, "invalid token")
        }
    }
}

extension MattermostToken {
    fileprivate static let scheme = Array("Token ".utf8)
}
