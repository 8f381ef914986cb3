import AccessControl
import Testing

/// How every service reads a presented credential: the `Bearer` header, bare ZeroMQ fields, and
/// the key prefix that tells an API key from a token.
@Suite struct CredentialTests {
    @Test func aBearerHeaderCarriesAKeyOrAToken() {
        #expect(Credential(authorization: "Bearer cmk_k1_secret") == .apiKey("cmk_k1_secret"))
        #expect(Credential(authorization: "Bearer eyJ.payload.sig") == .token("eyJ.payload.sig"))
        // Padding around the credential is not part of it.
        #expect(Credential(authorization: "Bearer   cmk_k1_secret  ")?.text == "cmk_k1_secret")
    }

    @Test func aMissingOrForeignHeaderIsNoCredential() {
        #expect(Credential(authorization: nil) == nil)
        #expect(Credential(authorization: "") == nil)
        #expect(Credential(authorization: "Bearer ") == nil)
        #expect(Credential(authorization: "Bearer    ") == nil)
        #expect(Credential(authorization: "Basic dXNlcjpwdw==") == nil)
        // The scheme is matched as sent: a lower-case `bearer` is not ours.
        #expect(Credential(authorization: "bearer cmk_k1_secret") == nil)
    }

    @Test func aBareFieldIsReadTheSameWay() {
        #expect(Credential("cmk_k1_secret") == .apiKey("cmk_k1_secret"))
        #expect(Credential("token") == .token("token"))
        #expect(Credential(nil) == nil)
        #expect(Credential(" ") == nil)
        // A key-looking prefix inside a token does not make it a key.
        #expect(Credential("xcmk_k1") == .token("xcmk_k1"))
    }
}
