"""The DIY peer: what a team would write instead of Vigil to open incidents from Slack.

A slack-bolt app for `/incident open sevN <category> <title…>`, served by bolt's own WSGI
adapter under gunicorn (5 sync workers), as bolt's documentation deploys it. `vigil-load`
starts it on 127.0.0.1 and drives it with the same signed requests it sends Vigil, so the
ratio between the two is the price of Vigil over a plain bot.

It does what Vigil's `open` has to do and no more, the way such a bot is usually written:
bolt verifies the Slack signature, the handler parses the text, and one SQLite transaction
(WAL, synchronous=NORMAL as Vigil's default `durability: normal`, a busy timeout, since five
processes write) checks the idempotency row for the request's `trigger_id` (Slack retries;
a repeat gets the stored reply), reserves the next number, inserts the incident and its
`opened` event and stores the reply. The reply goes back in the HTTP response, in channel.

Configuration comes from the environment:
  PEER_SIGNING_SECRET  the Slack signing secret (vigil-load's)
  PEER_DATABASE        the SQLite file (vigil-load puts it in a temporary directory)

Run: gunicorn --workers 5 --preload --bind 127.0.0.1:PORT --no-control-socket --chdir Benchmarks/peer app:api
"""

import json
import os
import re
import sqlite3
import time

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

DATABASE = os.environ["PEER_DATABASE"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('incident', 0);
CREATE TABLE IF NOT EXISTS incidents (
    number INTEGER PRIMARY KEY,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    incident INTEGER NOT NULL REFERENCES incidents (number),
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_incident ON events (incident, id);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    reply TEXT NOT NULL,
    at REAL NOT NULL
);
"""

OPEN = re.compile(r"^open\s+(sev[1-4])\s+([a-z][a-z0-9-]*)\s+(\S.*)$", re.IGNORECASE | re.DOTALL)

def create_schema():
    """Creates the tables and turns on WAL (which the file keeps). Run once, at import in
    gunicorn's master (`--preload`): five workers switching a new file to WAL at once can
    fail with "database is locked", since that switch does not wait on the busy timeout."""
    connection = sqlite3.connect(DATABASE, timeout=10, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(SCHEMA)
    finally:
        connection.close()


create_schema()

_connection = None
_connection_pid = None


def database():
    """This process's connection, opened on first use: gunicorn forks the workers, and a
    SQLite connection must not cross a fork."""
    global _connection, _connection_pid
    if _connection is None or _connection_pid != os.getpid():
        # Autocommit mode: the transactions below are spelled out with BEGIN IMMEDIATE, which
        # takes the write lock up front instead of failing on the upgrade under contention.
        connection = sqlite3.connect(DATABASE, timeout=10, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("PRAGMA foreign_keys=ON")
        _connection, _connection_pid = connection, os.getpid()
    return _connection


def open_incident(trigger_id, severity, category, title, user_id, channel_id):
    """Opens one incident in one transaction and returns the reply; a repeated trigger_id
    returns the reply stored the first time and changes nothing."""
    connection = database()
    now = time.time()
    connection.execute("BEGIN IMMEDIATE")
    try:
        row = connection.execute("SELECT reply FROM idempotency WHERE key = ?", (trigger_id,)).fetchone()
        if row is not None:
            connection.execute("COMMIT")
            return json.loads(row[0])
        (number,) = connection.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'incident' RETURNING value"
        ).fetchone()
        connection.execute(
            "INSERT INTO incidents (number, severity, category, title, state, channel, opened_by, opened_at)"
            " VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
            (number, severity, category, title, channel_id, user_id, now),
        )
        connection.execute(
            "INSERT INTO events (incident, kind, actor, at, detail) VALUES (?, 'opened', ?, ?, ?)",
            (number, user_id, now, json.dumps({"severity": severity, "category": category, "title": title})),
        )
        reply = {
            "response_type": "in_channel",
            "text": f"INC-{number} opened: {severity} {category}, {title} (by <@{user_id}>)",
        }
        connection.execute(
            "INSERT INTO idempotency (key, reply, at) VALUES (?, ?, ?)", (trigger_id, json.dumps(reply), now)
        )
        connection.execute("COMMIT")
        return reply
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def authorize(enterprise_id, team_id, user_id):
    # One workspace with a known bot: a static answer, so bolt never calls auth.test.
    return AuthorizeResult(
        enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-peer-not-a-real-token",
        bot_id="B0PEER", bot_user_id="U0PEERBOT",
    )


app = App(
    signing_secret=os.environ["PEER_SIGNING_SECRET"],
    authorize=authorize,
    # The reply is the HTTP response itself, as Vigil's is: the listener runs before bolt answers.
    process_before_response=True,
    # No Web API call is made; should one ever be, it goes to a closed port on this machine.
    client=WebClient(base_url="http://127.0.0.1:9/api/"),
)


@app.command("/incident")
def incident(ack, command):
    match = OPEN.match(command.get("text", "").strip())
    if match is None:
        ack(response_type="ephemeral", text="Usage: /incident open sev1|sev2|sev3|sev4 <category> <title>")
        return
    severity, category, title = match.group(1).lower(), match.group(2).lower(), match.group(3).strip()
    reply = open_incident(
        command["trigger_id"], severity, category, title, command["user_id"], command["channel_id"]
    )
    ack(**reply)


api = SlackRequestHandler(app, path="/slack/commands")
