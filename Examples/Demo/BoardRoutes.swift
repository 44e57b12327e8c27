import Switchboard

/// The demo's routes:
///
/// - `GET /boards`, `POST /boards` `{"name": …}`, `GET /boards/:id`, `PUT /boards/:id`
///   `{"name": …}`, `DELETE /boards/:id` (role `admin`)
/// - `GET /me`: who the connection belongs to
/// - `GET /slow`: an answer that is awaited (200 ms), to show asynchronous handlers
///
/// Every route is behind bearer auth: the identity from the handshake, or 401 once it has
/// expired (refresh in-band with `POST /_switchboard/auth`). Changes are pushed to every other
/// connection (see ``BoardEvents``).
enum BoardRoutes {
    struct BoardName: Decodable { var name: String }
    struct Me: Encodable, Sendable { var userId: String; var roles: [String] }
    struct Slow: Encodable, Sendable { var answer: String }

    static func router(store: BoardStore, events: BoardEvents) -> Router {
        var router = Router()
        router.use(.bearerAuth(verify: DemoTokens.identity(for:)))

        router.get("/me") { req, _ in
            Me(userId: req.identity?.userId ?? "", roles: req.identity?.roles.sorted() ?? [])
        }
        router.get("/slow") { _, _ async throws in
            try await Task.sleep(for: .milliseconds(200))
            return Slow(answer: "worth the wait")
        }
        router.get("/boards") { _, _ in store.all }
        router.post("/boards") { req, res in
            let board = store.create(name: try name(in: req), owner: req.identity?.userId ?? "")
            events.publish("/boards/created", board, except: req.connection.id)
            _ = res.status(.created)
            return board
        }
        router.get("/boards/:id") { req, _ in
            try board(req, store)
        }
        router.put("/boards/:id") { req, _ in
            let id = try req.params.require("id", as: Int.self)
            guard let board = store.rename(id, to: try name(in: req)) else { throw HTTPError(.notFound, "no board \(id)") }
            events.publish("/boards/updated", board, except: req.connection.id)
            return board
        }
        router.delete("/boards/:id", .requireRole("admin")) { req, res in
            let board = try board(req, store)
            _ = store.delete(board.id)
            events.publish("/boards/deleted", board, except: req.connection.id)
            res.status(.noContent).end()
        }
        return router
    }

    private static func board(_ req: Request, _ store: BoardStore) throws -> Board {
        let id = try req.params.require("id", as: Int.self)
        guard let board = store.board(id) else { throw HTTPError(.notFound, "no board \(id)") }
        return board
    }

    private static func name(in req: Request) throws -> String {
        guard let body = try? req.decode(BoardName.self), !body.name.isEmpty else {
            throw HTTPError(.badRequest, "body must be {\"name\": \"…\"}")
        }
        return body.name
    }
}
