import Foundation
import GRDB
import Logging
import Testing
import TokenGateServer

@testable import TokenGateJournal

@Suite("Journal: worker controls")
struct WorkerControlJournalTests {
    static func control(_ kind: JournalAction.Kind, _ detail: String, at: Int64) -> JournalEvent {
        .action(JournalAction(wallMilliseconds: at, kind: kind, actor: "operator", detail: detail))
    }

    @Test("a worker's actions replay in order; pruning keeps each worker's last pause or resume and last cap, however old")
    func replayAndPrune() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("u.sqlite")
        let now = JournalFixtures.now()
        let hour: Int64 = 3_600_000
        let journal = try SQLiteJournal(path: path, options: JournalFixtures.options(), logger: Logger(label: "test"))
        journal.append(Self.control(.workerPause, "worker=a", at: now - 5 * hour))
        journal.append(Self.control(.workerCap, "worker=a cap=0.5", at: now - 5 * hour))
        journal.append(Self.control(.workerCap, "worker=a cap=0.25", at: now - 4 * hour))
        journal.append(Self.control(.workerPause, "worker=b", at: now - 4 * hour))
        journal.append(Self.control(.workerResume, "worker=b", at: now - 3 * hour))
        journal.append(Self.control(.workerCap, "worker=c cap=0.5", at: now - 3 * hour))
        journal.append(Self.control(.workerCap, "worker=c cap=none", at: now - 2 * hour))
        journal.close()

        let reopened = try SQLiteJournal(
            path: path, options: JournalFixtures.options(retention: .seconds(3600)), logger: Logger(label: "test")
        )
        defer { reopened.close() }
        let details = try JournalFixtures.reader(path).read { db in
            try String.fetchAll(db, sql: "SELECT kind || ' ' || detail FROM actions ORDER BY id")
        }
        #expect(details == [
            "worker_pause worker=a", "worker_cap worker=a cap=0.25", "worker_resume worker=b", "worker_cap worker=c cap=none",
        ])
        let controls = try reopened.recover(window: .seconds(60)).workerControls
        #expect(controls == ["a": JournalWorkerControl(paused: true, cap: 0.25)])
    }

    @Test("a detail names its worker and cap; unreadable caps change nothing")
    func details() {
        #expect(JournalWorkerControl.detail(worker: "w.1:x", cap: nil) == "worker=w.1:x cap=none")
        #expect(JournalWorkerControl.worker(inDetail: "worker=w.1:x cap=0.5") == "w.1:x")
        var control = JournalWorkerControl(cap: 0.5)
        control.apply(.workerCap, detail: "worker=w cap=7")
        #expect(control.cap == 0.5)
        control.apply(.workerCap, detail: "worker=w cap=none")
        #expect(control.cap == nil)
    }
}
