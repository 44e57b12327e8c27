/// The server module re-exports the core (frames, routing seam, identities), so applications
/// import only `Switchboard`.
@_exported import SwitchboardCore
