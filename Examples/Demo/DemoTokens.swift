import Foundation
import Switchboard

/// The demo's bearer tokens (a real app verifies a signed token or looks a session up).
///
/// - `demo-token`: user `demo`
/// - `admin-token`: user `admin`, role `admin`
/// - `short-token`: user `demo`, expiring 30 s after it is checked (to try the in-band refresh)
enum DemoTokens {
    /// The identity a token stands for, or `nil`.
    static func identity(for token: String) -> Identity? {
        switch token {
        case "demo-token": Identity(userId: "demo")
        case "admin-token": Identity(userId: "admin", roles: ["admin"])
        case "short-token": Identity(userId: "demo", expiresAt: Date().addingTimeInterval(30))
        default: nil
        }
    }

    /// The handshake's (and the in-band refresh's) check of the same tokens.
    static let authentication = TokenAuthentication(verifyTokenWithoutSuspending: { token in identity(for: token) })
}
