/// A notifier could not be built from its settings: an unreadable secret
/// file, a template that does not parse, an empty command. Raised at start-up
/// or reload, never at delivery time.
public struct NotifierSetupError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and, where it helps, how to fix it.
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
