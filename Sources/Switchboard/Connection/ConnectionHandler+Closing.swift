import NIOCore
import NIOWebSocket

/// Health and closing: keep-alive pings, graceful shutdown, the close handshake.
extension ConnectionHandler {
    func pingTick() {
        switch machine.pingTick() {
        case .none:
            break
        case .ping:
            guard let context, let writer else { return }
            writer.writeControl(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0)))
            writer.flushIfNeeded()
        case .closeIdle:
            close(code: .goingAway, reason: "idle timeout")
        }
    }

    /// Begins a graceful shutdown: answer what is in flight, then close with 1001.
    func beginShutdown() {
        switch machine.shutdownRequested() {
        case .closeGoingAway:
            close(code: .goingAway, reason: "server shutting down")
        case .waitForInFlight, .none:
            break
        }
    }

    /// Sends a close frame, then closes the channel when the peer answers (or after a short
    /// timeout), or at once when `andDisconnect` (the peer can no longer be read from).
    func close(code: WebSocketErrorCode, reason: String, andDisconnect: Bool = false) {
        guard let context, machine.closeSent() else { return }
        endsSession = Self.endsSession(code)
        components.logger.debug("closing connection", metadata: ["connection": "\(connection.id)", "code": "\(code)", "reason": "\(reason)"])
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(decoding: reason.utf8.prefix(123), as: UTF8.self))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        // Nothing may follow the close frame: held messages go first (a slow consumer's were
        // dropped already).
        writer?.writeAllHeld()
        if andDisconnect {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(frame)).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
            if !context.channel.isWritable { context.close(promise: nil) }
            return
        }
        context.writeAndFlush(Self.wrapOutboundOut(frame), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        closeTimeout = context.eventLoop.scheduleTask(in: components.configuration.closeHandshakeTimeout) {
            loopBound.value.close(promise: nil)
        }
        // Reading resumes (it may have been held while the channel was not writable) so the
        // peer's close frame is heard.
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    /// Whether a close the server starts with `code` ends the session: a normal close (the
    /// application's) and closes for misbehaviour do; going away (idle timeout, shutdown),
    /// internal errors and a slow consumer's 1013 park it for a resume.
    static func endsSession(_ code: WebSocketErrorCode) -> Bool {
        switch code {
        case .normalClosure, .protocolError, .unacceptableData, .dataInconsistentWithMessage, .policyViolation, .messageTooLarge: true
        default: false
        }
    }

    func peerClosed(_ frame: WebSocketFrame) {
        guard let context else { return }
        if machine.state == .closing {
            context.close(promise: nil)
            return
        }
        var data = frame.unmaskedData
        let code = CloseFrameBody.replyCode(for: &data)
        // A client that closes with 1000 (or no code) is done with its session; any other
        // code (1001 going away included) may come back and resume.
        endsSession = code == .normalClosure
        _ = machine.closeSent()
        // Replies already made go before the close frame; held frames are dropped.
        writer?.flushIfNeeded()
        context.writeCloseFrameAndClose(code: code)
    }
}
