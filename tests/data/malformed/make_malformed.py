#!/usr/bin/env python3
"""Writes tiny malformed MIDI files, one problem each, and expected.txt: "file<TAB>message part" per line.
tests/midi/test_malformed.cpp checks that reading each file throws MidiError with that text."""
import struct


def chunk(cid, body, length=None):
    return cid + struct.pack(">I", len(body) if length is None else length) + body


def header(fmt=1, ntracks=1, division=480, length=6):
    return chunk(b"MThd", struct.pack(">HHH", fmt, ntracks, division), length)


NOTE = bytes([0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00])
cases = {
    "empty.mid": (b"", "empty file"),
    "text.mid": (b"MIDI? no, just some text\n", "not a MIDI file (no MThd header)"),
    "wav.mid": (b"RIFF\x24\x00\x00\x00WAVEfmt ", "RIFF file is not RMID"),
    "rmid_without_data.mid": (b"RIFF\x0c\x00\x00\x00RMIDLIST\x00\x00\x00\x00", "RMID file has no \"data\" chunk"),
    "header_cut.mid": (b"MThd\x00\x00\x00\x06\x00\x01", "truncated in the MThd header"),
    "header_short.mid": (header(length=2) + chunk(b"MTrk", NOTE), "MThd header too short"),
    "no_tracks.mid": (header(ntracks=0), "no MTrk track chunk"),
    "only_unknown_chunks.mid": (header(ntracks=2) + chunk(b"JUNK", b"abc") + chunk(b"MeTa", b""), "no MTrk track chunk (header declares 2 tracks)"),
    "format_7.mid": (header(fmt=7) + chunk(b"MTrk", NOTE), "unsupported MIDI format 7"),
    "division_zero.mid": (header(division=0) + chunk(b"MTrk", NOTE), "time division is 0"),
    "smpte_bad_rate.mid": (header(division=((256 - 20) << 8) | 10) + chunk(b"MTrk", NOTE), "unsupported frame rate 20"),
    "smpte_zero_ticks.mid": (header(division=((256 - 25) << 8)) + chunk(b"MTrk", NOTE), "0 ticks per frame"),
    "varint_too_long.mid": (header() + chunk(b"MTrk", bytes([0x81, 0x82, 0x83, 0x84, 0x05, 0x90, 60, 100])), "invalid variable-length quantity"),
    "absurd_meta_length.mid": (header() + chunk(b"MTrk", bytes([0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0x41])), "meta event data"),
    "absurd_sysex_length.mid": (header() + chunk(b"MTrk", bytes([0x00, 0xF0, 0x8F, 0xFF, 0xFF, 0x7F, 0x01])), "sysex data"),
    "no_running_status.mid": (header() + chunk(b"MTrk", bytes([0x00, 0x3C, 0x40])), "without a preceding status byte"),
    "status_as_data.mid": (header() + chunk(b"MTrk", bytes([0x00, 0x90, 0x3C, 0x90])), "where a data byte was expected"),
    "event_cut_by_chunk.mid": (header() + chunk(b"MTrk", bytes([0x00, 0x90, 0x3C])) + chunk(b"MTrk", NOTE), "track chunk ends in the middle of"),
    "file_cut.mid": ((header() + chunk(b"MTrk", NOTE))[:-6], "file truncated in the middle of"),
}
with open("expected.txt", "w") as exp:
    for name, (data, message) in sorted(cases.items()):
        open(name, "wb").write(data)
        exp.write(f"{name}\t{message}\n")
