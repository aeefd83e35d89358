import Foundation
import Testing
import TokenGateCore
import TokenGateTestSupport
import TokenGateWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension OneAtATime {
    /// `tokengate top` end to end: the real executable in a real terminal (a detached tmux pane) on a
    /// real daemon. It reads the screen as an operator would, presses keys, resizes the window and quits.
    ///
    /// Every tmux command goes to a private server (`-L` with a unique name, `TMUX_TMPDIR` in a
    /// temporary directory, `-f /dev/null`), so the test never sees or touches a user's tmux; the server
    /// is killed at the end whether the test passes or fails.
    @Suite("Dashboard end to end in tmux")
    struct DashboardTmuxTests {
        // CI installs tmux (.ci/run); a developer machine without it skips this test and says why.
        @Test(
            "top shows the gauge, the threshold marker and workers; p pauses and resumes the daemon; resizes redraw; q exits 0",
            .enabled(if: Tmux.executable != nil, "tmux is not installed: the dashboard's end-to-end test needs it"),
            .timeLimit(.minutes(5))
        )
        func dashboardInTmux() async throws {
            // A 60 s window so that the usage reported below stays on the gauge for the whole test.
            try await DaemonProcess.with(arguments: ["--window", "60", "--limit", "100000"]) { daemon in
                // Workers appear before the dashboard starts: 40k + 25k + 10k = 75k of 100k.
                let feeder = try LineClient(path: daemon.socketPath)
                for (worker, input, output) in [("alpha-e2e", 30_000, 10_000), ("bravo-e2e", 20_000, 5_000),
                                                ("charlie-e2e", 8_000, 2_000)] {
                    let reply = try feeder.request(
                        #"{"op":"report","input":\#(input),"output":\#(output),"worker":"\#(worker)"}"#)
                    #expect(reply["ok"] == .bool(true), "\(reply.jsonText)")
                }

                let directory = try TemporaryDirectory(prefix: "tg-tmux")
                defer { directory.remove() }
                let tmux = try Tmux(directory: directory)
                // Killed before the directory goes (defers run last-in, first-out).
                defer { tmux.killServer() }

                let exitFile = directory.file("exit")
                let sttyFile = directory.file("stty")
                let script = directory.file("pane.sh")
                try paneScript(
                    binary: try TokenGateBinary.require(), socket: daemon.socketPath, exitFile: exitFile,
                    sttyFile: sttyFile
                ).write(toFile: script, atomically: true, encoding: .utf8)
                try await tmux.newSession(columns: 100, rows: 30, command: "sh " + script)

                // 1. The full screen at 100x30: the tokens gauge with the threshold marker, the workers.
                var screen = try await tmux.waitForScreen("the dashboard with the gauge and three worker rows") { screen in
                    screen.gaugeLine != nil && screen.row(containing: "charlie-e2e") != nil
                        && screen.row(containing: "RUNNING") != nil
                }
                let gauge = try #require(screen.gaugeLine)
                #expect(gauge.contains("75%"), "the gauge shows 75k of 100k: \(gauge)\n\(screen)")
                #expect(gauge.contains("100.0k"), "the gauge shows the limit: \(gauge)")
                let bar = try #require(Screen.bar(in: gauge), "no bar in \(gauge)")
                let marker = try #require(bar.firstIndex(of: "┃"), "no threshold marker in \(gauge)")
                #expect(bar.filter { $0 == "┃" }.count == 1, "one threshold marker: \(gauge)")
                // The threshold is 0.9: the marker sits at 90 % of the bar, past the 75 % used.
                #expect(abs(Double(marker) / Double(bar.count) - 0.9) < 0.05, "marker at \(marker) of \(bar.count): \(gauge)")
                #expect(bar.prefix(marker).contains("█"), "the used part is solid: \(gauge)")
                #expect(bar.suffix(from: marker).allSatisfy { $0 == "┃" || $0 == "░" }, "nothing used past the marker: \(gauge)")
                // Worker rows, sorted by use: alpha (40k), bravo (25k), charlie (10k).
                let rows = ["alpha-e2e", "bravo-e2e", "charlie-e2e"].map { screen.row(containing: $0) }
                #expect(rows.allSatisfy { $0 != nil }, "three worker rows:\n\(screen)")
                if let alpha = rows[0], let bravo = rows[1], let charlie = rows[2] {
                    #expect(alpha < bravo && bravo < charlie, "sorted by use:\n\(screen)")
                    #expect(screen.lines[alpha].contains("40.0k"), "alpha's usage:\n\(screen)")
                }
                #expect(screen.workersBoxWidth == 100, "the workers box spans 100 columns:\n\(screen)")

                // 2. p pauses the daemon; p again resumes it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "p"])
                #expect(try await daemonState(daemon) { $0 == .paused }, "`p` did not pause the daemon")
                screen = try await tmux.waitForScreen("the PAUSED badge") { $0.row(containing: "PAUSED") != nil }
                #expect(screen.lines.last { !$0.isEmpty }?.contains("Resume") == true, "the key bar offers Resume:\n\(screen)")

                try await tmux.run(["send-keys", "-t", Tmux.session, "p"])
                #expect(try await daemonState(daemon) { $0 == .running }, "the second `p` did not resume the daemon")
                screen = try await tmux.waitForScreen("the RUNNING badge again") { $0.row(containing: "RUNNING") != nil }

                // 2b. Whole column headers, ages that read as ages, a labelled reservation, and a grant
                // held by delta-e2e shown with its age in OLDEST.
                let holder = try LineClient(path: daemon.socketPath)
                let grant = try holder.request(#"{"op":"acquire","tokens":5000,"worker":"delta-e2e"}"#)
                #expect(grant["ticket"] != nil, "\(grant.jsonText)")
                screen = try await tmux.waitForScreen("delta-e2e's grant with its age") { screen in
                    guard let row = screen.row(containing: "● delta-e2e") else { return false }
                    // ..., FLIGHT, QUEUED, OLDEST, SEEN, the border.
                    let cells = screen.lines[row].split(separator: " ")
                    return cells.count >= 4 && cells[cells.count - 5] == "1" && cells[cells.count - 3].hasSuffix("s")
                }
                let header = try #require(screen.row(containing: "WORKER").map { screen.lines[$0] })
                for title in ["▼USED", "SHARE", "REQ", "FLIGHT", "QUEUED", "OLDEST", "SEEN"] {
                    #expect(header.contains(title), "the header shows \(title) whole: \(header)")
                }
                #expect(!header.contains("WAIT "), "WAIT became QUEUED: \(header)")
                screen = try await tmux.waitForScreen("event ages that read as ages") { $0.row(containing: "s ago ") != nil }
                #expect(screen.gaugeLine?.contains("+5.0k rsv") == true, "the reservation is labelled:\n\(screen)")

                // 2c. + opens a confirm line (nothing changes yet); - comes back; + and Enter apply 110k;
                // - and Esc change nothing.
                try await tmux.run(["send-keys", "-t", Tmux.session, "+"])
                screen = try await tmux.waitForScreen("the confirm line 100.0k → 110.0k") {
                    $0.row(containing: "limit 100.0k → 110.0k (+10 %)") != nil && $0.row(containing: "Enter apply") != nil
                }
                try await tmux.run(["send-keys", "-t", Tmux.session, "-"])
                screen = try await tmux.waitForScreen("the confirm line back at 100.0k") {
                    $0.row(containing: "limit 100.0k → 100.0k (±0 %)") != nil
                }
                #expect(try LineClient(path: daemon.socketPath).status().limit == 100_000, "nothing applied before Enter")
                try await tmux.run(["send-keys", "-t", Tmux.session, "+"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                #expect(await eventually(timeout: .seconds(10)) {
                    (try? LineClient(path: daemon.socketPath).status().limit) == 110_000
                }, "Enter applied the proposed limit")
                try await tmux.run(["send-keys", "-t", Tmux.session, "-"])
                screen = try await tmux.waitForScreen("the confirm line 110.0k → 99.0k") {
                    $0.row(containing: "limit 110.0k → 99.0k") != nil
                }
                try await tmux.run(["send-keys", "-t", Tmux.session, "Escape"])
                screen = try await tmux.waitForScreen("the key bar again, limit unchanged") {
                    $0.row(containing: "limit unchanged") != nil && $0.row(containing: "q Quit") != nil
                }
                #expect(try LineClient(path: daemon.socketPath).status().limit == 110_000, "Esc changed nothing")
                _ = holder

                // 3. Resized to 80x24: redrawn at the new width.
                try await tmux.run(["resize-window", "-t", Tmux.session, "-x", "80", "-y", "24"])
                screen = try await tmux.waitForScreen("the dashboard redrawn at 80x24") { screen in
                    screen.workersBoxWidth == 80 && screen.gaugeLine != nil && screen.row(containing: "q Quit") != nil
                }
                #expect(screen.lines.allSatisfy { $0.count <= 80 }, "every line fits 80 columns:\n\(screen)")
                let narrowGauge = try #require(screen.gaugeLine)
                let narrowBar = try #require(Screen.bar(in: narrowGauge))
                #expect(narrowBar.count < bar.count, "the bar shrank: \(bar.count) -> \(narrowBar.count)")
                #expect(narrowBar.contains("┃"), "the marker is still drawn: \(narrowGauge)")
                #expect(screen.row(containing: "alpha-e2e") != nil, "the workers are still listed:\n\(screen)")

                // 4. Below the minimum: "terminal too small", and q still works there.
                try await tmux.run(["resize-window", "-t", Tmux.session, "-x", "40", "-y", "12"])
                screen = try await tmux.waitForScreen("terminal too small") { screen in
                    screen.row(containing: "terminal too small") != nil && screen.row(containing: "80x24") != nil
                }
                #expect(screen.gaugeLine == nil, "no dashboard below the minimum:\n\(screen)")

                // 5. q quits with status 0 and leaves a usable terminal.
                try await tmux.run(["send-keys", "-t", Tmux.session, "q"])
                let exited = try await eventually(timeout: .seconds(30)) {
                    if FileManager.default.fileExists(atPath: exitFile) { return true }
                    try await Task.sleep(for: .milliseconds(50))
                    return false
                }
                let exitScreen = try await tmux.capture()
                try #require(exited, "`q` did not end tokengate top within 30 s:\n\(exitScreen)")
                let exitLine = try String(contentsOfFile: exitFile, encoding: .utf8)
                #expect(exitLine.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0", "\(exitLine)\n\(exitScreen)")

                // The terminal modes are back: canonical input, echo (stty ran in the pane after top).
                let stty = try String(contentsOfFile: sttyFile, encoding: .utf8)
                let modes = Set(stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
                for mode in ["icanon", "echo", "icrnl", "opost"] {
                    #expect(modes.contains(mode), "stty shows \(mode) after top exited:\n\(stty)")
                }
                // The screen is the shell's again (the alternate screen is gone), and a typed line is
                // echoed and read as a line.
                screen = try await tmux.waitForScreen("the shell's lines after top exited") { screen in
                    screen.row(containing: "EXIT=0") != nil && screen.row(containing: "type>") != nil
                }
                #expect(screen.row(containing: "terminal too small") == nil, "the dashboard was left on screen:\n\(screen)")
                try await tmux.run(["send-keys", "-t", Tmux.session, "-l", "hello-e2e"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                screen = try await tmux.waitForScreen("the typed line echoed and read") { screen in
                    screen.row(containing: "type> hello-e2e") != nil && screen.row(containing: "GOT hello-e2e") != nil
                }
            }
        }

        @Test(
            "top attached to a daemon with traffic: the chart starts with the daemon's history, the rates row and the algorithm show",
            .enabled(if: Tmux.executable != nil, "tmux is not installed: the dashboard's end-to-end test needs it"),
            .timeLimit(.minutes(2))
        )
        func attachAfterTraffic() async throws {
            try await DaemonProcess.with(arguments: ["--window", "30", "--limit", "100000"]) { daemon in
                let feeder = try LineClient(path: daemon.socketPath)
                let reply = try feeder.request(#"{"op":"report","input":30000,"output":10000,"worker":"early-e2e"}"#)
                #expect(reply["ok"] == .bool(true), "\(reply.jsonText)")
                _ = try feeder.request(#"{"op":"throttled","retry_after_ms":1}"#)
                // At 100 columns the chart draws 10 s per column: the usage, 12 s old when top attaches,
                // spans two columns or more of the daemon's history; a dashboard that only saw its
                // own snapshots would fill one.
                try await Task.sleep(for: .seconds(12))

                let top = try await TopPane.start(on: daemon, columns: 100, rows: 30, script: paneScript)
                defer { top.close() }
                let tmux = top.tmux

                let screen = try await tmux.waitForScreen("the dashboard with its chart") { screen in
                    screen.gaugeLine != nil && screen.row(containing: "│      0 ") != nil
                }
                let bottom = try #require(screen.row(containing: "│      0 ").map { screen.lines[$0] })
                let chart = bottom.split(separator: "│").first.map(String.init) ?? bottom
                #expect(chart.filter { $0 == "█" }.count >= 2, "the chart starts with the daemon's history:\n\(screen)")
                let rates = try #require(screen.row(containing: "tokens/min").map { screen.lines[$0] }, "a rates row:\n\(screen)")
                #expect(rates.hasPrefix(" rates ") && rates.contains("429s 1") && rates.contains("last 30s"), "\(rates)")
                #expect(screen.lines[0].contains("· sliding window"), "the header names the algorithm:\n\(screen)")
                try await tmux.run(["send-keys", "-t", Tmux.session, "q"])
            }
        }

        @Test(
            "top on a daemon with three pools at 120x40 and 80x24: a gauge per pool; Tab selects a pool, then p pauses only that pool and +/- name it",
            .enabled(if: Tmux.executable != nil, "tmux is not installed: the dashboard's end-to-end test needs it"),
            .timeLimit(.minutes(3))
        )
        func poolKeysInTmux() async throws {
            try await DaemonProcess.with(arguments: [
                "--window", "60", "--limit", "100000",
                "--pool", "opus:models=claude-opus-*,limit=40000",
                "--pool", "haiku:models=claude-haiku-*,limit=60000",
            ]) { daemon in
                let feeder = try LineClient(path: daemon.socketPath)
                for (worker, model, tokens) in [("alpha-e2e", "claude-opus-4", 20_000), ("bravo-e2e", "claude-haiku-4", 6_000),
                                                ("alpha-e2e", "gpt-x", 10_000)] {
                    let reply = try feeder.request(
                        #"{"op":"report","input":\#(tokens),"output":0,"worker":"\#(worker)","model":"\#(model)"}"#)
                    #expect(reply["ok"] == .bool(true), "\(reply.jsonText)")
                }

                let top = try await TopPane.start(on: daemon, columns: 120, rows: 40, script: paneScript)
                defer { top.close() }
                let tmux = top.tmux

                // One gauge line per pool, each with its own figures and state.
                var screen = try await tmux.waitForScreen("a gauge per pool") { screen in
                    screen.row(containing: " haiku ") != nil && screen.row(containing: "Tab Pool:all") != nil
                }
                let opus = try #require(screen.row(containing: " opus ").map { screen.lines[$0] }, "\(screen)")
                #expect(opus.contains("50%") && opus.contains("40.0k") && opus.contains("running"), "\(opus)")
                let defaultRow = try #require(screen.row(containing: " default ").map { screen.lines[$0] }, "\(screen)")
                #expect(defaultRow.contains("10.0k") && defaultRow.contains("100.0k"), "\(defaultRow)")

                // Tab, Tab: all -> default -> opus; the table shows usage in opus.
                try await tmux.run(["send-keys", "-t", Tmux.session, "Tab"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "Tab"])
                screen = try await tmux.waitForScreen("opus selected") { $0.row(containing: "Tab Pool:opus") != nil }
                #expect(screen.row(containing: "used in opus") != nil, "the table says whose usage:\n\(screen)")
                if let alpha = screen.row(containing: "● alpha-e2e") {
                    #expect(screen.lines[alpha].contains("20.0k"), "alpha's usage in opus:\n\(screen)")
                }

                // p pauses opus alone.
                try await tmux.run(["send-keys", "-t", Tmux.session, "p"])
                #expect(try await poolStates(daemon) { $0 == ["default": .running, "opus": .paused, "haiku": .running] },
                        "`p` with opus selected did not pause opus alone")
                screen = try await tmux.waitForScreen("opus's PAUSED badge") { screen in
                    screen.row(containing: " opus ").map { screen.lines[$0].contains("PAUSED") } == true
                }
                #expect(screen.lines[0].contains("RUNNING"), "the daemon (default) still runs:\n\(screen)")

                // + opens a confirm line naming opus; Esc closes it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "+"])
                screen = try await tmux.waitForScreen("the confirm line for opus") { $0.row(containing: "limit opus 40.0k") != nil }
                try await tmux.run(["send-keys", "-t", Tmux.session, "Escape"])

                // p again resumes it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "p"])
                #expect(try await poolStates(daemon) { $0.values.allSatisfy { $0 == .running } }, "the second `p` did not resume opus")

                // At 80x24 the three gauge lines, the selection and the key bar still fit.
                try await tmux.run(["resize-window", "-t", Tmux.session, "-x", "80", "-y", "24"])
                // (opus's badge may still be drawing PAUSED: wait for the resume to show too.)
                screen = try await tmux.waitForScreen("three running pools redrawn at 80x24") { screen in
                    screen.workersBoxWidth == 80 && screen.row(containing: "Tab Pool:opus") != nil
                        && [" default ", " opus ", " haiku "].allSatisfy { pool in
                            screen.row(containing: pool).map { screen.lines[$0].contains("running") } == true
                        }
                }
                #expect(screen.lines.allSatisfy { $0.count <= 80 }, "every line fits 80 columns:\n\(screen)")
                for pool in [" default ", " opus ", " haiku "] {
                    let row = try #require(screen.row(containing: pool).map { screen.lines[$0] }, "\(pool):\n\(screen)")
                    #expect(row.contains("running") && row.contains("%"), "\(row)")
                }
                try await tmux.run(["send-keys", "-t", Tmux.session, "q"])
            }
        }

        @Test(
            "top's worker keys on the real daemon: x pauses the selected worker, Enter shows its pane, c caps it, / filters the table",
            .enabled(if: Tmux.executable != nil, "tmux is not installed: the dashboard's end-to-end test needs it"),
            .timeLimit(.minutes(4))
        )
        func workerKeysInTmux() async throws {
            try await DaemonProcess.with(arguments: ["--window", "60", "--limit", "100000"]) { daemon in
                let feeder = try LineClient(path: daemon.socketPath)
                for (worker, input, output) in [("alpha-e2e", 30_000, 10_000), ("bravo-e2e", 20_000, 5_000),
                                                ("charlie-e2e", 8_000, 2_000)] {
                    let reply = try feeder.request(
                        #"{"op":"report","input":\#(input),"output":\#(output),"worker":"\#(worker)"}"#)
                    #expect(reply["ok"] == .bool(true), "\(reply.jsonText)")
                }
                // alpha holds a 5k ticket, and a high-priority 30k acquire of it waits (75k + 5k + 30k
                // is past 90 % of 100k) for the rest of the test.
                let holder = try LineClient(path: daemon.socketPath)
                let grant = try holder.request(#"{"op":"acquire","tokens":5000,"worker":"alpha-e2e"}"#)
                #expect(grant["ticket"] != nil, "\(grant.jsonText)")
                let waiter = try LineClient(path: daemon.socketPath)
                try waiter.send(#"{"op":"acquire","tokens":30000,"worker":"alpha-e2e","priority":"high","timeout_ms":600000}"#)

                let top = try await TopPane.start(on: daemon, columns: 100, rows: 30, script: paneScript)
                defer { top.close() }
                let tmux = top.tmux

                // The queue panel's priority mix; alpha (most used) is the selected top row.
                var screen = try await tmux.waitForScreen("the workers and the priority mix") { screen in
                    screen.row(containing: "charlie-e2e") != nil && screen.row(containing: "by prio  high 1 normal 0 low 0") != nil
                }
                #expect(screen.row(containing: "selected alpha-e2e") != nil, "alpha is selected:\n\(screen)")

                // x pauses alpha: the daemon says so, and so does its row; x again resumes it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "x"])
                #expect(try await worker("alpha-e2e", of: daemon) { $0.paused == true }, "`x` did not pause alpha-e2e")
                screen = try await tmux.waitForScreen("alpha's PAUSED mark") { $0.row(containing: "alpha-e2e PAUSED") != nil }
                #expect(screen.row(containing: "bravo-e2e PAUSED") == nil, "only alpha is paused:\n\(screen)")
                #expect(try LineClient(path: daemon.socketPath).status().workers.first { $0.worker == "bravo-e2e" }?.paused == false)

                // Enter opens alpha's pane: its ticket with its age, its high waiter, no cap; Esc closes it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                screen = try await tmux.waitForScreen("alpha's detail pane") { screen in
                    screen.row(containing: "Worker alpha-e2e PAUSED") != nil && screen.row(containing: "Tickets in flight 1") != nil
                }
                #expect(screen.row(containing: "tokens/min 40.0k") != nil, "40k in a 60 s window:\n\(screen)")
                #expect(screen.row(containing: "mean 40.0k/req") != nil, "one report of 40k:\n\(screen)")
                #expect(screen.row(containing: "cap none") != nil, "\(screen)")
                #expect(screen.row(containing: "Waiting 1  passed over (paused)") != nil, "\(screen)")
                let waiterRow = try #require(screen.row(containing: "high    30.0k  waited").map { screen.lines[$0] }, "\(screen)")
                #expect(waiterRow.contains("default"), "\(waiterRow)")
                let ticketRow = try #require(screen.row(containing: "   5.0k  default  ").map { screen.lines[$0] }, "\(screen)")
                #expect(ticketRow.contains("s "), "the ticket's age: \(ticketRow)")
                #expect(screen.row(containing: "History") == nil, "the pane replaces the chart:\n\(screen)")
                try await tmux.run(["send-keys", "-t", Tmux.session, "Escape"])
                screen = try await tmux.waitForScreen("the chart again") { $0.row(containing: "History") != nil }

                // c opens the cap line: bad input is refused with what is accepted; 25% then Enter caps alpha.
                try await tmux.run(["send-keys", "-t", Tmux.session, "c"])
                screen = try await tmux.waitForScreen("the cap line") { $0.row(containing: "cap alpha-e2e:") != nil }
                try await tmux.run(["send-keys", "-t", Tmux.session, "-l", "25"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                screen = try await tmux.waitForScreen("the refusal") { $0.row(containing: "not a cap: type 0.25, 25%") != nil }
                #expect(try LineClient(path: daemon.socketPath).status().workers.first { $0.worker == "alpha-e2e" }?.cap == nil,
                        "nothing was sent for 25")
                try await tmux.run(["send-keys", "-t", Tmux.session, "-l", "%"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                #expect(try await worker("alpha-e2e", of: daemon) { $0.cap == 0.25 }, "`c 25%` did not cap alpha-e2e")
                screen = try await tmux.waitForScreen("alpha's cap mark") { $0.row(containing: "alpha-e2e PAUSED cap 25%") != nil }

                // / filters by name as it is typed; Enter keeps the filter; Esc clears it.
                try await tmux.run(["send-keys", "-t", Tmux.session, "/"])
                try await tmux.run(["send-keys", "-t", Tmux.session, "-l", "brav"])
                screen = try await tmux.waitForScreen("the filter line") { $0.row(containing: "1 of 3 workers") != nil }
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                screen = try await tmux.waitForScreen("the filtered table") { screen in
                    screen.row(containing: "Workers 1 of 3  /brav") != nil && screen.row(containing: "q Quit") != nil
                }
                #expect(screen.row(containing: "● bravo-e2e") != nil, "bravo stays:\n\(screen)")
                #expect(screen.row(containing: "● alpha-e2e") == nil && screen.row(containing: "● charlie-e2e") == nil,
                        "the others are filtered out:\n\(screen)")
                // x acts on the filtered selection, bravo.
                try await tmux.run(["send-keys", "-t", Tmux.session, "x"])
                #expect(try await worker("bravo-e2e", of: daemon) { $0.paused == true }, "`x` did not pause bravo-e2e")
                try await tmux.run(["send-keys", "-t", Tmux.session, "Escape"])
                screen = try await tmux.waitForScreen("the whole table again") { $0.row(containing: "● charlie-e2e") != nil }
                #expect(screen.row(containing: "Workers 3 ") != nil, "\(screen)")

                // At 80x24 the marks, the key bar and the pane still fit.
                try await tmux.run(["resize-window", "-t", Tmux.session, "-x", "80", "-y", "24"])
                screen = try await tmux.waitForScreen("the dashboard at 80x24") { screen in
                    screen.workersBoxWidth == 80 && screen.row(containing: "q Quit") != nil
                        && screen.row(containing: "alpha-e2e PAUSED") != nil
                }
                #expect(screen.lines.allSatisfy { $0.count <= 80 }, "every line fits 80 columns:\n\(screen)")
                try await tmux.run(["send-keys", "-t", Tmux.session, "Enter"])
                screen = try await tmux.waitForScreen("the pane at 80x24") { $0.row(containing: "Tickets in flight 1") != nil }
                #expect(screen.row(containing: "cap 25% = 25.0k") != nil, "\(screen)")
                try await tmux.run(["send-keys", "-t", Tmux.session, "q"])
                _ = (holder, waiter)
            }
        }

        /// Polls `tokengate status --json` until `condition` holds for worker `name` (30 s at most).
        private func worker(
            _ name: String, of daemon: DaemonProcess, _ condition: @escaping (WorkerStatus) -> Bool
        ) async throws -> Bool {
            try await eventually(timeout: .seconds(30)) {
                let run = try await CommandRun.tokengate(["status", "--json", "--socket", daemon.socketPath])
                guard run.status == 0 else { return false }
                if let worker = try Status.decode(json: Array(run.stdout.utf8)).workers.first(where: { $0.worker == name }),
                   condition(worker) { return true }
                try await Task.sleep(for: .milliseconds(50))
                return false
            }
        }

        /// Polls `tokengate status --json` until `condition` holds for the pools' states (30 s at most).
        private func poolStates(
            _ daemon: DaemonProcess, _ condition: @escaping ([String: GateState]) -> Bool
        ) async throws -> Bool {
            try await eventually(timeout: .seconds(30)) {
                let run = try await CommandRun.tokengate(["status", "--json", "--socket", daemon.socketPath])
                guard run.status == 0 else { return false }
                let pools = try Status.decode(json: Array(run.stdout.utf8)).pools ?? []
                if condition(Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0.state) })) { return true }
                try await Task.sleep(for: .milliseconds(50))
                return false
            }
        }

        /// What runs in the pane: `tokengate top` in a UTF-8 locale; after it, its exit status (to a
        /// file and the screen), `stty -a` (to a file), then a prompt that reads one line.
        private func paneScript(binary: String, socket: String, exitFile: String, sttyFile: String) -> String {
            """
            LC_ALL=C.UTF-8
            export LC_ALL
            \(shellQuoted(binary)) top --socket \(shellQuoted(socket))
            code=$?
            stty -a > \(shellQuoted(sttyFile + ".tmp")) 2>&1
            mv \(shellQuoted(sttyFile + ".tmp")) \(shellQuoted(sttyFile))
            echo "EXIT=$code" > \(shellQuoted(exitFile + ".tmp"))
            mv \(shellQuoted(exitFile + ".tmp")) \(shellQuoted(exitFile))
            echo "EXIT=$code"
            printf 'type> '
            read line
            echo "GOT $line"
            exec sleep 600

            """
        }

        private func shellQuoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }

        /// Polls `tokengate status --json` until `condition` holds for the state (30 s at most).
        private func daemonState(_ daemon: DaemonProcess, _ condition: @escaping (GateState) -> Bool) async throws -> Bool {
            try await eventually(timeout: .seconds(30)) {
                let run = try await CommandRun.tokengate(["status", "--json", "--socket", daemon.socketPath])
                guard run.status == 0 else { return false }
                if condition(try Status.decode(json: Array(run.stdout.utf8)).state) { return true }
                try await Task.sleep(for: .milliseconds(50))
                return false
            }
        }
    }
}

/// `tokengate top` on a daemon in a tmux server of its own (``Tmux``) under a temporary directory.
struct TopPane {
    let tmux: Tmux
    let directory: TemporaryDirectory

    /// Writes the pane's script (`script(binary, socket, exitFile, sttyFile)`) and opens a
    /// `columns` x `rows` session running it; cleans up when that fails.
    static func start(
        on daemon: DaemonProcess, columns: Int, rows: Int,
        script: (_ binary: String, _ socket: String, _ exitFile: String, _ sttyFile: String) -> String
    ) async throws -> TopPane {
        let directory = try TemporaryDirectory(prefix: "tg-tmux")
        let tmux: Tmux
        do { tmux = try Tmux(directory: directory) } catch {
            directory.remove()
            throw error
        }
        let pane = TopPane(tmux: tmux, directory: directory)
        do {
            let path = directory.file("pane.sh")
            try script(try TokenGateBinary.require(), daemon.socketPath, directory.file("exit"), directory.file("stty"))
                .write(toFile: path, atomically: true, encoding: .utf8)
            try await tmux.newSession(columns: columns, rows: rows, command: "sh " + path)
        } catch {
            pane.close()
            throw error
        }
        return pane
    }

    /// Kills the tmux server, then removes its directory.
    func close() {
        tmux.killServer()
        directory.remove()
    }
}

/// A private tmux server holding one session.
///
/// tmux commands run as ``ChildProcess``es (through ``CommandRun``): the first one forks the server,
/// which keeps whatever descriptors and signal mask it inherits, so it must inherit nothing.
final class Tmux: @unchecked Sendable {
    static let session = "e2e"

    /// The tmux executable on `PATH` (or in the usual places), `nil` when there is none.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init)
            + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { $0 + "/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let executable: String
    /// The server's `-L` name, unique to this run.
    let name: String
    /// Where the server puts its socket (`TMUX_TMPDIR`), so nothing lands in the user's tmux directory.
    let directory: String
    private let lock = NSLock()
    /// The server's and the pane's process ids, once the session exists.
    private var serverPid: pid_t?
    private var panePid: pid_t?

    init(directory: TemporaryDirectory) throws {
        guard let executable = Tmux.executable else { throw TestFailure("tmux is not installed") }
        self.executable = executable
        name = "tg-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.directory = directory.path
    }

    /// Added to the environment of every tmux command: a UTF-8 locale, our socket directory, and no
    /// `TMUX` (the test may itself run inside tmux).
    private var environment: [String: String] {
        ["TMUX_TMPDIR": directory, "TMUX": "", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"]
    }

    private var baseArguments: [String] { ["-L", name, "-f", "/dev/null", "-u"] }

    /// Runs one tmux command on the private server and returns its standard output; a failure or
    /// a command still running after 30 s throws.
    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        let run = try await CommandRun.run(executable, baseArguments + arguments, environment: environment, timeout: 30)
        guard run.status == 0 else { throw TestFailure("tmux failed: \(run)") }
        return run.stdout
    }

    /// Creates the detached session running `command` and notes the server's and pane's pids.
    func newSession(columns: Int, rows: Int, command: String) async throws {
        try await run(["new-session", "-d", "-s", Tmux.session, "-x", "\(columns)", "-y", "\(rows)", command])
        let pids = try await run(["display-message", "-p", "-t", Tmux.session, "#{pid} #{pane_pid}"])
            .split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        lock.withLock {
            serverPid = pids.first
            panePid = pids.count > 1 ? pids[1] : nil
        }
    }

    /// The pane's visible text, one string per row (tmux drops trailing spaces).
    func capture() async throws -> Screen {
        Screen(text: try await run(["capture-pane", "-p", "-t", Tmux.session]))
    }

    /// Captures the pane until `condition` holds (60 s at most: the machine may be loaded), and
    /// returns that screen; fails with `what` and the last screen otherwise.
    func waitForScreen(_ what: String, _ condition: (Screen) -> Bool) async throws -> Screen {
        var last = Screen(text: "")
        let held = try await eventually(timeout: .seconds(60)) {
            last = try await capture()
            if condition(last) { return true }
            try await Task.sleep(for: .milliseconds(100))
            return false
        }
        guard held else { throw TestFailure("never saw \(what); the pane showed:\n\(last)") }
        return last
    }

    /// Stops the server and everything in its pane: `kill-server`, then SIGKILL for the pane's
    /// process group and the server if they are still there after 10 s. Blocks; safe to call when
    /// the server never started.
    func killServer() {
        var merged = HermeticEnvironment.variables
        for (key, value) in environment { merged[key] = value.isEmpty ? nil : value }
        if let child = try? ChildProcess(
            [executable] + baseArguments + ["kill-server"], environment: merged, stdout: "/dev/null",
            stderr: "/dev/null")
        {
            if child.waitBlocking(seconds: 10) == nil { child.terminate(grace: 1) }
        }
        let (server, pane) = lock.withLock { (serverPid, panePid) }
        let deadline = Date().addingTimeInterval(10)
        while let server, kill(server, 0) == 0, Date() < deadline { usleep(20_000) }
        if let pane, kill(pane, 0) == 0 { kill(-pane, SIGKILL) }
        if let server, kill(server, 0) == 0 { kill(server, SIGKILL) }
    }
}

/// One capture of the pane.
struct Screen: Sendable, CustomStringConvertible {
    let lines: [String]

    init(text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
    }

    var description: String {
        lines.enumerated().map { String(format: "%2d|", $0.offset) + $0.element }.joined(separator: "\n")
    }

    /// The index of the first row containing `text`.
    func row(containing text: String) -> Int? {
        lines.firstIndex { $0.contains(text) }
    }

    /// The tokens budget's gauge: the row that starts with its name and has a bar.
    var gaugeLine: String? {
        lines.first { $0.hasPrefix(" tokens ") && Screen.bar(in: $0) != nil }
    }

    /// The width of the workers box, from its top border (`┌ Workers ... ┐`).
    var workersBoxWidth: Int? {
        lines.first { $0.hasPrefix("┌ Workers") && $0.hasSuffix("┐") }?.count
    }

    /// The gauge's bar: the longest run of bar glyphs in `line`, at least 10 cells.
    static func bar(in line: String) -> [Character]? {
        let glyphs: Set<Character> = ["█", "▉", "▊", "▋", "▌", "▍", "▎", "▏", "▒", "▓", "░", "┃"]
        var best: [Character] = []
        var current: [Character] = []
        for character in line {
            if glyphs.contains(character) {
                current.append(character)
                if current.count > best.count { best = current }
            } else {
                current = []
            }
        }
        return best.count >= 10 ? best : nil
    }
}
