import Testing
import VigilJSON
import VigilPagers

@Suite("ntfy publications")
struct NtfyPublicationTests {
    @Test func publishesJSONToTheRootURLWithEveryField() throws {
        // setup
        let publication = NtfyPublication(
            topic: try NtfyTopic("vigil-ava_oncall"),
            title: "[sev1] INC-42 opened",
            message: "Card testing spike\nOwner: ava",
            click: "https://vigil.example.com/incidents/INC-42",
            actionLabel: "Open INC-42"
        )

        // MUT
        let request = try publication.request(baseURL: "https://ntfy.example.com/", accessToken: "tk_abc123")

        // validate
        #expect(request.method == "POST")
        #expect(request.url == "https://ntfy.example.com/")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("Authorization") == "Bearer tk_abc123")
        let json = try JSONValue.parse(request.body)
        #expect(json["topic"]?.stringValue == "vigil-ava_oncall")
        #expect(json["title"]?.stringValue == "[sev1] INC-42 opened")
        #expect(json["message"]?.stringValue == "Card testing spike\nOwner: ava")
        #expect(json["priority"]?.intValue == 5)
        #expect(json["tags"]?.arrayValue == ["rotating_light"])
        #expect(json["click"]?.stringValue == "https://vigil.example.com/incidents/INC-42")
        let action = try #require(json["actions"]?.arrayValue?.first)
        #expect(action["action"]?.stringValue == "view")
        #expect(action["label"]?.stringValue == "Open INC-42")
        #expect(action["url"]?.stringValue == "https://vigil.example.com/incidents/INC-42")
    }

    @Test func withoutTokenOrLinkThoseAreLeftOut() throws {
        let publication = NtfyPublication(topic: try NtfyTopic("t"), title: "t", message: "m", actionLabel: "ignored")
        let request = try publication.request(baseURL: "http://127.0.0.1:8080/ntfy")
        #expect(request.url == "http://127.0.0.1:8080/ntfy/")
        #expect(request.header("Authorization") == nil)
        let json = try JSONValue.parse(request.body)
        #expect(json["click"] == nil)
        #expect(json["actions"] == nil)
    }

    @Test(arguments: ["a", "INC_42-page", String(repeating: "x", count: 64)])
    func validTopics(name: String) throws {
        #expect(try NtfyTopic(name).name == name)
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "has space", "slash/topic", "ümlaut", "dot.topic", "new\nline", "q?x=1"])
    func invalidTopicsGiveAClearError(name: String) {
        #expect {
            try NtfyTopic(name)
        } throws: { error in
            guard case .invalidTopic(let text) = error as? NtfyError else { return false }
            return text.hasPrefix("ntfy topic") && !text.contains("\n")
        }
    }

    @Test func userTextCannotReachAHeaderOrBreakTheTitle() throws {
        // setup: a title and tag trying to inject a header, and a label with the header form's separators
        let publication = NtfyPublication(
            topic: try NtfyTopic("t"),
            title: "Spike\r\nX-Injected: yes",
            message: "line 1\r\nline 2",
            tags: ["warn,ing\r\nX-Evil: 1", ""],
            click: "https://vigil.example.com/i/INC-1\r\nX-Other: 2",
            actionLabel: "Open; \"quoted\", clear=true"
        )

        // MUT
        let request = try publication.request(baseURL: "https://ntfy.example.com")

        // validate: only our two fixed headers exist, and no value holds a line break
        #expect(request.headers.map(\.name) == ["Content-Type"])
        let json = try JSONValue.parse(request.body)
        #expect(json["title"]?.stringValue == "Spike  X-Injected: yes")
        #expect(json["tags"]?.arrayValue == ["warning  X-Evil: 1"])
        #expect(json["click"]?.stringValue?.contains("\n") == false)
        #expect(json["actions"]?.arrayValue?.first?["label"]?.stringValue == "Open; \"quoted\", clear=true")
        #expect(json["message"]?.stringValue == "line 1\r\nline 2")
    }

    @Test func nonASCIITitleAndTagsTravelAsPlainUTF8() throws {
        let publication = NtfyPublication(topic: try NtfyTopic("t"), title: "Äpfel 🚨 Zürich", message: "né", tags: ["🇩🇪"])
        let json = try JSONValue.parse(try publication.request(baseURL: "https://n.example").body)
        #expect(json["title"]?.stringValue == "Äpfel 🚨 Zürich")
        #expect(json["tags"]?.arrayValue == ["🇩🇪"])
    }

    @Test func priorityIsClampedAndLongMessagesAreCut() throws {
        let long = String(repeating: "é", count: 3000)  // 6,000 bytes
        let publication = NtfyPublication(topic: try NtfyTopic("t"), title: "t", message: long, priority: 9)
        let json = try JSONValue.parse(try publication.request(baseURL: "https://n.example").body)
        #expect(json["priority"]?.intValue == 5)
        let message = try #require(json["message"]?.stringValue)
        #expect(message.utf8.count <= NtfyPublication.maxMessageBytes)
        #expect(message.hasSuffix("…"))
        #expect(NtfyPublication(topic: try NtfyTopic("t"), title: "t", message: "m", priority: -3).priority == 1)
    }

    @Test(arguments: ["ntfy.example.com", "ftp://ntfy.example.com", "https://ntfy.example.com/?x=1", "https://ntfy example.com"])
    func badBaseURLsAreRefused(url: String) throws {
        let publication = NtfyPublication(topic: try NtfyTopic("t"), title: "t", message: "m")
        #expect {
            try publication.request(baseURL: url)
        } throws: { error in
            guard case .invalidBaseURL = error as? NtfyError else { return false }
            return true
        }
    }

    @Test(arguments: ["", "tk_abc\r\nX-Evil: 1", "tk abc", "tökën"])
    func badTokensAreRefused(token: String) throws {
        let publication = NtfyPublication(topic: try NtfyTopic("t"), title: "t", message: "m")
        #expect(throws: NtfyError.invalidAccessToken) { try publication.request(baseURL: "https://n.example", accessToken: token) }
    }
}
