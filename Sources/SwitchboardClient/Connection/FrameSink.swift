import SwitchboardCore

/// Receives what one connection's ``FrameHandler`` reads, on that connection's event loop.
protocol FrameSink: AnyObject, Sendable {
    /// A frame read on connection `generation` (batches arrive already unpacked, in order).
    func received(_ frame: Frame, generation: Int)
}
