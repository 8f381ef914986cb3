import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's browser session: the access token auth issued at login, kept in a cookie the
/// page's scripts cannot read (HttpOnly; the page has no scripts anyway) and that the browser
/// sends only on requests started from the dashboard itself (SameSite=Strict), which also
/// guards the logout form against cross-site posts. The reporter verifies the token locally
/// with auth's public key on every request, exactly like a bearer token.
enum DashboardSession {
    static let cookieName = "cm_session"
    static let path = "/dashboard"

    /// The session token of a request, if it has one that looks like an access token (API keys
    /// are not sessions).
    static func token(of request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, !value.isEmpty, !value.hasPrefix("cmk_") else { return nil }
        return value
    }

    /// The cookie that opens a session for `maxAge` seconds (the token's remaining lifetime).
    static func cookie(token: String, maxAge: Int) -> Cookie {
        Cookie(name: cookieName, value: token, maxAge: max(1, maxAge), path: path, secure: false, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that ends a session in the browser.
    static var expired: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: path, secure: false, httpOnly: true, sameSite: .strict)
    }

    /// Headers of every dashboard page: never cached, never framed, nothing loaded from elsewhere
    /// (inline styles only), forms post only to the reporter.
    static var pageHeaders: HTTPFields {
        var fields: HTTPFields = [
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        if let referrer = HTTPField.Name("Referrer-Policy") { fields[referrer] = "no-referrer" }
        return fields
    }

    /// A 303 to `location`, with cookies to set.
    static func redirect(to location: String, setting cookies: [Cookie] = []) -> Response {
        var headers = pageHeaders
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// Fields of an `application/x-www-form-urlencoded` body (`+` is a space, `%XX` a byte).
    static func formFields(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
