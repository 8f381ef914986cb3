import AccessControl
import Collecting
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/sources`: each compiled-in source with its state, last success, lag and counts.
enum SourceRoutes {
    struct Listing: Codable, Sendable {
        var sources: [SourceHealth]
    }

    static func add(to router: Router<BasicRequestContext>, board: SourceHealthBoard, metrics: SourceMetrics, access: RouteGuard) {
        router.get("/v1/sources") { request, _ -> Response in
            // The provider's own feeds (meters, billing exports): a provider view.
            if case .refused(let refusal) = await access.admit(request, action: "GET /v1/sources", decide: {
                AccessPolicy.readProviderView($0, what: "the collector's sources")
            }) {
                return refusal
            }
            let snapshot = await board.snapshot()
            metrics.update(snapshot)
            return HTTPSupport.json(Listing(sources: snapshot))
        }
    }
}
