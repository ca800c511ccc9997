"""The web chat's learner cookie: a random learner id, signed (itsdangerous) with the cookie secret."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer


class LearnerCookie:
    """Signs and reads the learner id kept in the browser's cookie."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeSerializer(secret, salt="hocvuso-webchat-learner")

    def new_id(self) -> str:
        return secrets.token_urlsafe(16)

    def dumps(self, learner_id: str) -> str:
        return str(self._serializer.dumps({"u": learner_id}))

    def loads(self, value: str | None) -> str | None:
        """The learner id of a cookie, or None when missing, forged or malformed."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value)
        except BadSignature:
            return None
        learner = data.get("u") if isinstance(data, dict) else None
        return learner if isinstance(learner, str) and 0 < len(learner) <= 64 else None
