import Foundation

/// The reserved route through which a client hands over fresh credentials on a live
/// connection: `POST /_switchboard/auth` with the new token as the body (raw text, or JSON
/// `{"token": "…"}`).
///
/// The token is checked by the same ``TokenAuthentication/verifyToken`` as at the handshake.
/// Answers 200 with `{"userId": …, "expiresAt": …}` (seconds since 1970, or `null`) and
/// replaces the connection's identity; 401 when the token is invalid or expired (the old
/// identity is kept); 403 when it belongs to another user; 404 when the server has no token
/// authentication; 405 for another method.
public enum CredentialRefresh {
    /// The reserved path.
    public static let path = "/_switchboard/auth"

    /// Whether `url` (path and optional query) addresses the reserved route.
    static func matches(_ url: String) -> Bool {
        guard url.hasPrefix(path) else { return false }
        let rest = url.utf8.dropFirst(path.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "?")
    }

    /// The dispatch for a request to the reserved route.
    static func dispatch(_ request: Request, connection: Connection, authentication: TokenAuthentication?) -> Dispatch {
        guard let authentication else {
            return .completed(errorReply(.notFound, "credential refresh is not enabled on this server"))
        }
        guard request.method == .post else {
            return .completed(errorReply(.methodNotAllowed, "use POST \(path) with the new token as the body"))
        }
        guard let token = token(in: request.body) else {
            return .completed(errorReply(.badRequest, "the body must be the new token, or {\"token\": \"…\"}"))
        }
        return .pending {
            guard let identity = await authentication.verifyToken(token), !identity.isExpired() else {
                return errorReply(.unauthorized, "invalid or expired token")
            }
            if let current = connection.identity, current.userId != identity.userId {
                return errorReply(.forbidden, "the token belongs to another user; open a new connection to switch users")
            }
            connection.identity = identity
            let expiry = identity.expiresAt.map { String(Int64($0.timeIntervalSince1970)) } ?? "null"
            let body = "{\"userId\":\(JSONText.string(identity.userId)),\"expiresAt\":\(expiry)}"
            return Reply(status: .ok, body: ArraySlice(body.utf8))
        }
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

    static func errorReply(_ status: Status, _ message: String) -> Reply {
        Reply(status: status, body: ArraySlice(JSONText.object(["error": message]).utf8))
    }
}
