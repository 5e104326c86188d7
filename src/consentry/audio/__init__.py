"""Audio as the platform receives it: which format a file really is, and whether it decodes.

Pure domain code: takes paths and claims, returns ``AudioInfo`` or raises ``InvalidAudio``.
"""

from consentry.audio.formats import ACCEPTED, FORMATS, AudioFormat
from consentry.audio.probe import AudioInfo, probe_audio

__all__ = ["ACCEPTED", "FORMATS", "AudioFormat", "AudioInfo", "probe_audio"]
