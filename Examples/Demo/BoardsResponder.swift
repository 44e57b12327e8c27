import Foundation
import Switchboard

/// The demo's routes, written directly against the `Responder` seam (the `Router` replaces
/// this once it lands):
///
/// - `GET /boards`, `POST /boards` `{"name": …}`, `GET /boards/:id`, `PUT /boards/:id`
///   `{"name": …}`, `DELETE /boards/:id` (admins only)
/// - `GET /me`: who the connection belongs to
/// - `GET /slow`: an answer that is awaited (200 ms), to show asynchronous handlers
///
/// Changes are pushed to every other connection (see ``BoardEvents``). Every route needs an
/// unexpired identity (401 otherwise: refresh in-band with
/// `POST /_switchboard/auth`).
struct BoardsResponder: Responder {
    let store: BoardStore
    let events: BoardEvents

    func respond(to request: Request) -> Dispatch {
        guard let identity = request.connection.identity, !identity.isExpired() else {
            return .completed(Self.error(.unauthorized, "credentials missing or expired: refresh with POST /_switchboard/auth"))
        }
        let path = request.url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.url
        let segments = path.split(separator: "/").map(String.init)
        switch (request.method, segments.count, segments.first) {
        case (.get, 1, "me"):
            return .completed(Self.json(.ok, ["userId": identity.userId, "roles": identity.roles.sorted().joined(separator: ",")]))
        case (.get, 1, "slow"):
            return .pending {
                try? await Task.sleep(for: .milliseconds(200))
                return Self.json(.ok, ["answer": "worth the wait"])
            }
        case (.get, 1, "boards"):
            return .completed(Self.json(.ok, store.all))
        case (.post, 1, "boards"):
            guard let name = Self.name(in: request.body) else { return .completed(Self.error(.badRequest, "body must be {\"name\": \"…\"}")) }
            let board = store.create(name: name, owner: identity.userId)
            events.publish("/boards/created", board, except: request.connection.id)
            return .completed(Self.json(.created, board))
        case (_, 2, "boards"):
            guard let id = Int(segments[1]) else { return .completed(Self.error(.notFound, "no board \(segments[1])")) }
            return .completed(board(id, request: request, identity: identity))
        case (_, _, "boards"), (_, 1, "me"), (_, 1, "slow"):
            return .completed(Self.error(.methodNotAllowed, "method not allowed"))
        default:
            return .completed(Self.error(.notFound, "no route for \(request.method) \(path)"))
        }
    }

    private func board(_ id: Int, request: Request, identity: Identity) -> Reply {
        switch request.method {
        case .get:
            guard let board = store.board(id) else { return Self.error(.notFound, "no board \(id)") }
            return Self.json(.ok, board)
        case .put:
            guard let name = Self.name(in: request.body) else { return Self.error(.badRequest, "body must be {\"name\": \"…\"}") }
            guard let board = store.rename(id, to: name) else { return Self.error(.notFound, "no board \(id)") }
            events.publish("/boards/updated", board, except: request.connection.id)
            return Self.json(.ok, board)
        case .delete:
            guard identity.roles.contains("admin") else { return Self.error(.forbidden, "only admins delete boards") }
            guard let board = store.board(id), store.delete(id) else { return Self.error(.notFound, "no board \(id)") }
            events.publish("/boards/deleted", board, except: request.connection.id)
            return Reply(status: .noContent)
        default:
            return Self.error(.methodNotAllowed, "method not allowed")
        }
    }

    private static func name(in body: ArraySlice<UInt8>) -> String? {
        struct Body: Decodable { var name: String }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(body)), !body.name.isEmpty else { return nil }
        return body.name
    }

    private static func json(_ status: Status, _ value: some Encodable) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(value) else { return error(.internalServerError, "could not encode the answer") }
        return Reply(status: status, body: ArraySlice(data))
    }

    private static func error(_ status: Status, _ message: String) -> Reply {
        json(status, ["error": message])
    }
}
