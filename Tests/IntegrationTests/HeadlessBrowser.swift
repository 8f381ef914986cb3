import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real headless Chromium (Debian's `chromium` package) driven over the Chrome DevTools
/// Protocol: the test navigates, types into forms and clicks like a user, reads the DOM the
/// browser rendered and takes screenshots. The DevTools websocket is spoken by a minimal
/// client on a plain socket (text frames, masked as RFC 6455 requires of clients), so no
/// dependency is added. Non-blocking I/O with short sleeps keeps Swift's cooperative threads free.
final class HeadlessBrowser: @unchecked Sendable {
    // Used by one test task at a time; the mutable state is never shared between tasks.
    private let process: Process
    private let profile: URL
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var nextID = 0
    let devToolsPort: Int

    struct BrowserError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The other end closed the connection.
    struct ConnectionClosed: Error, CustomStringConvertible {
        var description: String { "DevTools closed the connection" }
    }

    /// The Chromium binary: `CM_CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome` on the PATH.
    static func binary() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CM_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return URL(fileURLWithPath: "\(folder)/\(name)")
            }
        }
        return nil
    }

    /// Starts Chromium headless with a fresh profile and connects to its first page.
    static func launch(binary: URL, windowWidth: Int = 1280, windowHeight: Int = 1600) async throws -> HeadlessBrowser {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("carbonmeter-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--remote-debugging-port=0", "--user-data-dir=\(profile.path)",
            "--window-size=\(windowWidth),\(windowHeight)", "about:blank",
        ]
        let log = profile.appendingPathComponent("chromium.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Chromium writes the port it chose into the profile once DevTools listens.
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = Date().addingTimeInterval(90)
        var port: Int?
        while Date() < deadline, port == nil {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let first = text.split(separator: "\n").first { port = Int(first) }
            if port == nil {
                guard process.isRunning else {
                    throw BrowserError("chromium exited with \(process.terminationStatus): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let port else {
            process.terminate()
            throw BrowserError("chromium did not open its DevTools port within 90 s")
        }
        let browser = HeadlessBrowser(process: process, profile: profile, port: port)
        try await browser.attachToPage()
        return browser
    }

    private init(process: Process, profile: URL, port: Int) {
        self.process = process
        self.profile = profile
        self.devToolsPort = port
    }

    deinit { close() }

    func close() {
        if socket >= 0 {
            Foundation.close(socket)
            socket = -1
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: profile)
    }

    // MARK: Page operations

    func navigate(_ url: String) async throws {
        _ = try await call("Page.navigate", ["url": url])
    }

    /// Evaluates JavaScript in the page and returns its value (JSON types).
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] { throw BrowserError("page script failed: \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until the page at `path` has finished loading (after a navigation, a form post, a redirect).
    func waitForPage(path: String, seconds: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            // A navigation in flight can make an evaluation fail; that is only "not yet".
            if let state = try? await evaluate("location.pathname + ' ' + document.readyState") as? String {
                last = state
                if state == "\(path) complete" { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BrowserError("the page did not reach \(path) within \(seconds) s (last: \(last))")
    }

    /// Runs `action` (a script that submits a form or clicks a link) and waits until the browser
    /// has replaced the document with the answer and finished loading it, at whatever path.
    func submitAndWait(_ action: String, seconds: Double = 60) async throws {
        _ = try await evaluate("window.__cmOldDocument = true; \(action); true")
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let done = try? await evaluate("window.__cmOldDocument === undefined && document.readyState === 'complete'") as? Bool, done {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BrowserError("no new page within \(seconds) s after: \(action)")
    }

    /// The cookies the browser holds for `url`, HttpOnly ones included (as DevTools sees them).
    func cookies(for url: String) async throws -> [[String: Any]] {
        let result = try await call("Network.getCookies", ["urls": [url]])
        return result["cookies"] as? [[String: Any]] ?? []
    }

    /// A PNG of the whole page, beyond the window's height.
    func screenshot() async throws -> Data {
        let result = try await call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else { throw BrowserError("no screenshot data") }
        return data
    }

    // MARK: DevTools protocol

    private func attachToPage() async throws {
        // Read over a socket of our own: URLSession (libcurl) trips over DevTools' HTTP answers.
        let data = try await plainGet("/json/list")
        let targets = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        guard let page = targets.first(where: { $0["type"] as? String == "page" }),
            let address = page["webSocketDebuggerUrl"] as? String, let url = URL(string: address)
        else { throw BrowserError("no page target in \(String(decoding: data, as: UTF8.self))") }
        try await connect(path: url.path)
    }

    /// GET on DevTools' HTTP endpoint; returns the body (the answer's head is dropped).
    private func plainGet(_ path: String) async throws -> Data {
        socket = try openSocket()
        defer {
            Foundation.close(socket)
            socket = -1
            buffer = []
        }
        try await sendAll([UInt8]("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(devToolsPort)\r\nConnection: close\r\n\r\n".utf8))
        // DevTools keeps the connection open; the body ends after Content-Length bytes.
        let deadline = Date().addingTimeInterval(30)
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                if let length, buffer.count >= end + 4 + length { return Data(buffer[(end + 4)..<(end + 4 + length)]) }
            }
            do { try await fill(until: deadline) } catch is ConnectionClosed {
                guard let end = find([13, 10, 13, 10], in: buffer) else { throw BrowserError("DevTools answered \(path) without a body") }
                return Data(buffer[(end + 4)...])
            }
        }
    }

    /// Sends a command and waits for its answer, skipping the events that arrive meanwhile.
    func call(_ method: String, _ parameters: [String: Any] = [:], seconds: Double = 60) async throws -> [String: Any] {
        nextID += 1
        let id = nextID
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": parameters])
        try await sendFrame(opcode: 0x1, payload: [UInt8](message))
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = try await receiveMessage(until: deadline)
            guard let object = try JSONSerialization.jsonObject(with: text) as? [String: Any], object["id"] as? Int == id else { continue }
            if let error = object["error"] { throw BrowserError("\(method) failed: \(error)") }
            return object["result"] as? [String: Any] ?? [:]
        }
        throw BrowserError("\(method): no answer within \(seconds) s")
    }

    private func connect(path: String) async throws {
        socket = try openSocket()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let handshake =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(devToolsPort)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await sendAll([UInt8](handshake.utf8))
        let deadline = Date().addingTimeInterval(30)
        let end: [UInt8] = [13, 10, 13, 10]
        while Date() < deadline {
            if let range = find(end, in: buffer) {
                let head = String(decoding: buffer[..<range], as: UTF8.self)
                buffer.removeSubrange(..<(range + 4))
                guard head.hasPrefix("HTTP/1.1 101") else { throw BrowserError("websocket handshake refused: \(head)") }
                return
            }
            try await fill(until: deadline)
        }
        throw BrowserError("websocket handshake: no answer")
    }

    /// A non-blocking TCP socket connected to DevTools on loopback.
    private func openSocket() throws -> Int32 {
        let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrowserError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(devToolsPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(fd)
            throw BrowserError("cannot connect to DevTools on port \(devToolsPort)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    private func sendFrame(opcode: UInt8, payload: [UInt8]) async throws {
        var frame: [UInt8] = [0x80 | opcode]
        let count = payload.count
        if count < 126 {
            frame.append(0x80 | UInt8(count))
        } else if count < 65_536 {
            frame += [0x80 | 126, UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        for (i, byte) in payload.enumerated() { frame.append(byte ^ mask[i % 4]) }
        try await sendAll(frame)
    }

    private func sendAll(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try await Task.sleep(for: .milliseconds(5))
            } else {
                throw BrowserError("DevTools connection lost while sending (errno \(errno))")
            }
        }
    }

    /// Reads what has arrived into `buffer`, waiting (without blocking a thread) until something has.
    private func fill(until deadline: Date) async throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[..<count]
                return
            }
            if count == 0 { throw ConnectionClosed() }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { throw BrowserError("DevTools connection failed (errno \(errno))") }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BrowserError("DevTools did not answer in time")
    }

    /// One whole text message (continuation frames joined); answers pings.
    private func receiveMessage(until deadline: Date) async throws -> Data {
        var message: [UInt8] = []
        while true {
            while buffer.count < 2 { try await fill(until: deadline) }
            let opcode = buffer[0] & 0x0F
            let final = buffer[0] & 0x80 != 0
            let masked = buffer[1] & 0x80 != 0
            var length = Int(buffer[1] & 0x7F)
            var header = 2
            if length == 126 {
                while buffer.count < 4 { try await fill(until: deadline) }
                length = Int(buffer[2]) << 8 | Int(buffer[3])
                header = 4
            } else if length == 127 {
                while buffer.count < 10 { try await fill(until: deadline) }
                length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
                header = 10
            }
            let maskBytes = masked ? 4 : 0
            while buffer.count < header + maskBytes + length { try await fill(until: deadline) }
            var payload = Array(buffer[(header + maskBytes)..<(header + maskBytes + length)])
            if masked {
                let mask = Array(buffer[header..<(header + 4)])
                for i in payload.indices { payload[i] ^= mask[i % 4] }
            }
            buffer.removeSubrange(..<(header + maskBytes + length))
            switch opcode {
            case 0x9: try await sendFrame(opcode: 0xA, payload: payload)
            case 0x8: throw BrowserError("DevTools closed the websocket")
            case 0x0, 0x1, 0x2:
                message += payload
                if final { return Data(message) }
            default: break
            }
        }
    }
}
