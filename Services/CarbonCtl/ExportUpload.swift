import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One file sent to the collector as a request body streamed from disk (never read whole into
/// memory), with the bytes sent reported as they go: how `carbonctl ingest --billing-source`
/// hands a billing export of any size to the collector.
final class ExportUpload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Mutable state is touched by URLSession's delegate queue and read at completion; the lock guards it.
    private let lock = NSLock()
    private var received = Data()
    private var status = 0
    private var continuation: CheckedContinuation<(status: Int, body: Data), any Error>?
    private let progress: @Sendable (_ sent: Int64) -> Void

    private init(progress: @escaping @Sendable (Int64) -> Void) {
        self.progress = progress
    }

    /// POSTs `file` to `url`; `progress` hears the bytes sent so far. Network failures become
    /// `CtlError.unreachable`.
    static func post(_ file: URL, to url: URL, token: String?, progress: @escaping @Sendable (Int64) -> Void) async throws -> (status: Int, body: Data) {
        let upload = ExportUpload(progress: progress)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 600
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let session = URLSession(configuration: .default, delegate: upload, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                upload.lock.withLock { upload.continuation = continuation }
                session.uploadTask(with: request, fromFile: file).resume()
            }
        } catch let error as CtlError {
            throw error
        } catch {
            throw CtlError.unreachable("collector at \(url.absoluteString): \(error.localizedDescription)")
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64, totalBytesSent: Int64, totalBytesExpectedToSend: Int64
    ) {
        progress(totalBytesSent)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.withLock { status = (response as? HTTPURLResponse)?.statusCode ?? 0 }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock { received.append(data) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (continuation, status, body) = lock.withLock { () -> (CheckedContinuation<(status: Int, body: Data), any Error>?, Int, Data) in
            let taken = self.continuation
            self.continuation = nil
            return (taken, self.status, received)
        }
        if let error {
            continuation?.resume(throwing: error)
        } else {
            continuation?.resume(returning: (status == 0 ? (task.response as? HTTPURLResponse)?.statusCode ?? 0 : status, body))
        }
    }
}
