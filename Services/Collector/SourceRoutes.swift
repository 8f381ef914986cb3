import Collecting
import Foundation
import Hummingbird
import ServiceKit

/// `GET /v1/sources`: each compiled-in source with its state, last success, lag and counts.
enum SourceRoutes {
    struct Listing: Codable, Sendable {
        var sources: [SourceHealth]
    }

    static func add(to router: Router<BasicRequestContext>, board: SourceHealthBoard, metrics: SourceMetrics) {
        router.get("/v1/sources") { _, _ -> Response in
            let snapshot = await board.snapshot()
            metrics.update(snapshot)
            return HTTPSupport.json(Listing(sources: snapshot))
        }
    }
}
