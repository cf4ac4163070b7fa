"""The change feed's cursor and what it remembers of the viewer (DESIGN §4).

A cursor names a position in a change log — (xid, seq) on PostgreSQL, seq alone on
SQLite (xid 0) — plus the moment up to which expiries were reported (`watermark`), a
digest of the viewer's situation when it was handed out, and the `origin` of the copy it
serves: where the log stood when the client started from no cursor (or was told to
RESYNC). A state of a record replaced before the origin never reached that copy, so it
never earns the client a REMOVE: a member that joins today hears nothing of what was
retracted last year. It is opaque to clients and
carries no authority: every event is decided from the database and the viewer's facts
of now, so a forged cursor can only replay or skip the forger's own view, never widen
it. A digest that differs from the viewer's situation of now means the viewer's view as
a whole changed (reinstated, agreed, moved region): the feed answers RESYNC instead.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sharing.errors import InvalidCursor
from sharing.policy import ViewerFacts

_VERSION = 1


@dataclass(frozen=True, slots=True)
class FeedCursor:
    """A position in the log, the expiry watermark, and the viewer's situation digest."""

    xid: int
    seq: int
    watermark: dt.datetime
    digest: str
    # PostgreSQL: the snapshot xmin when the copy started (rows of older transactions
    # were committed by then); SQLite: the last seq then.
    origin: int

    @classmethod
    def start(cls, *, digest: str, now: dt.datetime, origin: int) -> FeedCursor:
        """Before the first row of the log: a replay of everything (collapsed), for a
        copy that starts at `origin`."""
        return cls(xid=0, seq=0, watermark=now, digest=digest, origin=origin)

    def encode(self) -> str:
        """The opaque text form handed to clients."""
        body = [
            _VERSION,
            self.xid,
            self.seq,
            self.watermark.isoformat(),
            self.digest,
            self.origin,
        ]
        raw = json.dumps(body, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, field: str = "after") -> FeedCursor:
        """The cursor `text` names; InvalidCursor (naming `field`) if it names none."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            version, xid, seq, watermark, digest, origin = json.loads(raw)
            moment = dt.datetime.fromisoformat(watermark)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise InvalidCursor("This is not a cursor of the change feed.", field) from error
        numbers = (xid, seq, origin)
        valid = (
            version == _VERSION
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers)
            and isinstance(digest, str)
            and moment.tzinfo is not None
        )
        if not valid:
            raise InvalidCursor("This is not a cursor of the change feed.", field)
        return cls(xid=xid, seq=seq, watermark=moment, digest=digest, origin=origin)


def situation_digest(facts: ViewerFacts, *situation: object) -> str:
    """A digest of what decides a viewer's view as a whole: its facts (member, region,
    whether it reads shared data) and whatever else the caller names (its member's
    status, when that last changed, the agreement version it accepted). Equal digests:
    the same view rules; the log alone tells what changed."""
    parts = [str(facts.member_id), str(facts.region), str(facts.can_read_shared)]
    parts += [str(part) for part in situation]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
