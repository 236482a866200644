import Foundation
import Logging
import VigilChat
import VigilCore

/// Incident channels on Slack and Mattermost: made once per incident and visibility, recorded
/// in the store the moment they exist (so a retried row, or another replica, finds the channel
/// instead of making a second), filled with the people the core named, and archived after
/// resolve.
extension ChatAppPoster {
    func room(_ request: RoomRequest, incident: Int, brief: Message) async -> DeliveryAttempt {
        guard let rooms else { return .failed("incident channels are not configured", retryable: false) }
        let existing: [IncidentRoom]
        do {
            existing = try await rooms.rooms(of: incident)
        } catch {
            return .failed("could not read the incident's channels: \(error)", retryable: true)
        }
        let inUse = existing.filter { $0.platform == request.platform && $0.archivedAt == nil }
        let room: IncidentRoom
        // A private channel serves a request for a public one; never the other way round.
        if let found = inUse.last(where: { $0.visibility == request.visibility || $0.visibility == .private }) {
            room = found
        } else {
            switch await create(request, incident: incident, taken: Set(existing.map(\.name)), in: rooms) {
            case let .made(made): room = made
            case let .failed(attempt): return attempt
            }
            // The incident became restricted: its public channel closes, and the work moves.
            for old in inUse where old.visibility == .public {
                let farewell = Message(lines: [
                    [.text("This incident is now restricted; the work moved to a private channel. This one is archived.")]
                ])
                _ = await archive(old, farewell: farewell)
            }
        }
        for identity in request.invite where identity.platform == room.platform {
            if let stop = await invite(identity, to: room) { return stop }
        }
        return await fill(room, incident: incident, brief: brief, steps: request.steps)
    }

    func archive(_ room: IncidentRoom, farewell: Message) async -> DeliveryAttempt {
        let archive: ChatAPIRequest
        switch room.platform {
        case "slack":
            guard let slack else { return Self.notConfigured("slack") }
            _ = await send(
                slack.postMessage(channel: room.channel, message: farewell), recording: room.incident, platform: "slack",
                channel: room.channel)
            archive = slack.archive(channel: room.channel)
        case "mattermost":
            guard let mattermost, let request = try? mattermost.archive(channelID: room.channel) else {
                return Self.notConfigured("mattermost")
            }
            _ = await send(
                mattermost.createPost(channelID: room.channel, message: farewell), recording: room.incident, platform: "mattermost",
                channel: room.channel)
            archive = request
        default:
            return Self.notConfigured(room.platform)
        }
        switch await sender.send(archive) {
        case .ok:
            break
        case let .failed(failure) where !failure.retryable:
            // Gone already, or Vigil may not archive it: trying every pass would change nothing.
            logger.warning(
                "an incident channel could not be archived; archive it by hand",
                metadata: ["incident": "\(room.incident)", "platform": "\(room.platform)", "error": "\(failure.code)"])
        case let other:
            return Self.attempt(other)
        }
        do {
            try await rooms?.markRoomArchived(platform: room.platform, channel: room.channel, at: now())
        } catch {
            return .failed("archived, but could not record it: \(error)", retryable: true)
        }
        return .delivered
    }

    // MARK: - Steps of setting a channel up

    private enum Made {
        case made(IncidentRoom)
        case failed(DeliveryAttempt)
    }

    /// Creates the channel under the request's name, or the first of `inc-7-2`, `inc-7-3`, …
    /// that is free, and records it at once.
    private func create(_ request: RoomRequest, incident: Int, taken: Set<String>, in rooms: any IncidentRoomStore) async -> Made {
        let names = [request.name] + (2...Self.nameAttempts).map { "\(request.name)-\($0)" }
        for name in names where !taken.contains(name) {
            let call: ChatAPIRequest
            do {
                switch request.platform {
                case "slack":
                    guard let slack else { return .failed(Self.notConfigured("slack")) }
                    call = try slack.createChannel(name: name, isPrivate: request.isPrivate)
                case "mattermost":
                    guard let mattermost, let team = mattermostTeam else {
                        return .failed(.failed("mattermost has no bot token or team_id configured", retryable: false))
                    }
                    call = try mattermost.createChannel(
                        teamID: team, name: name, displayName: name.uppercased(), isPrivate: request.isPrivate)
                default:
                    return .failed(Self.notConfigured(request.platform))
                }
            } catch {
                return .failed(.failed("cannot name a channel \(name): \(error)", retryable: false))
            }
            switch await sender.send(call) {
            case let .ok(fields):
                guard let channel = fields.channelID else { return .failed(.failed("no channel id in the answer", retryable: true)) }
                let room = IncidentRoom(
                    incident: incident, platform: request.platform, channel: channel, name: fields.channelName ?? name,
                    visibility: request.visibility, archiveAfter: request.archiveAfter, createdAt: now())
                do {
                    try await rooms.recordRoom(room)
                } catch {
                    // Made but not recorded: a retry would make a second one under the next name.
                    // Say so loudly; the channel is still used by this attempt.
                    logger.error(
                        "an incident channel was made but could not be recorded",
                        metadata: ["incident": "\(incident)", "platform": "\(request.platform)", "error": "\(String(reflecting: error))"])
                }
                logger.info(
                    "incident channel made",
                    metadata: [
                        "incident": "\(incident)", "platform": "\(request.platform)", "visibility": "\(request.visibility.rawValue)",
                    ])
                return .made(room)
            case .nameTaken:
                continue
            case let other:
                return .failed(Self.attempt(other))
            }
        }
        return .failed(.failed("every name from \(request.name) to \(names.last ?? request.name) is taken", retryable: false))
    }

    /// Invites one person; `nil` to go on (invited, already in, or refused for good, which is
    /// logged), or the attempt to return when the platform asks to wait or failed for now.
    private func invite(_ identity: Identity, to room: IncidentRoom) async -> DeliveryAttempt? {
        let call: ChatAPIRequest
        do {
            switch room.platform {
            case "slack":
                guard let slack else { return Self.notConfigured("slack") }
                call = try slack.invite(channel: room.channel, users: [identity.id])
            case "mattermost":
                guard let mattermost else { return Self.notConfigured("mattermost") }
                call = try mattermost.addMember(channelID: room.channel, userID: identity.id)
            default:
                return Self.notConfigured(room.platform)
            }
        } catch {
            return .failed("cannot invite into an incident channel: \(error)", retryable: false)
        }
        switch await sender.send(call) {
        case .ok, .nameTaken:
            return nil
        case let .failed(failure) where !failure.retryable:
            // Someone deactivated, or the bot itself: the others still belong in the channel.
            logger.warning(
                "a person could not be invited into an incident channel",
                metadata: ["incident": "\(room.incident)", "platform": "\(room.platform)", "error": "\(failure.code)"])
            return nil
        case let other:
            return Self.attempt(other)
        }
    }

    /// Posts the brief and the steps (pinned) in a channel that has not had them yet: a retry
    /// after a partial set-up posts only what is missing.
    private func fill(_ room: IncidentRoom, incident: Int, brief: Message, steps: Message?) async -> DeliveryAttempt {
        let posted: Int
        do {
            posted = try await posts.posts(of: incident).filter { $0.platform == room.platform && $0.channel == room.channel }.count
        } catch {
            return .failed("could not read the incident's posts: \(error)", retryable: true)
        }
        let messages = [brief] + (steps.map { [$0] } ?? [])
        for (index, message) in messages.enumerated() where index >= posted {
            let request: ChatAPIRequest
            switch room.platform {
            case "slack":
                guard let slack else { return Self.notConfigured("slack") }
                request = slack.postMessage(channel: room.channel, message: message)
            case "mattermost":
                guard let mattermost else { return Self.notConfigured("mattermost") }
                request = mattermost.createPost(channelID: room.channel, message: message)
            default:
                return Self.notConfigured(room.platform)
            }
            let (attempt, fields) = await send(request, recording: incident, platform: room.platform, channel: room.channel)
            guard attempt == .delivered else { return attempt }
            if index == 1, let id = fields?.messageID { await pin(id, in: room) }
        }
        return .delivered
    }

    /// Pins the steps; a pin that fails costs the pin, not the channel.
    private func pin(_ messageID: String, in room: IncidentRoom) async {
        let call: ChatAPIRequest?
        switch room.platform {
        case "slack": call = slack?.pin(channel: room.channel, ts: messageID)
        case "mattermost": call = try? mattermost?.pin(postID: messageID)
        default: call = nil
        }
        guard let call else { return }
        if case let .failed(failure) = await sender.send(call) {
            logger.warning("the steps could not be pinned", metadata: ["incident": "\(room.incident)", "error": "\(failure.code)"])
        }
    }

    /// How many names (`inc-7`, `inc-7-2`, …) are tried before giving up.
    static let nameAttempts = 9
}
