import Testing
import TokenGateDashboard

@Suite struct CapEntryTests {
    @Test(arguments: [
        ("0.25", 0.25), ("25%", 0.25), (" 25 % ", 0.25), (".5", 0.5), ("1", 1.0), ("100%", 1.0),
        ("12.5%", 0.125), ("0.001", 0.001),
    ])
    func accepted(_ text: String, _ cap: Double) {
        #expect(CapEntry.parse(text) == .cap(cap))
    }

    @Test(arguments: ["", " ", "none", "NONE", " None "])
    func emptyOrNoneClears(_ text: String) {
        #expect(CapEntry.parse(text) == .clear)
    }

    @Test(arguments: ["0", "0%", "25", "101%", "1.01", "-0.5", "1e-1", "0x1p-2", "inf", "nan", "abc", ".", "%", "1..2",
                      "2 5%"])
    func refused(_ text: String) {
        #expect(CapEntry.parse(text) == nil)
    }

    @Test func badInputSaysWhatIsAcceptedUntilTheTextChanges() {
        var entry = CapEntry(worker: "eval-02", current: nil)
        for character in "25" { entry.type(character) }
        #expect(entry.submit() == nil)
        #expect(entry.error == CapEntry.accepted)
        entry.type("%")
        #expect(entry.error == nil)
        #expect(entry.submit() == .cap(0.25))
        entry.deleteBackward()
        entry.deleteBackward()
        entry.deleteBackward()
        #expect(entry.text.isEmpty)
        entry.deleteBackward()
        #expect(entry.submit() == .clear)
    }

    @Test func theInputIsBounded() {
        var entry = CapEntry(worker: "w", current: 0.5)
        for _ in 0..<40 { entry.type("1") }
        #expect(entry.text.count == CapEntry.maximumLength)
    }

    @Test func capsReadAsPercentages() {
        #expect(CapEntry.text(for: 0.25) == "25%")
        #expect(CapEntry.text(for: 0.125) == "12.5%")
        #expect(CapEntry.text(for: 1) == "100%")
        #expect(CapEntry.Choice.clear.cap == nil)
        #expect(CapEntry.Choice.cap(0.3).cap == 0.3)
    }
}
