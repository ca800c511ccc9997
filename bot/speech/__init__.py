"""Voice notes to text, offline: ffmpeg decoding, the local Whisper base model, an optional remote endpoint.

Channels hand the bytes of a voice note to `SpeechService` and give the tutor the transcript as an
ordinary inbound text (kind "voice"), or the `SpeechError.problem` when nothing could be heard.
"""

from bot.speech.audio import SpeechError, VoiceProblem, decode_audio
from bot.speech.remote import RemoteConfig, RemoteWhisper
from bot.speech.service import Heard, SpeechConfig, SpeechService, Transcript, hear
from bot.speech.whisper_local import LocalModelConfig, LocalWhisper, ModelUnavailable, assemble_model

__all__ = [
    "Heard",
    "LocalModelConfig",
    "LocalWhisper",
    "ModelUnavailable",
    "RemoteConfig",
    "RemoteWhisper",
    "SpeechConfig",
    "SpeechError",
    "SpeechService",
    "Transcript",
    "VoiceProblem",
    "assemble_model",
    "decode_audio",
    "hear",
]
