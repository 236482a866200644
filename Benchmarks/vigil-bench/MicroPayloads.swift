/// Platform JSON payloads for the codec benchmarks that Vigil does not render itself, as the
/// platforms document them (sources in the protocol notes, protocols.md). Vigil's own replies and
/// webhook posts are rendered at run time from real core replies instead (``RenderedIncident``).
enum MicroPayloads {
    /// Slack `block_actions` interaction payload (a button click), protocols.md §1: the trimmed
    /// example from bolt-python `tests/scenario_tests/test_block_actions.py`, byte for byte.
    static let slackBlockActions = #"""
        {"type":"block_actions","user":{"id":"W111","team_id":"T111"},"api_app_id":"A111","container":{"type":"message","message_ts":"111.222"},"trigger_id":"111.222.valid","channel":{"id":"C111"},"response_url":"https://hooks.slack.com/actions/T111/111/random-value","actions":[{"action_id":"a","block_id":"b","value":"click_me_123","type":"button","action_ts":"1596530385.194939"}]}
        """#

    /// Slack Block Kit message with a button (incoming webhook / `chat.postMessage` body),
    /// protocols.md §1, byte for byte.
    static let slackBlockKitMessage = #"""
        {"text":"Deploy?","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Deploy* api?"}},{"type":"actions","block_id":"deploy","elements":[{"type":"button","action_id":"approve","text":{"type":"plain_text","text":"Approve"},"style":"primary","value":"run-42"}]}]}
        """#

    /// Mattermost interactive-button click (`PostActionIntegrationRequest`, protocols.md §2):
    /// the documented fields, filled with the IDs of Mattermost's slash-command docs example.
    static let mattermostButtonClick = #"""
        {"user_id":"erj6qck3rfgtujs86w5r6rckzh","user_name":"alan","channel_id":"fukxanjgjbnp7ng383at53k1sy","channel_name":"town-square","team_id":"wx4zz8t4ttgmtxqiwfohijayzc","team_domain":"team-awesome","post_id":"8ubj1xjfwtrbxrrnrjfyxe8qmh","trigger_id":"OTQ5ZjQ4ZWEtNzI0Yi00ZGQzLWI0NzQtZDEwNWIyNzkzODQxOmVyajZxY2szcmZndHVqczg2dzVyNmNremg6MTcwMDAwMDAwMDAwMA==","type":"","data_source":"","context":{"action":"approve","token":"9a1f4e7c2b8d4f06a3e5c7b9d1f2a4c6"}}
        """#
}
