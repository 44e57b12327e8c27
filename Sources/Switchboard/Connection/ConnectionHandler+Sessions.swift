import NIOCore
import NIOWebSocket

/// Sessions and features: the HELLO, a RESUME, and the features asked for at the handshake.
extension ConnectionHandler {
    /// The HELLO frame, the first frame on every connection (PROTOCOL.md §7), with the
    /// positions of the rooms it was put in at connect (`liveSince`).
    func writeHello(_ greeting: SessionGreeting) {
        let hello = HelloNotice(
            connectionId: connection.id.rawValue, clientId: connection.clientId ?? connection.id.rawValue,
            sessionId: greeting.sessionId, resumeToken: greeting.resumeToken, sessionGraceMs: components.sessions.graceMilliseconds,
            rooms: liveSince.positions
        )
        encodeAndWrite(.control(ControlFrame(kind: .hello, id: 0, data: hello.json[...])))
        writer?.flushIfNeeded()
    }

    /// A RESUME: the missed pushes are queued (under the publisher's lock), then written
    /// before the RESPONSE that reports each room.
    func resume(_ control: ControlFrame) {
        guard resumeAllowed else {
            return writeResponse(id: control.id, ReservedRoutes.errorReply(.conflict, "RESUME must be the first frame the client sends on a connection"))
        }
        guard let request = ResumeRequest.decode(control.data) else {
            return writeResponse(id: control.id, ReservedRoutes.errorReply(.badRequest, ResumeRequest.malformedReason))
        }
        let connection = self.connection
        let allocator = context?.channel.allocator ?? ByteBufferAllocator()
        let resumption = Resumption(publisher: components.publisher, sessions: components.sessions)
        let outcome = resumption.resume(request, connection: connection, liveSince: liveSince) { room, frames in
            for frame in frames {
                connection.queue(QueuedPush(payload: ServerFrame(encoded: frame, allocator: allocator), createdAt: 0, sequence: 0, latestKey: nil, historyRoom: room.rawValue))
            }
        }
        switch outcome {
        case .refused(let status, let reason):
            writeResponse(id: control.id, ReservedRoutes.errorReply(status, reason))
        case .answered(let answer, let previous, let isActive):
            if let isActive { components.registry.add(id: connection.id, handle: connection, isActive: isActive) }
            if let previous { components.registry.get(previous)?.handle.close(code: 1000, reason: "session resumed on another connection") }
            writeResponse(id: control.id, Reply(status: .ok, body: answer.json[...]))
        }
    }

    /// Opens the features asked for at the handshake, or closes with 1008 and the reason; called
    /// once the handler is in the pipeline (the connection registered, the HELLO written).
    func openFeatures(_ request: Result<FeatureHandshake, FeatureHandshakeError>) {
        do throws(FeatureHandshakeError) {
            let handshake = try request.get()
            guard !handshake.requests.isEmpty else { return }
            components.perform(try components.features.open(handshake, for: connection, rooms: components.rooms))
        } catch {
            close(code: .policyViolation, reason: error.closeReason)
        }
    }
}
