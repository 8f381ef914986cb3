/// The reporter's answer to `GET /v1/status`: whether the pipeline has drained, what each stage
/// said about the work it holds, and the stages that could not be asked. `carbonctl status`
/// reads it.
public struct PipelineStatus: Codable, Sendable {
    public var drained: Bool
    public var services: [StatusReport]
    public var unreachable: [String]

    public init(drained: Bool, services: [StatusReport], unreachable: [String]) {
        self.drained = drained
        self.services = services
        self.unreachable = unreachable
    }
}
