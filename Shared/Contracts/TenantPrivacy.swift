import CarbonModel
import Foundation

/// The body of `tenant.export.v1` and `tenant.erase.v1`, which auth sends to every other
/// service's control endpoint when a tenant's data is exported or erased (each service answers
/// from its own store). The caller's token travels in the header's `api_key` and is checked by
/// the service like an HTTP request's.
public struct TenantPrivacyRequest: Codable, Sendable, Hashable {
    public static let exportType = "tenant.export.v1"
    public static let eraseType = "tenant.erase.v1"

    public var tenant: String
    /// For an erase: the anonymous name the tenant's figures are kept under (`erased-<hash>`).
    public var pseudonym: String?

    public init(tenant: String, pseudonym: String? = nil) {
        self.tenant = tenant
        self.pseudonym = pseudonym
    }
}

/// Why a stored document could not be searched for a tenant (export) or rewritten (erase).
/// Either way the tenant's data could be left behind without a word, so the export or erase
/// fails naming the document instead.
public enum TenantDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The document holds the tenant's name but is not JSON, so whose it is cannot be told and
    /// its members cannot be rewritten.
    case unreadable(document: String, tenant: String, reason: String)
    /// The renamed document could not be written back as JSON.
    case unwritable(document: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let document, let tenant, let reason):
            "\(document) holds the name \(tenant.debugDescription) but is not JSON (\(reason)); fix or remove it and try again"
        case .unwritable(let document, let reason): "\(document) could not be written back after renaming the tenant: \(reason)"
        }
    }
}

/// Rewrites the tenant a stored JSON document names, for an erase: every `"tenant"` member whose
/// value is the tenant, at any depth, gets the pseudonym instead; nothing else changes meaning.
/// Pure; returns nil when the document names the tenant nowhere (nothing to write back).
public enum TenantRename {
    /// `document` names the document in an error (e.g. `records row source/id`).
    public static func json(_ data: Data, tenant: String, to pseudonym: String, document: String = "a stored document") throws(TenantDocumentError)
        -> Data?
    {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            // Not JSON and without the name's bytes: it names the tenant nowhere we could rewrite.
            guard data.range(of: Data(tenant.utf8)) != nil else { return nil }
            throw .unreadable(document: document, tenant: tenant, reason: "\(error)")
        }
        var changed = false
        let renamed = rename(object, tenant: tenant, to: pseudonym, changed: &changed)
        guard changed else { return nil }
        do {
            return try JSONSerialization.data(withJSONObject: renamed, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        } catch {
            throw .unwritable(document: document, reason: "\(error)")
        }
    }

    private static func rename(_ value: Any, tenant: String, to pseudonym: String, changed: inout Bool) -> Any {
        if var object = value as? [String: Any] {
            for (key, member) in object {
                // `owner`: the tenant whose credentials wrote a record (``NormalizedRecord/owner``).
                if key == "tenant" || key == "owner", let name = member as? String, name == tenant {
                    object[key] = pseudonym
                    changed = true
                } else {
                    object[key] = rename(member, tenant: tenant, to: pseudonym, changed: &changed)
                }
            }
            return object
        }
        if let array = value as? [Any] { return array.map { rename($0, tenant: tenant, to: pseudonym, changed: &changed) } }
        return value
    }
}
