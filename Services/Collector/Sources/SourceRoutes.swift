import AccessControl
import Collecting
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/sources`: each compiled-in source with its state, last success, lag and counts.
enum SourceRoutes {
    struct Listing: ResponseEncodable, Sendable {
        var sources: [SourceHealth]
    }

    static func add(to router: some RouterMethods<ServiceRequestContext>, board: SourceHealthBoard, metrics: SourceMetrics) {
        router.get("/v1/sources") { _, context -> Listing in
            // The provider's own feeds (meters, billing exports): a provider view.
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the collector's sources") }
            let snapshot = await board.snapshot()
            metrics.update(snapshot)
            return Listing(sources: snapshot)
        }
    }
}
