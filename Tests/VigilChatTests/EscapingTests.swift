import Testing
import VigilChat
import VigilCore
import VigilJSON

/// Finding 5 of the security review: a title or note holding `@channel`, `@all`, a Markdown
/// link or an image reached Mattermost channels verbatim. Every sequence the issue lists, on both
/// platforms, in a title as the core announces it.
@Suite("Finding 5: escaping per platform")
struct EscapingTests {
    /// An `opened` announcement whose title is `title`.
    func announcement(_ title: String) -> Message {
        Message(lines: [[.bold("INC-7"), .text(" opened · SEV1 · fraud — \(title) · reporter "), .mention(UserRef(id: "U0AVA", name: "ava"))]])
    }

    func mattermost(_ title: String) -> String {
        MattermostRenderer().webhookBody(announcement(title))["text"]?.stringValue ?? ""
    }

    func slackBlock(_ title: String) -> String {
        SlackRenderer().webhookBody(announcement(title))["blocks"]?.arrayValue?.first?["text"]?["text"]?.stringValue ?? ""
    }

    func slackText(_ title: String) -> String {
        SlackRenderer().webhookBody(announcement(title))["text"]?.stringValue ?? ""
    }

    // MARK: - Mattermost

    @Test("Mattermost: each sequence renders literally", arguments: [
        ("@channel", "@\u{200D}channel"),
        ("@all", "@\u{200D}all"),
        ("@here", "@\u{200D}here"),
        ("@everyone", "@\u{200D}everyone"),
        ("@Channel.", "@\u{200D}Channel."),
        ("ping @security-team", "ping @\u{200D}security-team"),
        ("[click here](https://evil.example)", #"\[click here\](https://evil.example)"#),
        ("![img](https://evil.example/p.png)", #"!\[img\](https://evil.example/p.png)"#),
        ("*bold* **strong**", #"\*bold\* \*\*strong\*\*"#),
        ("_italic_ __under__", #"\_italic\_ \_\_under\_\_"#),
        ("`code`", #"\`code\`"#),
        ("~~struck~~ ~town-square", #"\~\~struck\~\~ \~town-square"#),
        ("a | b | c", #"a \| b \| c"#),
        ("<!channel> <https://evil.example>", "&lt;!channel&gt; &lt;https://evil.example&gt;"),
        ("&#64;channel &amp;", "&amp;#64;channel &amp;amp;"),
        (#"C:\temp\* and \\"#, #"C:\temp\\\* and \\\\"#),
    ])
    func mattermostInline(title: String, escaped: String) {
        #expect(mattermost(title) == "**INC-7** opened · SEV1 · fraud — \(escaped) · reporter @ava")
    }

    @Test("Mattermost: block syntax at the start of a line stays text", arguments: [
        ("# Heading", "\\# Heading"),
        ("> quoted", "&gt; quoted"),
        ("- item", #"\- item"#),
        ("+ item", #"\+ item"#),
        ("1. first", #"1\. first"#),
        ("12) twelfth", #"12\) twelfth"#),
        ("  ### deep", "  \\### deep"),
        ("--- rule", #"\--- rule"#),
        ("2026-11-21 report", "2026-11-21 report"),
    ])
    func mattermostLineStart(text: String, escaped: String) {
        let body = MattermostRenderer().webhookBody(Message(lines: [[.bold("INC-7")], [.text(text)]]))
        #expect(body["text"]?.stringValue == "**INC-7**\n\(escaped)")
    }

    @Test("Mattermost: the same characters mid-line are left alone where harmless")
    func mattermostMidLine() {
        #expect(mattermost("Refunds - 3 cards # 2. done + more") == "**INC-7** opened · SEV1 · fraud — Refunds - 3 cards # 2. done + more · reporter @ava")
    }

    @Test("Mattermost: a code span holds backticks without ending early")
    func mattermostCode() {
        let body = MattermostRenderer().webhookBody(Message(lines: [[.code("/incident step 7 done note=`x`")], [.code("`a`")]]))
        #expect(body["text"]?.stringValue == "`` /incident step 7 done note=`x` ``\n`` `a` ``")
    }

    @Test("Mattermost: a mention span of a channel-wide word or odd name notifies no one", arguments: [
        ("channel", "@\u{200D}channel"), ("all", "@\u{200D}all"), ("here", "@\u{200D}here"), ("everyone", "@\u{200D}everyone"),
        ("ava", "@ava"), ("dee.o-k_1", "@dee.o-k_1"), ("[x](y)", #"@\#u{200D}\[x\](y)"#),
    ])
    func mattermostMentionSpans(name: String, rendered: String) {
        let body = MattermostRenderer().webhookBody(Message(lines: [[.text("to "), .mention(UserRef(id: name, name: name))]]))
        #expect(body["text"]?.stringValue == "to \(rendered)")
    }

    @Test("Mattermost: bold text is escaped inside")
    func mattermostBold() {
        let body = MattermostRenderer().webhookBody(Message(lines: [[.bold("Playbook *[x](y)* @all")]]))
        #expect(body["text"]?.stringValue == #"**Playbook \*\[x\](y)\* @\#u{200D}all**"#)
    }

    // MARK: - Slack

    /// Slack links and notifies only through `<…>` (`<!channel>`, `<@U123>`, `<url|text>`), and
    /// only `&`, `<` and `>` are its control characters; a plain `@channel` notifies no one in
    /// messages Vigil sends, which never set `link_names`.
    @Test("Slack: each sequence is escaped or inert", arguments: [
        ("@channel", "@channel"),
        ("@all @here @everyone", "@all @here @everyone"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> <!everyone> <!subteam^S01|@security>", "&lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S01|@security&gt;"),
        ("<https://evil.example|click here>", "&lt;https://evil.example|click here&gt;"),
        ("<@U0BEN>", "&lt;@U0BEN&gt;"),
        ("[click here](https://evil.example)", "[click here](https://evil.example)"),
        ("![img](https://evil.example/p.png)", "![img](https://evil.example/p.png)"),
        ("&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"),
        ("*bold* _it_ `code` ~st~ > q | t", "*bold* _it_ `code` ~st~ &gt; q | t"),
    ])
    func slackSequences(title: String, escaped: String) {
        #expect(slackBlock(title) == "*INC-7* opened · SEV1 · fraud — \(escaped) · reporter <@U0AVA>")
        #expect(slackText(title) == "INC-7 opened · SEV1 · fraud — \(escaped) · reporter @ava")
        // Whatever the title, the only `<` left is Vigil's own mention.
        #expect(slackBlock(title).filter { $0 == "<" }.count == 1)
    }
}
