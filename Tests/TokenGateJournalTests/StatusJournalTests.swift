import Testing
import TokenGateWire

@Suite("Status journal field")
struct StatusJournalTests {
    private func status(journal: JournalStatus?) -> Status {
        Status(
            state: .running, windowMs: 60000, limit: 100, threshold: 0.9, used: 0, reserved: 0, inFlight: 0, waiting: 0,
            budgets: [], workers: [], uptimeMs: 1, server: "tokengate/0.1.0", journal: journal
        )
    }

    @Test("journal is {path, ok, error?} at the end, and absent without a journal")
    func encoding() throws {
        let degraded = status(journal: JournalStatus(path: "/s/u.sqlite", ok: false, error: "journal /s/u.sqlite: the disk is full"))
        #expect(degraded.encoded().text.hasSuffix(
            #","journal":{"path":"/s/u.sqlite","ok":false,"error":"journal /s/u.sqlite: the disk is full"}}"#
        ))
        #expect(try Status.decode(json: degraded.encoded().bytes) == degraded)
        let healthy = status(journal: JournalStatus(path: "/s/u.sqlite", ok: true))
        #expect(healthy.encoded().text.hasSuffix(#","journal":{"path":"/s/u.sqlite","ok":true}}"#))
        #expect(!status(journal: nil).encoded().text.contains("journal"))
    }
}
