import AccessControl
import Crypto
import Foundation
import Testing

@Suite struct AccessTokenTests {
    let key = Curve25519.Signing.PrivateKey()
    var keys: [String: Curve25519.Signing.PublicKey] { ["k1": key.publicKey] }
    let claims = TokenClaims(subject: "ann", tenant: "A", role: .analyst, issuedAt: 1_000, expiresAt: 1_900, tokenID: "t1")

    @Test func aSignedTokenVerifiesAndCarriesItsClaims() throws {
        let token = try AccessToken.sign(claims, key: key, keyID: "k1")
        #expect(token.split(separator: ".").count == 3)
        #expect(AccessToken.keyID(of: token) == "k1")
        #expect(try AccessToken.verify(token, keys: keys, now: 1_899) == claims)
    }

    @Test func anExpiredTokenIsRefusedAtItsExpiry() throws {
        let token = try AccessToken.sign(claims, key: key, keyID: "k1")
        #expect(throws: TokenRejection.expired) { try AccessToken.verify(token, keys: keys, now: 1_900) }
    }

    @Test func aTokenWithAnEditedPayloadOrAnotherKeysSignatureIsRefused() throws {
        let token = try AccessToken.sign(claims, key: key, keyID: "k1")
        let parts = token.split(separator: ".").map(String.init)
        var widened = claims
        widened.tenant = "B"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let forged = [parts[0], Base64URL.encode(try encoder.encode(widened)), parts[2]].joined(separator: ".")
        #expect(throws: TokenRejection.badSignature) { try AccessToken.verify(forged, keys: keys, now: 1_500) }
        let other = try AccessToken.sign(claims, key: Curve25519.Signing.PrivateKey(), keyID: "k1")
        #expect(throws: TokenRejection.badSignature) { try AccessToken.verify(other, keys: keys, now: 1_500) }
        #expect(throws: TokenRejection.unknownKey("k2")) {
            try AccessToken.verify(try AccessToken.sign(claims, key: key, keyID: "k2"), keys: keys, now: 1_500)
        }
        #expect(throws: TokenRejection.malformed) { try AccessToken.verify("a.b", keys: keys, now: 1_500) }
    }

    @Test func aHeaderNamingAnotherAlgorithmIsRefused() throws {
        let token = try AccessToken.sign(claims, key: key, keyID: "k1")
        let parts = token.split(separator: ".").map(String.init)
        let none = Base64URL.encode(Data(#"{"alg":"none","kid":"k1","typ":"JWT"}"#.utf8))
        #expect(throws: TokenRejection.malformed) { try AccessToken.verify([none, parts[1], parts[2]].joined(separator: "."), keys: keys, now: 1_500) }
    }
}
