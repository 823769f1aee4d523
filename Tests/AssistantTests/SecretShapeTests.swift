import Foundation
import JSON
import Policies
import TestSupport
import Testing

@Suite("Secret shapes masked in what the model sees")
struct SecretShapeTests {
    @Test("each shape alone is replaced whole by its kind's mask")
    func alone() throws {
        for (secret, kind) in PlantedSecrets.all {
            let shape = try #require(Redaction.SecretShape(rawValue: kind))
            let masked = Redaction.secretShapes(secret)
            #expect(masked.text == shape.mask, "\(shape)")
            #expect(masked.count == 1, "\(shape)")
        }
    }

    @Test("shapes inside prose, quotes and JSON text are replaced and the text around them kept")
    func inText() throws {
        for (secret, kind) in PlantedSecrets.all {
            let shape = try #require(Redaction.SecretShape(rawValue: kind))
            for (before, after) in [("token: ", " (keep it)"), ("\"", "\""), ("(", "),"), ("key=", "\n")] {
                let masked = Redaction.secretShapes(before + secret + after)
                #expect(masked.text == before + shape.mask + after, "\(shape) in \(before)…\(after)")
            }
        }
        let note = "call with \(PlantedSecrets.openAI) and \(PlantedSecrets.jwt), hash \(PlantedSecrets.bcrypt)"
        let masked = Redaction.secretShapes(note)
        #expect(masked.count == 3)
        #expect(masked.text == "call with [redacted: openai_key] and [redacted: jwt], hash [redacted: bcrypt]")
    }

    @Test("a URI's password is masked, user and host kept; so are password= pairs")
    func passwords() {
        let masked = Redaction.secretShapes("see \(PlantedSecrets.url) now")
        #expect(masked.text == "see postgres://app:[redacted: password]@db.internal:5432/prod now")
        #expect(masked.count == 1)
        #expect(Redaction.secretShapes("host=db password=abc123 user=x").text == "host=db password=[redacted: password] user=x")
    }

    @Test("a PEM key cut short is masked to the end of the text")
    func cutPEM() {
        let cut = "key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU…"
        #expect(Redaction.secretShapes(cut).text == "key: [redacted: private_key]")
    }

    @Test("ordinary values are left alone", arguments: [
        "mary.smith@sakilacustomer.org", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "8cb2237d0679ca88db6464eac60da96345513964", "deadbeefcafebabe0123456789abcdef",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "eyJhbGciOiJIUzI1NiJ9", "task-sk-Ab3dEf9hIjKlMn0pQrStUvWxYz12", "sk-2024-q3-report-final-draft-version",
        "risk-assessment-2024-final", "mask_token_count", "$25.99 and $5$ off", "ghp_notes", "AKIA is a prefix",
        "AKIAIOSFODNN7EXAMPLEEXTRA", "SCRAM-SHA-256 is the default", "BEGIN PRIVATE KEY", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "http://example.com:8080/docs", "https://medium.com/@user/a-post", "2024-05-01T12:00:00Z", "{\"a\": [1, 2]}",
        "The quick brown fox jumps over the lazy dog. Pa$$word policy: 12 characters.", "ÆØÅ – 日本語 – emoji 🎉",
        "sb_publishable_AbCdEf0123456789xyz", "pk_live_51HxYzAbCdEf0123456789GhIj",
    ])
    func ordinary(_ value: String) {
        let masked = Redaction.secretShapes(value)
        #expect(masked.text == value)
        #expect(masked.count == 0)
    }

    @Test("JSON: strings and keys are masked, numbers and structure kept, redactions counted")
    func json() throws {
        let row = JSONValue.object([
            "id": .number(7), "email": .string("a@example.com"), "notes": .string("jwt \(PlantedSecrets.jwt)"),
            PlantedSecrets.github: .bool(true), "tags": .array([.string(PlantedSecrets.scram), .null]),
        ])
        var count = 0
        let masked = Redaction.secretShapes(row, count: &count)
        #expect(count == 3)
        #expect(masked["id"] == .number(7))
        #expect(masked["email"] == .string("a@example.com"))
        #expect(masked["notes"] == .string("jwt [redacted: jwt]"))
        #expect(masked["[redacted: github_token]"] == .bool(true))
        #expect(masked["tags"] == .array([.string("[redacted: scram_sha_256]"), .null]))
    }

    @Test("Pagila's data (every line of its dump, when ../shared/data/pagila exists) holds nothing that looks like a secret")
    func pagila() throws {
        guard let shared = TestEnvironment.sharedFolder,
              let data = FileManager.default.contents(atPath: "\(shared)/data/pagila/pagila-data.sql") else {
            print("note: ../shared/data/pagila is missing; skipping the Pagila false-positive test")
            return
        }
        var lines = 0, hits: [String] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            lines += 1
            let masked = Redaction.secretShapes(String(line))
            if masked.count > 0 { hits.append(String(line.prefix(200))) }
        }
        #expect(lines > 40_000)
        #expect(hits.isEmpty, "\(hits.prefix(5))")
    }
}
