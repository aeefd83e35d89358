import AsyncHTTPClient

/// Requests the agent side of a test sends.
enum HTTPClientRequestBuilder {
    static func get(_ url: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        return request
    }
}
