import AccessControl
import CarbonModel
import Contracts
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import Messaging
import ServiceKit

/// The dashboard, a server-rendered page behind a login through auth:
/// `GET /dashboard` (303 to the login page without a valid session), `GET /dashboard/login`,
/// `POST /dashboard/login` (form fields `username`, `password`, forwarded to auth as
/// `auth.login.v1`, so auth's throttle, lockout and audit apply; success sets the session
/// cookie), `POST /dashboard/logout` (revokes the token at auth, clears the cookie).
/// A tenant-bound user sees its own tenant only; provider roles see the provider view and may
/// open any tenant's view with `?tenant=`. The dashboard always needs a login, whether or not
/// the reporter runs with `--require-auth`.
enum DashboardRoutes {
    static let formLimit = 16 * 1024
    static let client = "reporter dashboard"

    static func add(
        to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, authenticator: Authenticator, auth: RequestClient,
        forecastMethod: EmissionForecast.Method = .linearTrend, logger: Logger
    ) {
        router.get("/dashboard") { request, _ -> Response in
            let principal: Principal
            switch await session(request, authenticator: authenticator) {
            case .signedIn(let who): principal = who
            case .response(let response): return response
            }
            let parameters = QueryParameters.of(request)
            let action = "GET /dashboard"
            guard principal.role.mayRead else {
                let message = "the role \(principal.role.rawValue) may not read emissions"
                authenticator.reportDenial(principal, action: action, reason: message)
                return page(DashboardHTML.messagePage(title: "Not allowed", message: message), status: .forbidden)
            }
            let asked = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            let subject: DashboardView.Subject
            if let own = principal.tenant {
                // The same refusal whether the other tenant exists or not.
                if let asked, asked != own {
                    let message = "a tenant's users see only their own tenant"
                    authenticator.reportDenial(principal, action: action, reason: message)
                    return page(DashboardHTML.messagePage(title: "Not allowed", message: message), status: .forbidden)
                }
                subject = .tenant(own)
            } else {
                subject = asked.map { .tenant($0) } ?? .provider
            }
            let from: CalendarMonth?, to: CalendarMonth?
            do {
                from = try month(parameters["from"], name: "from")
                to = try month(parameters["to"], name: "to")
            } catch let error as WindowError {
                return page(DashboardHTML.messagePage(title: "Bad request", message: error.message), status: .badRequest)
            }
            let viewer = DashboardHTML.Viewer(subject: principal.subject, role: principal.role.rawValue, tenant: principal.tenant)
            // `site` picks one site's carbon-free heat map in the provider view; a tenant's
            // cells are per region, so a tenant view has no sites to pick.
            let site = subject.isProvider ? parameters["site"].flatMap { $0.isEmpty ? nil : $0 } : nil
            let html = try await database.read { db -> Data in
                let (first, last) = try DashboardView.defaultWindow(db, subject: subject)
                var window = (from ?? first, to ?? last)
                if from != nil, to == nil { window.1 = max(window.0, last) }
                if to != nil, from == nil { window.0 = window.1.adding(months: -11) }
                if window.1 < window.0 { swap(&window.0, &window.1) }
                let view = try DashboardView.load(
                    db, subject: subject, from: window.0, to: window.1, method: forecastMethod, heatMapSite: site)
                return DashboardHTML.page(view, viewer: viewer)
            }
            return page(html)
        }

        router.get("/dashboard/login") { request, _ -> Response in
            if let token = DashboardSession.token(of: request), case .authenticated = await authenticator.authenticate(credential: token) {
                return DashboardSession.redirect(to: "/dashboard")
            }
            return page(DashboardHTML.loginPage(message: nil))
        }

        router.post("/dashboard/login") { request, _ -> Response in
            guard let body = try await HTTPSupport.body(of: request, limit: formLimit) else {
                return page(DashboardHTML.loginPage(message: "The form is too large."), status: .contentTooLarge)
            }
            let fields = DashboardSession.formFields(body)
            let username = fields["username"] ?? ""
            let password = fields["password"] ?? ""
            guard !username.isEmpty, !password.isEmpty else {
                return page(DashboardHTML.loginPage(message: "Enter a user name and a password.", username: username), status: .badRequest)
            }
            let reply: (header: EnvelopeHeader, body: Data)
            do {
                // Generous: auth holds a failed login for up to its throttle's delay, and scrypt is slow.
                reply = try await auth.request(
                    type: PasswordLoginRequest.messageType,
                    body: WireFrame.encodeJSON(PasswordLoginRequest(username: username, password: password, client: client)),
                    timeoutMilliseconds: 15_000, acceptErrors: true)
            } catch {
                logger.warning("dashboard login: auth unreachable", metadata: ["error": "\(error)"])
                return page(DashboardHTML.loginPage(message: "The auth service cannot be reached; try again shortly.", username: username),
                    status: .serviceUnavailable)
            }
            // Only a 200 carries an answer; an unreadable one is reported below as "without a token".
            let answer = try? JSONDecoder().decode(PasswordLoginAnswer.self, from: reply.body)
            switch reply.header.status ?? 200 {
            case 200:
                guard let token = answer?.token, let expiresAt = answer?.expiresAt else {
                    return page(DashboardHTML.loginPage(message: "Auth answered without a token.", username: username), status: .badGateway)
                }
                let maxAge = Int(expiresAt - Int64(Date().timeIntervalSince1970))
                logger.info("dashboard login", metadata: ["user": "\(username)", "tenant": "\(answer?.tenant ?? "-")"])
                return DashboardSession.redirect(to: "/dashboard", setting: [DashboardSession.cookie(token: token, maxAge: maxAge)])
            case 429:
                var response = page(
                    DashboardHTML.loginPage(message: reply.header.error ?? "Too many failed logins; try again later.", username: username),
                    status: .tooManyRequests)
                if let retry = answer?.retryAfterSeconds { response.headers[.retryAfter] = "\(retry)" }
                return response
            case 401:
                return page(DashboardHTML.loginPage(message: "Invalid user name or password.", username: username), status: .unauthorized)
            case 503:
                // Auth's password workers are all busy: nothing was checked or counted.
                var response = page(
                    DashboardHTML.loginPage(message: "Many people are signing in right now; try again in a moment.", username: username),
                    status: .serviceUnavailable)
                response.headers[.retryAfter] = "\(answer?.retryAfterSeconds ?? 1)"
                return response
            default:
                return page(DashboardHTML.loginPage(message: "Login failed: \(reply.header.error ?? "auth refused")", username: username),
                    status: .badGateway)
            }
        }

        router.post("/dashboard/logout") { request, _ -> Response in
            if let token = DashboardSession.token(of: request) {
                do {
                    _ = try await auth.request(
                        type: TokenLogoutRequest.messageType, body: WireFrame.encodeJSON(TokenLogoutRequest(token: token, client: client)),
                        timeoutMilliseconds: 5_000)
                } catch {
                    // The cookie goes either way; the token then lives until it expires.
                    logger.warning("dashboard logout: could not revoke the token at auth", metadata: ["error": "\(error)"])
                }
            }
            return DashboardSession.redirect(to: "/dashboard/login", setting: [DashboardSession.expired])
        }
    }

    enum SessionCheck {
        case signedIn(Principal)
        case response(Response)
    }

    /// The principal of the request's session, or the answer to give instead: the login page
    /// (no session, or an expired, revoked or forged token), or 503 when auth cannot be reached
    /// to confirm the token is still valid (failing closed, as for bearer tokens).
    static func session(_ request: Request, authenticator: Authenticator) async -> SessionCheck {
        guard let token = DashboardSession.token(of: request) else { return .response(DashboardSession.redirect(to: "/dashboard/login")) }
        switch await authenticator.authenticate(credential: token) {
        case .authenticated(let principal): return .signedIn(principal)
        case .unauthenticated:
            return .response(DashboardSession.redirect(to: "/dashboard/login", setting: [DashboardSession.expired]))
        case .unavailable(let message):
            return .response(page(DashboardHTML.messagePage(title: "Temporarily unavailable", message: message), status: .serviceUnavailable))
        }
    }

    static func page(_ html: Data, status: HTTPResponse.Status = .ok) -> Response {
        HTTPSupport.raw(html, contentType: "text/html; charset=utf-8", status: status, headers: DashboardSession.pageHeaders)
    }

    struct WindowError: Error {
        var message: String
    }

    private static func month(_ text: String?, name: String) throws(WindowError) -> CalendarMonth? {
        guard let text, !text.isEmpty else { return nil }
        guard let month = CalendarMonth(text) else { throw WindowError(message: "\(name): expected a month like 2024-01, got \"\(text)\"") }
        return month
    }
}
