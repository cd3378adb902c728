import Crypto
import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesTcpAndSocketForms() throws {
        let tcp = try DatabaseURL(parsing: "postgres://leads:p%40ss@db.internal:6543/sales")
        #expect(tcp.username == "leads")
        #expect(tcp.password == "p@ss")
        #expect(tcp.host == "db.internal")
        #expect(tcp.port == 6543)
        #expect(tcp.database == "sales")
        let socket = try DatabaseURL(parsing: "postgresql://leads@localhost/sales?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql")
        #expect(try DatabaseURL(parsing: tcp.rendered) == tcp)
    }

    @Test(arguments: [
        ("mysql://a@b/c", "scheme"), ("postgres://b/c", "user"), ("postgres://a@b", "database"), ("postgres://a@b/", "database"),
    ])
    func refusesWithTheReason(text: String, reason: String) {
        #expect {
            try DatabaseURL(parsing: text)
        } throws: { error in
            (error as? DatabaseURL.ParseError)?.reason.contains(reason) == true
        }
    }
}

@Suite struct ServiceConfigurationTests {
    let valid = ["SALES_DATABASE_URL": "postgres://leads:x@127.0.0.1:5432/sales", "SALES_JWT_SECRET": String(repeating: "s", count: 32)]

    func error(_ env: [String: String], peers: [ServiceName] = []) -> ConfigurationError? {
        do {
            _ = try ServiceConfiguration.fromEnvironment(.leads, peers: peers, environment: Environment(env))
            return nil
        } catch {
            return error
        }
    }

    @Test func readsDefaultsAndPeers() throws {
        var env = valid
        env["SALES_OPPORTUNITIES_ADDR"] = "10.0.0.5:7000"
        env["SALES_LOG_FORMAT"] = "json"
        let config = try ServiceConfiguration.fromEnvironment(.leads, peers: [.opportunities], environment: Environment(env))
        #expect(config.grpcPort == ServiceName.leads.defaultGRPCPort)
        #expect(config.peers[.opportunities] == PeerAddress(host: "10.0.0.5", port: 7000))
        #expect(config.logFormat == .json)
        #expect(!config.developmentMode)
    }

    @Test func namesTheVariableAndTheRule() {
        #expect(error([:])?.variable == "SALES_DATABASE_URL")
        #expect(error(valid.merging(["SALES_JWT_SECRET": "short"]) { $1 })?.problem.contains("at least 32") == true)
        #expect(error(valid.merging(["SALES_GRPC_PORT": "99999"]) { $1 })?.variable == "SALES_GRPC_PORT")
        #expect(error(valid.merging(["SALES_LOG_FORMAT": "xml"]) { $1 })?.problem.contains("text, json") == true)
        #expect(error(valid.merging(["SALES_DEV_MODE": "maybe"]) { $1 })?.variable == "SALES_DEV_MODE")
        #expect(error(valid, peers: [.opportunities])?.variable == "SALES_OPPORTUNITIES_ADDR")
        #expect(error(valid.merging(["SALES_OPPORTUNITIES_ADDR": "no-port"]) { $1 }, peers: [.opportunities])?.problem.contains("host:port") == true)
    }
}

@Suite struct TokenAuthorityTests {
    let caller = Caller(tenant: TenantID("demo")!, userID: "li.na", roles: [.rep, .unmaskPII], orgPath: "/east/sh")

    @Test func roundTripsTheClaims() async throws {
        let authority = await TokenAuthority(secret: String(repeating: "a", count: 32))
        let token = try await authority.sign(caller)
        #expect(try await authority.verify(token) == caller)
    }

    @Test func refusesExpiredForgedAndGarbage() async throws {
        let authority = await TokenAuthority(secret: String(repeating: "a", count: 32))
        let other = await TokenAuthority(secret: String(repeating: "b", count: 32))
        let expired = try await authority.sign(caller, lifetime: .seconds(10), now: Date().addingTimeInterval(-60))
        for (token, phrase) in [(expired, "expired"), (try await other.sign(caller), "signature"), ("a.b.c", "not valid")] {
            await #expect {
                try await authority.verify(token)
            } throws: { error in
                guard case .unauthenticated(let message) = error as? ServiceError else { return false }
                return message.contains(phrase)
            }
        }
    }

    /// Verified tokens are remembered; one remembered must still be refused once it expires.
    @Test func aRememberedTokenStillExpires() async throws {
        let authority = await TokenAuthority(secret: String(repeating: "a", count: 32))
        let token = try await authority.sign(caller, lifetime: .seconds(60), now: Date().addingTimeInterval(-58))
        #expect(try await authority.verify(token) == caller)
        #expect(try await authority.verify(token) == caller)
        try await Task.sleep(for: .seconds(3))
        await #expect {
            try await authority.verify(token)
        } throws: { error in
            guard case .unauthenticated(let message) = error as? ServiceError else { return false }
            return message.contains("expired")
        }
    }
}

@Suite struct SQLScriptTests {
    @Test func splitsOnTopLevelSemicolonsOnly() {
        let sql = """
            CREATE TABLE a (x text DEFAULT 'a;b');
            -- a comment; with a semicolon
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            CREATE FUNCTION g() RETURNS int AS $body$ SELECT 2; $body$ LANGUAGE sql;
            /* block; comment */ SELECT "we;ird", 'it''s; fine', $1;
            """
        let statements = SQLScript.statements(sql)
        #expect(statements.count == 4)
        #expect(statements[0] == "CREATE TABLE a (x text DEFAULT 'a;b')")
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$ LANGUAGE sql"))
        #expect(statements[2].contains("$body$ SELECT 2; $body$"))
        #expect(statements[3].hasSuffix("'it''s; fine', $1"))
    }
}

@Suite struct PageTests {
    @Test func tokensRoundTripAndAreChecked() throws {
        let first = try Page(.with { $0.pageSize = 2 })
        #expect(first.before == .max)
        let (kept, response) = first.finish([10, 9, 8] as [Int64], seq: { $0 })
        #expect(kept == [10, 9])
        let second = try Page(
            .with {
                $0.pageSize = 2; $0.pageToken = response.nextPageToken
            })
        #expect(second.before == 9)
        #expect(first.finish([10] as [Int64], seq: { $0 }).1.nextPageToken.isEmpty)
        #expect(throws: ServiceError.self) { try Page(.with { $0.pageToken = "djE6LTE=" }) }  // "v1:-1"
        #expect(throws: ServiceError.self) { try Page(.with { $0.pageSize = -1 }) }
    }
}

@Suite struct PhoneHasherTests {
    @Test func sameNumberSameHashDifferentKeyDifferentHash() {
        let a = PhoneHasher(secret: "one-secret"), b = PhoneHasher(secret: "another-secret")
        let phone = PhoneNumber("13812345678")!
        #expect(a.hash(phone) == a.hash(PhoneNumber("+86 138 1234 5678")!))
        #expect(a.hash(phone) != b.hash(phone))
        #expect(!a.hash(phone).contains("13812345678"))
    }
}

@Suite struct HexEncodingTests {
    /// Phone hashes, idempotency fingerprints and migration checksums are stored in this form:
    /// it must not change under them.
    @Test func lowercaseTwoDigitsAByte() {
        #expect([UInt8]([0x00, 0x0f, 0xf0, 0xff, 0x5a]).hexEncoded == "000ff0ff5a")
        #expect([UInt8]().hexEncoded == "")
        #expect(SHA256.hash(data: Data("abc".utf8)).hexEncoded == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct SealedTextTests {
    let box = SealedText(secret: "one-secret-0123456789", label: "sales.test.v1")

    @Test func roundTripsWithAFreshNonceEachTime() throws {
        let text = #"{"secret":"corp-secret","webhookUrl":"https://oapi.dingtalk.com/robot/send?access_token=t1"}"#
        let first = try box.seal(text, context: "t/hook"), second = try box.seal(text, context: "t/hook")
        #expect(first.hasPrefix("sealed:v1:") && !first.contains("corp-secret") && !first.contains("access_token"))
        #expect(first != second)
        #expect(box.open(first, context: "t/hook") == text && box.open(second, context: "t/hook") == text)
    }

    @Test func anotherSecretLabelOrRowOrADamagedValueCannotOpenIt() throws {
        let sealed = try box.seal("corp-secret", context: "t/hook")
        #expect(box.open(sealed, context: "t/hook") == "corp-secret")
        #expect(SealedText(secret: "another-secret-012345", label: "sales.test.v1").open(sealed, context: "t/hook") == nil)
        #expect(SealedText(secret: "one-secret-0123456789", label: "sales.other.v1").open(sealed, context: "t/hook") == nil)
        #expect(box.open(sealed, context: "other-tenant/hook") == nil, "a value copied into another row does not open")
        var damaged = Array(sealed)
        damaged[damaged.count - 3] = damaged[damaged.count - 3] == "A" ? "B" : "A"
        #expect(box.open(String(damaged), context: "t/hook") == nil)
        #expect(box.open("sealed:v1:not base64!", context: "t/hook") == nil)
    }

    @Test func aValueStoredBeforeSealingReadsAsItIs() {
        #expect(box.open(#"{"name":"hook"}"#, context: "t/hook") == #"{"name":"hook"}"#)
    }
}
