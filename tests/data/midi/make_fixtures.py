#!/usr/bin/env python3
"""Writes the small hand-made MIDI fixtures of this folder byte by byte (no MIDI library involved), so
that each file exercises known corners of the format. Run it from this folder; the golden *.events.txt
dumps are checked by tests/midi/test_golden.cpp and were verified by reading them against this script."""
import struct


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def chunk(cid, body, length=None):
    return cid + struct.pack(">I", len(body) if length is None else length) + body


def header(fmt, ntracks, division):
    return chunk(b"MThd", struct.pack(">HHH", fmt, ntracks, division))


def meta(delta, mtype, data):
    return vlq(delta) + bytes([0xFF, mtype]) + vlq(len(data)) + data


def text(delta, mtype, s):
    return meta(delta, mtype, s.encode("latin-1"))


EOT = meta(0, 0x2F, b"")

# 1. Type 0, 96 ticks per beat: every channel message kind, running status kept across a text event and
#    a sysex, note-on velocity 0 as note-off, a sustain pedal, drums on channel 10.
t = b"".join([
    text(0, 0x03, "Band \"A\"\xe9"),
    meta(0, 0x51, bytes([0x09, 0x27, 0xC0])),          # 600000 us = 100 BPM
    meta(0, 0x58, bytes([3, 2, 24, 8])),               # 3/4
    bytes([0x00, 0xC0, 33]),                           # ch1 program 33 (bass)
    bytes([0x00, 0xC1, 0]),                            # ch2 piano
    bytes([0x00, 0xB1, 64, 127]),                      # ch2 sustain down
    bytes([0x00, 0x90, 40, 90]),                       # ch1 bass E2
    bytes([0x00, 0x99, 36, 110]),                      # ch10 kick
    bytes([0x00, 0x91, 60, 70]), bytes([0x00, 64, 71]),  # ch2 C4, running status E4
    text(0, 0x01, "rs"),                               # text between running-status events
    bytes([0x00, 67, 72]),                             # still running status 0x91: G4
    bytes([0x18, 0x89, 36, 0]),                        # kick off at 24
    bytes([0x00, 0xF0, 0x03, 0x7E, 0x7F, 0xF7]),       # sysex
    bytes([0x18, 0x91, 60, 0]), bytes([0x00, 64, 0]), bytes([0x00, 67, 0]),  # ch2 offs at 48 (vel 0)
    bytes([0x00, 0xE0, 0x00, 0x48]),                   # pitch bend ch1 (+1024)
    bytes([0x00, 0xA0, 40, 20]), bytes([0x00, 0xD0, 30]),  # aftertouch
    bytes([0x30, 0xB1, 64, 0]),                        # pedal up at 96
    bytes([0x60, 0x80, 40, 64]),                       # bass off at 192
    EOT])
open("type0_running_status.mid", "wb").write(header(0, 1, 96) + chunk(b"MTrk", t))

# 2. Type 1, 480 ticks per beat: conductor track (tempo changes, 4/4 → 6/8, key signature, markers incl.
#    Pop1K7 chord markers), a piano track, a drum track without end-of-track, an unknown chunk between.
cond = b"".join([
    text(0, 0x03, "conductor"),
    meta(0, 0x58, bytes([4, 2, 24, 8])),
    meta(0, 0x59, bytes([0xFE, 1])),                   # 2 flats, minor (G minor)
    meta(0, 0x51, bytes([0x07, 0xA1, 0x20])),          # 120 BPM
    text(0, 0x06, "global_bpm_120"),
    text(0, 0x06, "G_m_G"),
    text(1920, 0x06, "D#_M7_D#"),
    meta(0, 0x51, bytes([0x08, 0x95, 0x44])),          # 562500 us ≈ 106.67 BPM
    text(1920, 0x06, "D_7_F#"),
    meta(0, 0x58, bytes([6, 3, 36, 8])),               # 6/8 at bar 2
    text(1440, 0x06, "N_N_N"),
    EOT])
piano = b"".join([
    text(0, 0x03, "Piano"),
    bytes([0x00, 0xC0, 0]),
    bytes([0x00, 0x90, 55, 80, 0x00, 0x90, 58, 80, 0x00, 0x90, 62, 80]),
    bytes([0x8F, 0x00, 0x80, 55, 0, 0x00, 0x80, 58, 0, 0x00, 0x80, 62, 0]),   # offs at 1920
    bytes([0x00, 0x90, 63, 90]), bytes([0x8F, 0x00, 0x80, 63, 0]),           # 1920..3840
    bytes([0x00, 0x90, 62, 90]), bytes([0x00, 0x90, 62, 60]),                # doubled D5 at 3840
    bytes([0x83, 0x60, 0x80, 62, 0]), bytes([0x87, 0x40, 0x80, 62, 0]),      # offs at 4320, 5280 (FIFO)
    EOT])
drums = b"".join([
    text(0, 0x03, "Drums"),
    bytes([0x00, 0x99, 36, 100, 0x00, 0x99, 42, 90]),
    bytes([0x00, 0x89, 36, 0, 0x00, 0x89, 42, 0]),                           # zero-length hits
    bytes([0x83, 0x60, 0x99, 38, 100]),                                      # snare at 480, never off
])
open("type1_conductor.mid", "wb").write(
    header(1, 3, 480) + chunk(b"MTrk", cond) + chunk(b"XFIH", b"\x00\x01\x02") + chunk(b"MTrk", piano) +
    chunk(b"MTrk", drums))

# 3. The same music as (1) inside a RIFF RMID wrapper, with trailing garbage after the MIDI data.
smf = header(0, 1, 96) + chunk(b"MTrk", t) + b"\x00\x00garbage"
riff_body = b"RMID" + b"data" + struct.pack("<I", len(smf)) + smf
open("rmid_wrapped.mid", "wb").write(b"RIFF" + struct.pack("<I", len(riff_body)) + riff_body)

# 4. SMPTE division: 25 frames per second × 40 ticks per frame = 1000 ticks per second; a tempo event
#    that must be ignored; the track chunk length claims more bytes than the file has.
smpte_track = b"".join([
    meta(0, 0x51, bytes([0x07, 0xA1, 0x20])),
    bytes([0x00, 0x90, 69, 100]), vlq(500) + bytes([0x80, 69, 0]),           # A4 for half a second
    bytes([0x00, 0x90, 72, 100]), vlq(1500) + bytes([0x80, 72, 0]),          # C5 for 1.5 s
    EOT])
division = ((256 - 25) << 8) | 40
open("smpte_25fps.mid", "wb").write(header(0, 1, division) + chunk(b"MTrk", smpte_track, len(smpte_track) + 1000))

# 5. Type 2: two independent patterns, the second without any tempo.
p1 = b"".join([text(0, 0x03, "Pattern A"), meta(0, 0x51, bytes([0x07, 0xA1, 0x20])),
               bytes([0x00, 0x90, 60, 64, 0x60, 0x80, 60, 0]), EOT])
p2 = b"".join([text(0, 0x03, "Pattern B"), bytes([0x00, 0x92, 48, 64, 0x81, 0x40, 0x82, 48, 0]), EOT])
open("type2_patterns.mid", "wb").write(header(2, 2, 96) + chunk(b"MTrk", p1) + chunk(b"MTrk", p2))
