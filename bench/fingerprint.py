"""Content identification on real music: recall under degradations, false positives, speed.

System dependencies (Debian bookworm; all in main, so DFSG-free: GPL, CC-BY(-SA), OFL-style
music licences as each package's /usr/share/doc/*/copyright states):
  ffmpeg                 MP3 64 kbps re-encoding, Opus decoding
  libchromaprint-tools   fpcalc, the peer for extraction speed
  unzip-free: zip/pk3 game archives are read with Python's zipfile
  music: wesnoth-1.16-music ufoai-music nexuiz-music warzone2100-music singularity-music
         hyperrogue-music planetblupi-music-ogg drascula-music asc-music
         fretsonfire-songs-muldjord fretsonfire-songs-sectoid supertuxkart-data
         freedroidrpg-data naev-data widelands-data megaglest-data supertux-data
         colobot-common-sounds flare-game hedgewars-data openclonk-data endless-sky-data
         fillets-ng-data boswars-data xmoto-data trigger-rally-data lincity-ng-data
         extremetuxracer-data pushover-data openarena-data pingus-data scorched3d-data
         marsshooter-data 0ad-data redeclipse-data
Run: PYTHONPATH=src .venv/bin/python bench/fingerprint.py --queries 100 --false-queries 1200
     --pad-hours 100 --duplicate-step 30 [--audfprint PATH-TO-audfprint2-CLI]  (docs/benchmarks.md)
Noise is added at the analysis rate (0-4 kHz), where all of its power meets the music: harsher
than adding full-band noise to a 44.1 kHz file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import correlate, resample_poly

from consentry.audio.decode import ANALYSIS_RATE, decode_audio
from consentry.audio.duplicates import SelfMatch, duplicate_groups
from consentry.audio.fingerprint import Fingerprint, fingerprint_samples
from consentry.audio.fingerprint_index import STOP_POSTINGS, FingerprintIndex
from consentry.audio.landmarks import landmarks
from consentry.audio.matching import (
    DEFAULT_SPEEDS,
    FAR_HIT_BUDGET,
    HIT_BUDGET,
    MIN_SIGNIFICANCE,
    MIN_VOTES,
    SURE_SHARE,
    SURE_SHARE_SIGNIFICANCE,
    Match,
    match_peaks,
    strength,
)
from consentry.audio.peaks import FRAME_SECONDS, Peaks, find_peaks, log_spectrogram
from consentry.errors import InvalidAudio

MUSIC_PACKAGES = (
    "wesnoth-1.16-music", "ufoai-music", "nexuiz-music", "warzone2100-music", "singularity-music",
    "hyperrogue-music", "planetblupi-music-ogg", "drascula-music", "asc-music",
    "fretsonfire-songs-muldjord", "fretsonfire-songs-sectoid", "supertuxkart-data",
    "freedroidrpg-data", "naev-data", "widelands-data", "megaglest-data", "supertux-data",
    "colobot-common-sounds", "flare-game", "hedgewars-data", "openclonk-data", "endless-sky-data",
    "fillets-ng-data", "boswars-data", "xmoto-data", "trigger-rally-data", "lincity-ng-data",
    "extremetuxracer-data", "pushover-data", "openarena-data", "pingus-data", "scorched3d-data",
    "marsshooter-data", "0ad-data", "redeclipse-data")
TOOLS = {"ffmpeg": "ffmpeg", "fpcalc": "libchromaprint-tools"}
AUDIO = (".ogg", ".mp3", ".flac", ".wav", ".opus")
ARCHIVES = (".pk3", ".zip")
MIN_TRACK_SECONDS = 30.0
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "consentry-bench"
LENGTHS = (3.0, 5.0, 10.0)
CONDITIONS = ("clean", "white 20 dB", "white 10 dB", "white 5 dB", "white 0 dB", "pink 20 dB",
              "pink 10 dB", "pink 5 dB", "pink 0 dB", "mp3 64k", "speed -5%", "speed -2%",
              "speed +2%", "speed +5%")
PAD_SPEEDS = (0.80, 0.85, 0.90, 1.12, 1.18, 1.25, 0.75, 1.33)  # outside the searched range
TARGETS = {(10.0, "clean"): 0.99, (10.0, "white 5 dB"): 0.97, (10.0, "mp3 64k"): 0.98,
           (10.0, "speed -5%"): 0.90, (10.0, "speed +5%"): 0.90, (5.0, "white 10 dB"): 0.95}


def setup() -> None:
    """Say what to apt-get install when a tool or every music package is missing."""
    missing = [package for tool, package in TOOLS.items() if shutil.which(tool) is None]
    installed = [p for p in MUSIC_PACKAGES if _installed(p)]
    if not installed:
        missing += MUSIC_PACKAGES
    if missing:
        sys.exit("missing system packages; install them with:\n  apt-get install "
                 + " ".join(missing))
    absent = sorted(set(MUSIC_PACKAGES) - set(installed))
    if absent:
        print(f"# note: music packages not installed (catalogue will be smaller): {absent}")


def _installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                          text=True, check=False)
    return done.returncode == 0 and "install ok installed" in done.stdout


@dataclass
class Track:
    path: Path
    package: str
    seconds: float
    envelope: np.ndarray | None = None  # band levels per frame, for the duplicates check


def find_music() -> list[Track]:
    """Every distinct audio file of at least 30 s in the installed music packages."""
    seen: set[str] = set()
    tracks: list[Track] = []
    for package in MUSIC_PACKAGES:
        if not _installed(package):
            continue
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True,
                                check=True).stdout.split()
        files = [Path(f) for f in listed if f.lower().endswith(AUDIO) and Path(f).is_file()]
        for archive in (Path(f) for f in listed if f.lower().endswith(ARCHIVES)):
            files += _unpack(archive, package)
        for path in sorted(files):
            digest = hashlib.sha1(path.read_bytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            seconds = _seconds(path)
            if seconds >= MIN_TRACK_SECONDS:
                tracks.append(Track(path, package, seconds))
    return tracks


def _unpack(archive: Path, package: str) -> list[Path]:
    target = CACHE / "archives" / package / archive.stem
    if not target.exists():
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name.lower().endswith(AUDIO) and not name.endswith("/"):
                    zipped.extract(name, target)
    return [p for p in target.rglob("*") if p.suffix.lower() in AUDIO]


def _seconds(path: Path) -> float:
    try:
        return float(soundfile.info(str(path)).duration)
    except (soundfile.LibsndfileError, RuntimeError):
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                              "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                             check=False).stdout.strip()
        return float(out) if out and out != "N/A" else 0.0


@dataclass
class Query:
    track: int
    start: float
    length: float
    condition: str
    samples: np.ndarray | None = None


def plan_queries(tracks: list[Track], per_condition: int, rng: np.random.Generator,
                 conditions: tuple[str, ...]) -> list[Query]:
    plan = []
    for length in LENGTHS:
        for condition in conditions:
            for _ in range(per_condition):
                track = int(rng.integers(len(tracks)))
                room = tracks[track].seconds - length * 1.06 - 0.5
                plan.append(Query(track, float(rng.uniform(0, max(room, 0.0))), length,
                                  condition))
    return plan


def degrade(query: Query, clip: np.ndarray, source: Path,
            rng: np.random.Generator) -> np.ndarray:
    """The query's audio at the analysis rate, after its condition."""
    kind, _, amount = query.condition.partition(" ")
    wanted = int(query.length * ANALYSIS_RATE)
    if kind == "clean":
        return clip[:wanted]
    if kind in ("white", "pink"):
        return _noisy(clip[:wanted], float(amount.split()[0]), kind == "pink", rng)
    if kind == "speed":
        factor = played_speed(query.condition)
        return resample_poly(clip, 1000, round(1000 * factor)).astype(np.float32)[:wanted]
    return _mp3(source, query.start, query.length, clip)


def played_speed(condition: str) -> float:
    """How many times faster than the original a condition plays the clip."""
    kind, _, amount = condition.partition(" ")
    return 1.0 + float(amount.rstrip("%")) / 100 if kind == "speed" else 1.0


def _noisy(clip: np.ndarray, snr_db: float, pink: bool, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(len(clip))
    if pink:
        spectrum = np.fft.rfft(noise)
        spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
        spectrum[0] = 0
        noise = np.fft.irfft(spectrum, len(clip))
    gain = np.sqrt(np.mean(clip.astype(np.float64) ** 2) / np.mean(noise ** 2)
                   / 10 ** (snr_db / 10))
    return (clip + gain * noise).astype(np.float32)


def _mp3(source: Path, start: float, length: float, clip: np.ndarray) -> np.ndarray:
    """The excerpt encoded at 64 kbps from the original file, or from the decoded clip for
    the few Ogg files whose headers ffmpeg refuses."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "q.mp3"
        encode = ["-c:a", "libmp3lame", "-b:a", "64k", str(out)]
        done = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{start:.3f}", "-t",
                               f"{length:.3f}", "-i", str(source), *encode], check=False)
        if done.returncode != 0:
            wav = Path(folder) / "q.wav"
            soundfile.write(wav, clip[:int(length * ANALYSIS_RATE)], ANALYSIS_RATE)
            subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(wav), *encode],
                           check=True)
        return decode_audio(out).samples


def scaled(peaks: Peaks, speed: float) -> Fingerprint:
    """A distractor: a real track's peaks as if played ``speed`` times faster."""
    moved = Peaks(np.rint(peaks.frames / speed).astype(np.int32),
                  (peaks.hz * speed).astype(np.float32), int(peaks.frame_count / speed))
    inside = moved.hz < 3_800
    moved = Peaks(moved.frames[inside], moved.hz[inside], moved.frame_count)
    return Fingerprint(moved, landmarks(moved))


def loud_start(samples: np.ndarray, length: float, wanted: float) -> float:
    """``wanted``, or the next start whose clip is not near-silent, from the track's start
    again if none is left before its end (silence has nothing to identify)."""
    last = max(wanted, len(samples) / ANALYSIS_RATE - length * 1.06 - 0.1)
    for start in (*np.arange(wanted, last, 2.0), *np.arange(0.0, wanted, 2.0)):
        clip = samples[int(start * ANALYSIS_RATE):int((start + length) * ANALYSIS_RATE)]
        if len(clip) and np.sqrt(np.mean(clip ** 2)) > 0.003:
            return float(start)
    return wanted


ENVELOPE_BANDS = np.unique(np.geomspace(5, 244, 17).astype(int))  # FFT bins, 150-3800 Hz
SAME_CONTENT = 0.6  # correlation of band levels above which two aligned stretches are one music


def band_envelope(samples: np.ndarray) -> np.ndarray:
    """Log level in 16 bands per frame: a view of the music independent of its peaks."""
    power = np.exp(log_spectrogram(samples))
    bands = np.add.reduceat(power[:, ENVELOPE_BANDS[0]:ENVELOPE_BANDS[-1]],
                            ENVELOPE_BANDS[:-1] - ENVELOPE_BANDS[0], axis=1)
    return np.log(bands + 1e-6).astype(np.float16)


def same_content(first: np.ndarray, second: np.ndarray, frames: np.ndarray, speed: float,
                 offset: float) -> float:
    """Correlation of two envelopes at an alignment (second frame = offset + speed x first)."""
    mapped = np.rint(offset + speed * frames).astype(np.int64)
    inside = (frames >= 0) & (frames < len(first)) & (mapped >= 0) & (mapped < len(second))
    if np.count_nonzero(inside) < 50:
        return 0.0
    a = first[frames[inside]].astype(np.float64)
    b = second[mapped[inside]].astype(np.float64)
    a -= a.mean(axis=0)
    b -= b.mean(axis=0)
    return float((a * b).sum() / max(np.sqrt((a * a).sum() * (b * b).sum()), 1e-9))


def find_duplicates(index: FingerprintIndex, envelopes: dict[str, np.ndarray],
                    step: float) -> tuple[dict[str, str], list[float]]:
    """Groups of files with the same music, each self-match confirmed by the band levels
    (which the matcher never sees) correlating at its alignment; and every correlation."""
    seen: list[float] = []

    def confirm(found: SelfMatch) -> bool:
        frames = np.arange(round(found.window_start / FRAME_SECONDS),
                           round((found.window_start + 10.0) / FRAME_SECONDS))
        correlation = same_content(envelopes[found.track_id], envelopes[found.match.track_id],
                                   frames, found.match.speed, found.offset / FRAME_SECONDS)
        seen.append(correlation)
        return correlation >= SAME_CONTENT

    return duplicate_groups(index, step, confirm=confirm), seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=100, help="per length and condition")
    parser.add_argument("--false-queries", type=int, default=1500)
    parser.add_argument("--pad-hours", type=float, default=100.0)
    parser.add_argument("--holdout", type=float, default=0.12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fpcalc-files", type=int, default=30)
    parser.add_argument("--tracks", type=int, default=0, help="use only this many (0: all)")
    parser.add_argument("--audfprint", type=Path, help="audfprint2 (PyPI) CLI: run the peer")
    parser.add_argument("--peer-tracks", type=int, default=40)
    parser.add_argument("--peer-queries", type=int, default=30, help="per condition")
    parser.add_argument("--peer-only", action="store_true", help="skip the main suite")
    parser.add_argument("--extraction-only", action="store_true",
                        help="stop after the extraction speed figures")
    parser.add_argument("--duplicate-step", type=float, default=20.0,
                        help="seconds between the windows each file is self-matched with")
    args = parser.parse_args()
    setup()
    rng = np.random.default_rng(args.seed)
    tracks = find_music()
    order = rng.permutation(len(tracks))
    if args.tracks:
        order = order[:args.tracks]
    cut = int(len(order) * args.holdout)
    outside = [tracks[i] for i in order[:cut]]
    catalogue = [tracks[i] for i in order[cut:]]
    hours = sum(t.seconds for t in tracks) / 3600  # all found, before --tracks
    print(f"# music: {len(tracks)} distinct files >= {MIN_TRACK_SECONDS:.0f} s from "
          f"{len({t.package for t in tracks})} Debian packages, {hours:.1f} h; catalogue "
          f"{len(catalogue)} tracks {sum(t.seconds for t in catalogue) / 3600:.1f} h, "
          f"held out {len(outside)} ({sum(t.seconds for t in outside) / 3600:.1f} h)")
    print(f"# config: analysis {ANALYSIS_RATE} Hz, queries {args.queries} per length x "
          f"condition, {args.false_queries} out-of-catalogue, threshold significance >= "
          f"{MIN_SIGNIFICANCE} (or share >= {SURE_SHARE} at >= {SURE_SHARE_SIGNIFICANCE}), "
          f"seed {args.seed}, cpu {os.cpu_count()} cores (1 used)")
    print(f"# matcher: speeds {DEFAULT_SPEEDS[0]}-{DEFAULT_SPEEDS[-1]}, min votes {MIN_VOTES}, "
          f"hit budget {HIT_BUDGET:,} index entries (far speeds {FAR_HIT_BUDGET:,}), stop-list "
          f"at {STOP_POSTINGS:,} entries a key; duplicates self-matched every "
          f"{args.duplicate_step:.0f} s")
    if args.audfprint:
        peer_recall(args.audfprint, catalogue[:args.peer_tracks], args.peer_queries, rng)
    if args.peer_only:
        return
    plan = plan_queries(catalogue, args.queries, rng, CONDITIONS)
    index, cpu_per_track = build_index(catalogue, plan)
    real_hours, real_bytes = index.hours, index.nbytes
    print(f"# index (real music): {real_hours:.1f} h, {index.landmark_count:,} landmarks, "
          f"{real_bytes / real_hours / 1e6:.2f} MB/hour "
          f"({index.landmark_count / real_hours / 3600:.0f} landmarks/s)")
    audio_seconds = sum(t.seconds for t in catalogue)
    print(f"extraction (decode+resample+peaks+hashes): {audio_seconds / sum(cpu_per_track):.0f}"
          f"x real time per core over {audio_seconds / 3600:.1f} h")
    peer_speed(catalogue[:args.fpcalc_files], cpu_per_track[:args.fpcalc_files])
    if args.extraction_only:
        return
    held_out = fingerprint_held_out(index, outside)
    started = time.perf_counter()
    envelopes = {**{str(n): t.envelope for n, t in enumerate(catalogue) if t.envelope is not None},
                 **{f"out{n}": t.envelope for n, t in enumerate(outside) if t.envelope is not None}}
    groups, correlations = find_duplicates(held_out, envelopes, args.duplicate_step)
    join_tempo_variants(groups, catalogue, outside)
    report_duplicates(groups, correlations, time.perf_counter() - started)
    del held_out
    pad(index, args.pad_hours)
    blob = index.to_bytes()
    load_start = time.perf_counter()
    index = FingerprintIndex.from_bytes(blob)
    index.prepare()
    print(f"# index searched: {index.hours:.1f} h ({index.hours - real_hours:.1f} h of it "
          f"distractors: real tracks' peaks rescaled by {PAD_SPEEDS}, outside the searched "
          f"+-6%), {len(blob) / 1e6:.0f} MB serialised, loaded in "
          f"{time.perf_counter() - load_start:.2f} s")
    results = run_queries(index, catalogue, plan, groups, rng)
    outsiders = false_positives(index, catalogue, outside, groups, args.false_queries,
                                args.seed)
    report(results, outsiders, audio_seconds / sum(cpu_per_track),
           real_bytes / real_hours / 1e6)


def fingerprint_held_out(index: FingerprintIndex, outside: list[Track]) -> FingerprintIndex:
    """The catalogue's index plus the held-out files (as ``out<n>``): for finding duplicates."""
    every = FingerprintIndex.from_bytes(index.to_bytes())
    for number, track in enumerate(outside):
        try:
            samples = decode_audio(track.path).samples
        except InvalidAudio as error:
            print(f"# skipped {track.path}: {error}")
            continue
        every.add(f"out{number}", fingerprint_samples(samples))
        track.envelope = band_envelope(samples)
    return every


def join_tempo_variants(groups: dict[str, str], catalogue: list[Track],
                        outside: list[Track]) -> None:
    """Put each SuperTuxKart race's music and its faster last-lap version in one group.

    The game ships them side by side (``celtic.ogg``, ``celtic_fast.ogg``; ``farm_f.ogg``):
    the same piece at a faster tempo and the same pitch, which the duplicate check cannot
    confirm (its band levels drift apart) but which is not music outside the catalogue.
    """
    named = [(str(n), t) for n, t in enumerate(catalogue)]
    named += [(f"out{n}", t) for n, t in enumerate(outside)]
    by_piece: dict[tuple[Path, str], list[str]] = defaultdict(list)
    for track_id, track in named:
        if track_id in groups:
            by_piece[track.path.parent, re.sub(r"_(fast|f)$", "", track.path.stem)].append(
                track_id)
    for members in by_piece.values():
        old = {groups[m] for m in members}
        joined = min(old)
        for track_id, group in groups.items():
            if group in old:
                groups[track_id] = joined


def report_duplicates(groups: dict[str, str], correlations: list[float],
                      seconds: float) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    for track_id, group in groups.items():
        members[group].append(track_id)
    shared = [m for m in members.values() if len(m) > 1]
    held_out = [t for t, g in groups.items() if t.startswith("out") and not g.startswith("out")]
    values = np.array(correlations)
    print(f"# duplicates (each file's 10 s windows matched against the other files, confirmed "
          f"by band-level correlation >= {SAME_CONTENT}): {sum(len(m) for m in shared)} files "
          f"in {len(shared)} groups (largest {max(map(len, shared), default=0)}); "
          f"{len(held_out)} held-out files have their music in the catalogue under another "
          f"name; {len(correlations)} self-matches checked, {int((values < SAME_CONTENT).sum())} "
          f"refused; {seconds:.0f} s")


def build_index(catalogue: list[Track], plan: list[Query]
                ) -> tuple[FingerprintIndex, list[float]]:
    """The catalogue's index and each track's CPU seconds; cuts each planned query's clip."""
    index = FingerprintIndex()
    by_track: dict[int, list[Query]] = defaultdict(list)
    for query in plan:
        by_track[query.track].append(query)
    cpu: list[float] = []
    for number, track in enumerate(catalogue):
        started = cpu_seconds()
        try:
            decoded = decode_audio(track.path)
        except InvalidAudio as error:
            print(f"# skipped {track.path}: {error}")
            cpu.append(cpu_seconds() - started)
            continue
        index.add(str(number), fingerprint_samples(decoded.samples))
        cpu.append(cpu_seconds() - started)
        track.envelope = band_envelope(decoded.samples)
        for query in by_track[number]:
            query.start = loud_start(decoded.samples, query.length, query.start)
            first = int(query.start * ANALYSIS_RATE)
            query.samples = decoded.samples[first:first + int(query.length * 1.06
                                                              * ANALYSIS_RATE) + 800].copy()
    return index, cpu


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg decodes count too)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peer_speed(tracks: list[Track], ours: list[float]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for track in tracks:
        subprocess.run(["fpcalc", "-length", "0", str(track.path)], capture_output=True,
                       check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    seconds = sum(t.seconds for t in tracks)
    print(f"peer: fpcalc (Chromaprint 1.5.1, whole files) {seconds / cpu:.0f}x real time per "
          f"core; consentry on the same {len(tracks)} files {seconds / sum(ours):.0f}x")


PEER_CONDITIONS = ("clean", "white 5 dB", "mp3 64k", "speed -5%", "speed +5%")


def peer_recall(audfprint: Path, tracks: list[Track], per_condition: int,
                rng: np.random.Generator) -> None:
    """Top-1 recall of audfprint2 (Ellis's landmark system) and ours, same tracks and queries.

    Both index only ``tracks``; queries are 10 s, written as WAV files at the analysis rate.
    """
    index = FingerprintIndex()
    audio = {}
    for number, track in enumerate(tracks):
        audio[number] = decode_audio(track.path).samples
        index.add(str(number), fingerprint_samples(audio[number]))
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        listing = base / "refs.txt"
        listing.write_text("\n".join(str(t.path) for t in tracks) + "\n")
        subprocess.run([str(audfprint), "--dbase", str(base / "db.pklz"), "-C", "--list", "new",
                        str(listing)], capture_output=True, check=True)
        truth: dict[str, tuple[int, str]] = {}
        ours: dict[str, list[bool]] = defaultdict(list)
        for condition in PEER_CONDITIONS:
            for _ in range(per_condition):
                number = int(rng.integers(len(tracks)))
                query = Query(number, 0.0, 10.0, condition)
                query.start = loud_start(audio[number], 10.0, float(rng.uniform(
                    0, max(tracks[number].seconds - 11.0, 0.0))))
                first = int(query.start * ANALYSIS_RATE)
                clip = audio[number][first:first + int(10.6 * ANALYSIS_RATE) + 800]
                samples = degrade(query, clip, tracks[number].path, rng)
                name = base / f"q{len(truth)}.wav"
                soundfile.write(name, samples, ANALYSIS_RATE, subtype="FLOAT")
                truth[str(name)] = (number, condition)
                found = match_peaks(index, find_peaks(samples))
                best = max(found, key=strength, default=None)
                ours[condition].append(best is not None and best.track_id == str(number))
        queries = base / "queries.txt"
        queries.write_text("\n".join(truth) + "\n")
        started = time.perf_counter()
        done = subprocess.run([str(audfprint), "--dbase", str(base / "db.pklz"), "--list",
                               "-v", "match", str(queries)], capture_output=True, text=True,
                              check=False)
        elapsed = time.perf_counter() - started
        (CACHE / "audfprint.log").write_text(done.stdout + done.stderr)
    theirs: dict[str, list[bool]] = defaultdict(list)
    answered: dict[str, str] = {}
    for line in (done.stdout + done.stderr).splitlines():
        found_line = re.search(r"Matched (\S+) .* as (.+?) at +[-\d.]+ s with", line)
        if found_line:
            answered.setdefault(found_line.group(1), found_line.group(2))
    for name, (number, condition) in truth.items():
        theirs[condition].append(answered.get(name, "").strip() == str(tracks[number].path))
    hours = sum(t.seconds for t in tracks) / 3600
    print(f"peer recall, 10 s queries, both indexing the same {len(tracks)} tracks "
          f"({hours:.1f} h), audfprint2 0.1.2 defaults ({elapsed / len(truth):.2f} s/query "
          f"wall, its process start included):")
    for condition in PEER_CONDITIONS:
        print(f"  {condition:12s} consentry {np.mean(ours[condition]):.3f}   audfprint2 "
              f"{np.mean(theirs[condition]):.3f}   (n={len(ours[condition])})")


def pad(index: FingerprintIndex, hours: float) -> None:
    real = [(track_id, index.track_peaks(track_id)) for track_id in index.track_ids]
    for speed in PAD_SPEEDS:
        for track_id, peaks in real:
            if index.hours >= hours:
                return
            index.add(f"pad{speed}:{track_id}", scaled(peaks, speed))


@dataclass
class Result:
    length: float
    condition: str
    best_right: float
    best_wrong: float
    offset_error: float
    latency: float  # wall seconds
    cpu: float  # CPU seconds of the querying thread: what the wall time is on an idle core


def run_queries(index: FingerprintIndex, catalogue: list[Track], plan: list[Query],
                groups: dict[str, str], rng: np.random.Generator) -> list[Result]:
    """Each query's best significance with its own music (the track or a duplicate of it) and
    with any other music."""
    results = []
    for query in plan:
        if query.samples is None:
            continue
        audio = degrade(query, query.samples, catalogue[query.track].path, rng)
        started, cpu_started = time.perf_counter(), time.thread_time()
        matches = match_peaks(index, find_peaks(audio), min_significance=-np.inf)
        latency, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
        own = groups.get(str(query.track), str(query.track))
        right = [m for m in matches if groups.get(m.track_id, m.track_id) == own]
        wrong = [strength(m) for m in matches if groups.get(m.track_id, m.track_id) != own]
        exact = [m for m in right if m.track_id == str(query.track)]
        best = max(exact, key=strength, default=None)
        error = (abs(best.track_start - best.query_start * best.speed - query.start)
                 if best else float("nan"))
        results.append(Result(query.length, query.condition,
                              max((strength(m) for m in right), default=0.0),
                              max(wrong, default=0.0), error, latency, cpu))
    return results


@dataclass
class Outsider:
    """An out-of-catalogue query: its best significance with the music it is not, and whether
    its music is in fact in the catalogue under another name (then: its best own significance).
    Matches to a track that holds the query's very samples are set apart in ``shared``."""

    best_wrong: float
    in_catalogue: bool
    best_right: float
    shared: list[str]
    wrong: str  # the best wrong match, described


# cross-correlation peak over its median above which two stretches hold the same samples,
# mixed or not: unrelated audio about 7; 3 s of a wind ambience mixed into another, 56
SHARED_AUDIO = 20.0


def shares_audio(clip: np.ndarray, track: np.ndarray, match: Match,
                 played: float = 1.0) -> bool:
    """Whether ``track`` holds ``clip``'s samples within a second of where ``match`` puts them
    (the query being ``clip`` played ``played`` times faster).

    Game data reuses recordings: an ambience of wind is mixed, sample for sample, into other
    ambiences. Finding it there is content identification doing its job, not a false positive;
    the waveforms' cross-correlation (which the matcher never computes) tells them apart. A
    match over a second or two knows its speed only to a step of the speed grid (a wind
    matched over 1.4 s at 1.01 is there at 1.0), so the neighbouring steps are tried too.
    """
    at = int((match.track_start - match.query_start * match.speed) * ANALYSIS_RATE)
    step = DEFAULT_SPEEDS[1] - DEFAULT_SPEEDS[0]
    return any(_correlates(clip, track, at, speed / played)
               for speed in (match.speed, match.speed - step, match.speed + step))


def _correlates(clip: np.ndarray, track: np.ndarray, at: int, speed: float) -> bool:
    if abs(speed - 1.0) > 0.002:  # the track plays it at another speed: follow it
        clip = resample_poly(clip, round(1000 * speed), 1000)
    lo, hi = max(at - ANALYSIS_RATE, 0), min(at + len(clip) + ANALYSIS_RATE, len(track))
    if hi - lo < len(clip):
        return False
    peaks = np.abs(correlate(track[lo:hi].astype(np.float64), clip.astype(np.float64),
                             mode="valid", method="fft"))
    return float(peaks.max() / max(float(np.median(peaks)), 1e-12)) >= SHARED_AUDIO


def false_positives(index: FingerprintIndex, catalogue: list[Track], outside: list[Track],
                    groups: dict[str, str], count: int, seed: int) -> list[Outsider]:
    """Queries cut from the held-out files, each file's from a generator of its own: a query
    reported here can be cut again from its file alone (the seed and the file's number)."""
    found: list[Outsider] = []
    per_track = max(1, -(-count // max(len(outside), 1)))
    decoded: dict[str, np.ndarray] = {}
    for number, track in enumerate(outside):
        try:
            samples = decode_audio(track.path).samples
        except InvalidAudio:
            continue
        own = groups.get(f"out{number}", f"out{number}")
        rng = np.random.default_rng((seed, number))
        for k in range(number * per_track, (number + 1) * per_track):
            length = LENGTHS[k % len(LENGTHS)]
            condition = CONDITIONS[k % len(CONDITIONS)]
            start = float(rng.uniform(0, max(len(samples) / ANALYSIS_RATE - length * 1.1, 0)))
            query = Query(-1, loud_start(samples, length, start), length, condition)
            first = int(query.start * ANALYSIS_RATE)
            clip = samples[first:first + int(length * 1.06 * ANALYSIS_RATE) + 800]
            audio = degrade(query, clip, track.path, rng)
            matches = match_peaks(index, find_peaks(audio), min_significance=-np.inf)
            mine = [strength(m) for m in matches if groups.get(m.track_id) == own]
            wrong = [m for m in matches if groups.get(m.track_id) != own]
            shared = []
            for match in (m for m in wrong if strength(m) >= MIN_SIGNIFICANCE
                          and m.track_id.isdigit()):
                if match.track_id not in decoded:
                    decoded[match.track_id] = decode_audio(
                        catalogue[int(match.track_id)].path).samples
                if shares_audio(clip[:int(length * ANALYSIS_RATE)], decoded[match.track_id],
                                match, played_speed(condition)):
                    shared.append(f"{track.path.name} at {query.start:.1f} s ({length:.0f} s, "
                                  f"{condition}) in "
                                  f"{catalogue[int(match.track_id)].path.name}")
                    wrong.remove(match)
            best = max(wrong, key=strength, default=None)
            described = "" if best is None else (
                f"{track.path.name} at {query.start:.1f} s ({length:.0f} s, {condition}) -> "
                f"{_name(best.track_id, catalogue)}: "
                f"{best.significance} sd, share {best.confidence}, {best.votes} votes over "
                f"{best.matched_seconds:.1f} s, speed {best.speed}")
            found.append(Outsider(strength(best) if best else 0.0, not own.startswith("out"),
                                  max(mine, default=0.0), shared, described))
    return found


def _name(track_id: str, catalogue: list[Track]) -> str:
    kind, _, number = track_id.rpartition(":")
    name = catalogue[int(number)].path.name
    return f"{name} (a distractor: its peaks at speed {kind[3:]})" if kind else name


OTHER_TARGETS = {"false positives": 0.001, "extraction x real time": 300.0,
                 "query p99 ms": 50.0, "index MB/hour": 10.0}


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(results: list[Result], outsiders: list[Outsider], extraction: float,
           mb_per_hour: float) -> None:
    threshold = MIN_SIGNIFICANCE
    print(f"\ntop-1 recall at significance >= {threshold} (or a sure share): the best match is "
          f"the query's music (its track or a duplicate) (n per cell in brackets; * = target)")
    print(f"{'condition':14s}" + "".join(f"{f'{length:.0f} s':>16s}" for length in LENGTHS))
    for condition in CONDITIONS:
        cells = []
        for length in LENGTHS:
            rows = [r for r in results if r.length == length and r.condition == condition]
            hit = sum(r.best_right >= threshold and r.best_right > r.best_wrong for r in rows)
            target = TARGETS.get((length, condition))
            mark = f"*{target:.2f}" if target else ""
            cells.append(f"{hit / max(len(rows), 1):.3f} ({len(rows)}){mark}")
        print(f"{condition:14s}" + "".join(f"{c:>16s}" for c in cells))
    false = np.array([o.best_wrong for o in outsiders if not o.in_catalogue])
    shared = [line for o in outsiders for line in o.shared]
    hidden = [o for o in outsiders if o.in_catalogue]
    rate = float((false >= threshold).mean())
    print(f"\nfalse positives (out-of-catalogue queries whose music is not in the catalogue, "
          f"all lengths and conditions): {int((false >= threshold).sum())}/{len(false)} = "
          f"{rate:.4%} (target <= {OTHER_TARGETS['false positives']:.1%}: "
          f"{_verdict(rate <= OTHER_TARGETS['false positives'])}); their best significance: max "
          f"{false.max():.2f}, p99.9 {np.percentile(false, 99.9):.2f}, "
          f"p99 {np.percentile(false, 99):.2f}")
    worst = sorted((o for o in outsiders if not o.in_catalogue and o.wrong),
                   key=lambda o: -o.best_wrong)[:5]
    print("  the highest:" + "".join(f"\n    {o.wrong}" for o in worst))
    print(f"out-of-catalogue matches to a catalogue track holding the query's very samples (not "
          f"counted above; cross-correlation peak >= {SHARED_AUDIO:.0f}x its median): "
          f"{len(shared)}" + "".join(f"\n    {line}" for line in shared[:10]))
    print(f"held-out queries whose music is in the catalogue under another name: {len(hidden)}, "
          f"found there {sum(o.best_right >= threshold for o in hidden)}, matched to other music "
          f"{sum(o.best_wrong >= threshold for o in hidden)}")
    right = [r for r in results if r.best_right >= threshold and r.offset_error == r.offset_error]
    errors = np.array([r.offset_error for r in right])
    print(f"offset error of correct matches: median {np.median(errors) * 1000:.0f} ms, "
          f"p95 {np.percentile(errors, 95) * 1000:.0f} ms (frame = 32 ms; MP3 adds its delay)")
    wrong_accepted = sum(r.best_wrong >= threshold for r in results)
    print(f"in-catalogue queries whose best wrong track passed the threshold: {wrong_accepted}")
    print("\nthreshold sweep: significance, recall 10 s (clean, white 5 dB, mp3, speed +-5%), "
          "5 s white 10 dB, all queries, false positives")

    def recall(rows: list[Result], bar: float) -> float:
        return float(np.mean([r.best_right >= bar and r.best_right > r.best_wrong
                              for r in rows]))

    ten = [r for r in results if r.length == 10.0 and r.condition in (
        "clean", "white 5 dB", "mp3 64k", "speed -5%", "speed +5%")]
    five = [r for r in results if r.length == 5.0 and r.condition == "white 10 dB"]
    sweep = np.round(np.arange(2.0, 9.01, 0.5), 1)
    for bar in sweep:
        print(f"  {bar:4.1f}  {recall(ten, bar):.3f}  {recall(five, bar):.3f}  "
              f"{recall(results, bar):.3f}  {int((false >= bar).sum())}/{len(false)} = "
              f"{(false >= bar).mean():.4%}")
    meeting = [bar for bar in sweep if (false >= bar).mean() <= OTHER_TARGETS["false positives"]]
    if meeting:
        print(f"  lowest swept threshold with false positives <= 0.1% in this run: "
              f"{meeting[0]:.1f} (recall of all queries there {recall(results, meeting[0]):.3f} "
              f"against {recall(results, threshold):.3f} at {threshold})")
    target = OTHER_TARGETS["query p99 ms"]
    load = os.getloadavg()[1]
    for name, values in (("wall", [r.latency for r in results]),
                         ("CPU", [r.cpu for r in results])):
        ms = np.array(values) * 1000
        p99 = float(np.percentile(ms, 99))
        print(f"query latency, {name} time (peaks + search + verification, 1 thread): p50 "
              f"{np.percentile(ms, 50):.1f} ms, p99 {p99:.1f} ms (target <= {target:.0f}: "
              f"{_verdict(p99 <= target)}), max {ms.max():.1f} ms over {len(ms)} queries")
    print(f"  (machine load average over the last 5 minutes: {load:.1f} on "
          f"{os.cpu_count()} cores: wall time above CPU time is waiting for a core)")
    print(f"extraction {extraction:.0f}x real time per core (target >= "
          f"{OTHER_TARGETS['extraction x real time']:.0f}: "
          f"{_verdict(extraction >= OTHER_TARGETS['extraction x real time'])}); index "
          f"{mb_per_hour:.2f} MB/hour (target <= {OTHER_TARGETS['index MB/hour']:.0f}: "
          f"{_verdict(mb_per_hour <= OTHER_TARGETS['index MB/hour'])})")


if __name__ == "__main__":
    main()
