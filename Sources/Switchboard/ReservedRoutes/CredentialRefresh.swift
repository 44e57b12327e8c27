import Foundation

/// The reserved route through which a client hands over fresh credentials on a live
/// connection: `POST /_switchboard/auth` with the new token as the body: a body whose first
/// non-blank byte is `{` is read as JSON `{"token": "…"}`, any other body is the token itself
/// (UTF-8, surrounding whitespace trimmed).
///
/// The token is checked by the same ``TokenAuthentication/verifyToken(_:)`` as at the handshake.
/// Answers 200 with `{"userId": …, "expiresAt": …}` (milliseconds since 1970, like every time field of the
/// protocol, or `null` when the credentials do not expire) and
/// replaces the connection's identity (auth-gated rooms' pushes reach it again); 401 when the
/// token is invalid or expired (the old identity is kept); 403 when it belongs to another
/// user; 404 when the server has no token authentication; 405 for another method.
public enum CredentialRefresh {
    /// The reserved path.
    public static let path = ReservedRoutes.prefix + "auth"

    /// Verifies the token in `request`'s body and, when valid, replaces the connection's
    /// identity.
    static func refresh(_ request: Request, authentication: TokenAuthentication?) async -> Reply {
        guard let authentication else {
            return ReservedRoutes.errorReply(.notFound, "credential refresh is not enabled on this server")
        }
        guard let token = token(in: request.body) else {
            return ReservedRoutes.errorReply(.badRequest, "the body must be the new token, or {\"token\": \"…\"}")
        }
        guard let connection = request.connection as? Connection else {
            return ReservedRoutes.errorReply(.notFound, "credential refresh needs a server connection")
        }
        guard let identity = await authentication.verifyToken(token), !identity.isExpired() else {
            return ReservedRoutes.errorReply(.unauthorized, "invalid or expired token")
        }
        if let current = connection.identity, current.userId != identity.userId {
            return ReservedRoutes.errorReply(.forbidden, "the token belongs to another user; open a new connection to switch users")
        }
        connection.changeIdentity(to: identity)
        let expiry = identity.expiresAt.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? "null"
        let body = "{\"userId\":\(JSONText.string(identity.userId)),\"expiresAt\":\(expiry)}"
        return Reply(status: .ok, body: ArraySlice(body.utf8))
    }

    static func token(in body: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("{") {
            struct Body: Decodable { var token: String }
            let decoded = try? JSONDecoder().decode(Body.self, from: Data(text.utf8))
            guard let token = decoded?.token, !token.isEmpty else { return nil }
            return token
        }
        return text
    }
}
