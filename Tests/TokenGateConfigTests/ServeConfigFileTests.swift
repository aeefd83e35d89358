import Logging
import Testing
import TokenGateConfig
import TokenGateCore

/// `tokengate serve --config`: what a TOML file sets, and every way it is refused.
@Suite("Config file: parsing")
struct ServeConfigFileTests {
    private func parse(_ text: String, path: String = "/etc/tokengate/serve.toml") throws(ConfigFileError) -> ServeConfigFile {
        try ServeConfigFile(parsing: text, path: path)
    }

    /// The error `text` is refused with.
    private func refusal(_ text: String) -> ConfigFileError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("every serve flag has a key, read with its type")
    func everyKey() throws {
        let file = try parse(
            """
            # tokengate serve
            socket = "/run/user/1000/tg.sock"
            limit = 400000
            window = 30
            threshold = 0.85
            input-limit = 300000
            output-limit = 80000
            requests-limit = 1000
            count-cache-read = true
            lease = 120.5
            allow-group = "llm"
            state = "/var/lib/tokengate/usage.sqlite"
            no-state = false
            retain = 14
            log-level = "debug"
            metrics = "0.0.0.0:9464"
            send-margin = 0.25
            algorithm = "token-bucket"
            reserve-high = 0.2
            """
        )
        #expect(file.socket == "/run/user/1000/tg.sock")
        #expect(file.limit == .tokens(400_000))
        #expect(file.window == 30)
        #expect(file.threshold == 0.85)
        #expect(file.inputLimit == 300_000)
        #expect(file.outputLimit == 80_000)
        #expect(file.requestsLimit == 1000)
        #expect(file.countCacheRead == true)
        #expect(file.lease == 120.5)
        #expect(file.allowGroup == "llm")
        #expect(file.state == "/var/lib/tokengate/usage.sqlite")
        #expect(file.noState == false)
        #expect(file.retain == 14)
        #expect(file.logLevel == .debug)
        #expect(file.metrics == MetricsEndpoint(host: "0.0.0.0", port: 9464))
        #expect(file.sendMargin == 0.25)
        #expect(file.algorithm == .tokenBucket)
        #expect(file.reserveHigh == 0.2)
        #expect(Set(ServeConfigKey.allCases.map(\.rawValue)).count == 28)
    }

    @Test("reserve-high is a fraction from 0 up to but not including 1", arguments: ["1", "-0.1", "1.5", "\"x\""])
    func reserveHigh(value: String) {
        #expect(refusal("reserve-high = \(value)") != nil)
    }

    @Test("the gateway's keys, and a kind that is not one")
    func gatewayKeys() throws {
        let file = try parse(
            """
            gateway = ":8787"
            upstream = "https://proxy.example:8443/anthropic"
            upstream-kind = "openai"
            gateway-max-wait = 30
            upstream-timeout = 120
            upstream-ca = "ca.pem"
            """
        )
        #expect(file.gateway == ":8787")
        #expect(file.upstream == "https://proxy.example:8443/anthropic")
        #expect(file.upstreamKind == "openai")
        #expect(file.gatewayMaxWait == 30)
        #expect(file.upstreamTimeout == 120)
        #expect(file.upstreamCA == "/etc/tokengate/ca.pem")
        let error = try #require(refusal("upstream-kind = \"gemini\""))
        #expect(error.key == "upstream-kind")
        #expect(error.description.contains("anthropic, openai"))
    }

    @Test("the keys of several hosts: redis, org, host-name")
    func clusterKeys() throws {
        let file = try parse(
            """
            redis = "redis://10.0.0.5:6379/2"
            org = "acme"
            host-name = "build-1"
            """
        )
        #expect(file.redis == "redis://10.0.0.5:6379/2")
        #expect(file.org == "acme")
        #expect(file.hostName == "build-1")
        #expect(refusal("redis = 6379") != nil)
        #expect(refusal("org = \"\"") != nil)
    }

    @Test("an empty file sets nothing")
    func emptyFile() throws {
        #expect(try parse("") == ServeConfigFile())
        #expect(try parse("# only a comment\n\n") == ServeConfigFile())
    }

    @Test("limit = \"auto\", a bare metrics port, and fractional windows")
    func alternativeForms() throws {
        let file = try parse("limit = \"auto\"\nmetrics = 9464\nwindow = 2.5\n")
        #expect(file.limit == .auto)
        #expect(file.metrics == MetricsEndpoint(host: "127.0.0.1", port: 9464))
        #expect(file.window == 2.5)
        #expect(try parse("metrics = \":9100\"").metrics == MetricsEndpoint(host: "127.0.0.1", port: 9100))
        #expect(try parse("metrics = \"[::1]:9100\"").metrics == MetricsEndpoint(host: "::1", port: 9100))
    }

    @Test("relative socket and state paths are taken from the file's directory")
    func relativePaths() throws {
        let file = try parse("socket = \"run/tg.sock\"\nstate = \"usage.sqlite\"", path: "/srv/tg/serve.toml")
        #expect(file.socket == "/srv/tg/run/tg.sock")
        #expect(file.state == "/srv/tg/usage.sqlite")
    }

    @Test("an unknown key names the key and its line")
    func unknownKey() throws {
        let error = try #require(refusal("limit = 5\n\n# a comment\nwindw = 3\n"))
        #expect(error.line == 4)
        #expect(error.key == "windw")
        #expect(error.kind == .unknownKey(suggestion: nil))
        #expect(error.description.contains("line 4"))
        #expect(error.description.contains("unknown key 'windw'"))
        #expect(error.description.contains("/etc/tokengate/serve.toml"))
    }

    @Test("a snake_case key suggests the flag's name")
    func snakeCaseSuggestion() throws {
        let error = try #require(refusal("window = 3\ninput_limit = 3\n"))
        #expect(error.line == 2)
        #expect(error.kind == .unknownKey(suggestion: "input-limit"))
        #expect(error.description.contains("did you mean 'input-limit'?"))
    }

    @Test("unknown tables, quoted keys and dotted keys are found on their lines")
    func unknownKeyForms() throws {
        #expect(refusal("limit = 5\n[serve]\nwindow = 3\n")?.line == 2)
        #expect(refusal("limit = 5\n\"quoted key\" = 3\n")?.line == 2)
        #expect(refusal("limit = 5\nwindow = 3\nfoo.bar = 3\n")?.line == 3)
        #expect(refusal("limit = 5\n[[servers]]\nname = \"a\"\n")?.line == 2)
    }

    @Test("the first problem in file order is reported")
    func firstInFileOrder() throws {
        let error = try #require(refusal("zeta = 1\nalpha = 2\n"))
        #expect(error.key == "zeta")
        #expect(error.line == 1)
    }

    @Test("a value of the wrong type is refused with its key, line and both types", arguments: [
        ("window = \"two\"", "window", "a number", "a string"),
        ("threshold = true", "threshold", "a number", "a boolean"),
        ("limit = 1.5", "limit", "an integer or \"auto\"", "a floating-point number"),
        ("input-limit = \"80000\"", "input-limit", "an integer", "a string"),
        ("output-limit = 8.5", "output-limit", "an integer", "a floating-point number"),
        ("requests-limit = [1]", "requests-limit", "an integer", "an array"),
        ("count-cache-read = \"yes\"", "count-cache-read", "true or false", "a string"),
        ("no-state = 1", "no-state", "true or false", "an integer"),
        ("socket = 5", "socket", "a string", "an integer"),
        ("state = false", "state", "a string", "a boolean"),
        ("allow-group = 10", "allow-group", "a string", "an integer"),
        ("lease = \"1m\"", "lease", "a number", "a string"),
        ("retain = 1979-05-27", "retain", "a number", "a date"),
        ("log-level = 3", "log-level", "a string", "an integer"),
        ("metrics = 1.5", "metrics", "\"HOST:PORT\" or a port number", "a floating-point number"),
        ("[metrics]\nport = 9", "metrics", "\"HOST:PORT\" or a port number", "a table"),
    ])
    func wrongType(line: String, key: String, expected: String, found: String) throws {
        let error = try #require(refusal("# first\n" + line))
        #expect(error.key == key)
        #expect(error.line == 2)
        #expect(error.kind == .wrongType(expected: expected, found: found))
        #expect(error.description.contains("'\(key)' must be \(expected), not \(found)"))
    }

    @Test("a value out of range or not understood is refused with its key and line", arguments: [
        ("window = 0", "window"),
        ("window = -2", "window"),
        ("window = inf", "window"),
        ("threshold = 0", "threshold"),
        ("threshold = 1.5", "threshold"),
        ("limit = 0", "limit"),
        ("limit = \"lots\"", "limit"),
        ("input-limit = -1", "input-limit"),
        ("requests-limit = 9007199254740992", "requests-limit"),
        ("lease = 0", "lease"),
        ("retain = -1", "retain"),
        ("log-level = \"loud\"", "log-level"),
        ("metrics = \"localhost:99999\"", "metrics"),
        ("metrics = \"::1:9000\"", "metrics"),
        ("metrics = 70000", "metrics"),
        ("socket = \"\"", "socket"),
        ("allow-group = \"\"", "allow-group"),
    ])
    func invalidValue(line: String, key: String) throws {
        let error = try #require(refusal("# first\n" + line))
        #expect(error.key == key)
        #expect(error.line == 2, "\(error)")
        guard case .invalidValue = error.kind else {
            Issue.record("expected invalidValue, got \(error.kind)")
            return
        }
    }

    @Test("state and no-state = true exclude each other")
    func stateConflict() throws {
        let error = try #require(refusal("state = \"/tmp/u.sqlite\"\nwindow = 3\nno-state = true\n"))
        #expect(error.kind == .conflict(otherKey: "state"))
        #expect(error.line == 3)
        #expect(try parse("state = \"/tmp/u.sqlite\"\nno-state = false\n").state == "/tmp/u.sqlite")
    }

    @Test("TOML syntax errors give the line and column")
    func syntaxError() throws {
        let error = try #require(refusal("limit = 5\nwindow = \n"))
        #expect(error.line == 2)
        guard case .syntax(_, let column) = error.kind else {
            Issue.record("expected a syntax error, got \(error.kind)")
            return
        }
        #expect(column > 0)
        #expect(error.description.contains("not valid TOML"))
        #expect(refusal("limit = 5\nlimit = 6\n")?.line == 2, "a duplicate key is a TOML error")
    }

    @Test("a missing file is refused with the path")
    func missingFile() throws {
        do {
            _ = try ServeConfigFile.load(path: "/nonexistent/tokengate.toml")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.path == "/nonexistent/tokengate.toml")
            #expect(error.description.contains("cannot read"))
            guard case .unreadable = error.kind else {
                Issue.record("expected unreadable, got \(error.kind)")
                return
            }
        }
    }
}

@Suite("Config file: metrics addresses")
struct MetricsEndpointTests {
    @Test("PORT, :PORT, HOST:PORT and [IPv6]:PORT")
    func forms() throws {
        #expect(try MetricsEndpoint(parsing: "9464") == MetricsEndpoint(host: "127.0.0.1", port: 9464))
        #expect(try MetricsEndpoint(parsing: ":9464") == MetricsEndpoint(host: "127.0.0.1", port: 9464))
        #expect(try MetricsEndpoint(parsing: "0.0.0.0:80") == MetricsEndpoint(host: "0.0.0.0", port: 80))
        #expect(try MetricsEndpoint(parsing: "metrics.local:0") == MetricsEndpoint(host: "metrics.local", port: 0))
        #expect(try MetricsEndpoint(parsing: "[::]:9464") == MetricsEndpoint(host: "::", port: 9464))
        #expect(MetricsEndpoint(host: "::1", port: 9).description == "[::1]:9")
    }

    @Test("bad addresses say why", arguments: ["", "abc", "-1", "65536", ":", "host:", "::1:9464", "[::1", "[::1]9464", "a b:9"])
    func refused(text: String) {
        #expect(throws: MetricsEndpointError.self) { try MetricsEndpoint(parsing: text) }
    }
}
