import ArgumentParser
import Foundation
import TokenGateRedis
import TokenGateServer

/// `serve --redis URL [--org NAME] [--host-name NAME]`, from the command line or the config file.
struct ClusterSettings {
    var redis: String?
    var org: String?
    var hostName: String?

    static let defaultOrganisation = "default"

    /// The checked settings; throws a one-line reason saying what to give instead.
    func configuration() throws -> ClusterConfiguration {
        guard let redis else {
            let given = org != nil ? "--org" : "--host-name"
            throw ValidationError("\(given) needs --redis URL (\(RedisEndpoint.acceptedForms)), the Redis the hosts share")
        }
        let endpoint: RedisEndpoint
        do {
            endpoint = try RedisEndpoint(url: redis)
        } catch {
            throw ValidationError("--redis: \(error.description)")
        }
        let organisation = org ?? Self.defaultOrganisation
        guard SharedAdmission.isValidName(organisation) else {
            throw ValidationError("--org '\(organisation)' cannot name an organisation: use 1 to 200 bytes without '|', ':' or spaces")
        }
        let host = hostName ?? Self.machineHostName()
        guard SharedAdmission.isValidName(host) else {
            let origin = hostName == nil ? "the machine's host name" : "--host-name"
            throw ValidationError("\(origin) '\(host)' cannot name a host in Redis: give --host-name with 1 to 200 bytes without '|', ':' or spaces")
        }
        return ClusterConfiguration(endpoint: endpoint, organisation: organisation, hostName: host)
    }

    /// The machine's host name without its domain.
    static func machineHostName() -> String {
        let name = ProcessInfo.processInfo.hostName
        return name.split(separator: ".").first.map(String.init) ?? name
    }
}
