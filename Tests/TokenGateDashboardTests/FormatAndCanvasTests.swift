import Testing
import TokenGateDashboard

@Suite struct FormatTests {
    @Test func tokens() {
        #expect(Format.tokens(0) == "0")
        #expect(Format.tokens(999) == "999")
        #expect(Format.tokens(1_000) == "1.0k")
        #expect(Format.tokens(84_049) == "84.0k")
        #expect(Format.tokens(999_949) == "999.9k")
        #expect(Format.tokens(999_950) == "1.00M")
        #expect(Format.tokens(1_805_000) == "1.81M")
        #expect(Format.tokens(2_000_000_000) == "2.00G")
        #expect(Format.tokens(-1_500) == "-1.5k")
    }

    @Test func durations() {
        #expect(Format.age(milliseconds: 400) == "now")
        #expect(Format.age(milliseconds: 12_300) == "12s")
        #expect(Format.duration(seconds: 245) == "4m05s")
        #expect(Format.duration(seconds: 7_380) == "2h03m")
        #expect(Format.duration(seconds: 273_600) == "3d04h")
        #expect(Format.countdown(milliseconds: 9_410) == "9.5s")
        #expect(Format.countdown(milliseconds: 12_001) == "13s")
        #expect(Format.countdown(milliseconds: -5) == "0.0s")
        #expect(Format.window(milliseconds: 60_000) == "60s")
        #expect(Format.window(milliseconds: 2_500) == "2.5s")
        #expect(Format.window(milliseconds: 300_000) == "5m")
    }

    @Test func percentages() {
        #expect(Format.percent(0.9) == "90%")
        #expect(Format.share(0.0423) == "4.2%")
        #expect(Format.share(0.27) == "27%")
        #expect(Format.grouped(1_800_000) == "1,800,000")
    }
}

@Suite struct CanvasTests {
    @Test func writesClipAtTheEdges() {
        var canvas = Canvas(size: TerminalSize(width: 5, height: 2))
        canvas.write("abcdefgh", x: 2, y: 0, style: .plain)
        canvas.write("xyz", x: -1, y: 1, style: .plain)
        canvas.write("never", x: 0, y: 5, style: .plain)
        #expect(canvas.text == "  abc\nyz")
    }

    @Test func textIsSanitisedToOneColumnPerCell() {
        var canvas = Canvas(size: TerminalSize(width: 8, height: 1))
        canvas.write("a\tb漢e\u{301}█", x: 0, y: 0, style: .plain)
        #expect(canvas.text == "a?b?e█")
    }

    @Test func alignmentInARectangle() {
        var canvas = Canvas(size: TerminalSize(width: 10, height: 3))
        canvas.write("left", in: canvas.bounds, row: 0, align: .left, style: .plain)
        canvas.write("mid", in: canvas.bounds, row: 1, align: .center, style: .plain)
        canvas.write("right", in: canvas.bounds, row: 2, align: .right, style: .plain)
        #expect(canvas.text == "left\n   mid\n     right")
    }

    @Test func truncation() {
        #expect(Glyphs.unicode.truncate("crawler-0001", to: 8) == "crawler…")
        #expect(Glyphs.ascii.truncate("crawler-0001", to: 8) == "crawler~")
        #expect(Glyphs.unicode.truncate("short", to: 8) == "short")
        #expect(Glyphs.unicode.truncateMiddle("/run/user/1000/tokengate.sock", to: 15) == "/run/us…te.sock")
    }

    @Test func asciiOnlyReplacesEverythingElse() {
        var canvas = Canvas(size: TerminalSize(width: 6, height: 1))
        canvas.write("a→b·…●", x: 0, y: 0, style: .plain)
        canvas.asciiOnly()
        #expect(canvas.text == "a>b-~?")
    }

    @Test func styleMapMarksRolesAndEmphasis() {
        var canvas = Canvas(size: TerminalSize(width: 4, height: 1))
        canvas.write("a", x: 0, y: 0, style: CellStyle(.good))
        canvas.write("b", x: 1, y: 0, style: CellStyle(.bad, reverse: true))
        canvas.write("c", x: 2, y: 0, style: CellStyle(bold: true))
        #expect(canvas.styleMap == "gB#.")
    }
}
