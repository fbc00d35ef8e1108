#include <catch2/catch.hpp>

#include "midi/smf.hpp"
#include "smf_bytes.hpp"

using namespace spe::midi;
using spe::test::Bytes;
using spe::test::chunk;
using spe::test::header;
using spe::test::smf;

namespace {

File parse_bytes(const Bytes& b) { return parse(b, "t.mid"); }

std::string error_of(const Bytes& b) {
  try {
    parse(b, "bad.mid");
  } catch (const MidiError& e) {
    return e.what();
  }
  return "(no error)";
}

const Bytes kEot{0x00, 0xFF, 0x2F, 0x00};

}  // namespace

TEST_CASE("parse reads header, channel events, meta events and absolute ticks") {
  Bytes body{0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,  // tempo 500000 µs
             0x00, 0x90, 60, 100,                         // note on
             0x83, 0x60, 0x80, 60, 0,                     // delta 480: note off
             0x00, 0xC0, 5};                              // program change (1 data byte)
  spe::test::append(body, kEot);
  const File f = parse_bytes(smf(1, 480, {body}));
  CHECK(f.format == 1);
  CHECK(f.ticks_per_beat == 480);
  REQUIRE(f.tracks.size() == 1);
  const auto& ev = f.tracks[0].events;
  REQUIRE(ev.size() == 5);
  CHECK(ev[0].kind == EventKind::Meta);
  CHECK(ev[0].meta_type == 0x51);
  CHECK(ev[0].payload == std::vector<std::uint8_t>{0x07, 0xA1, 0x20});
  CHECK(ev[1].type() == 0x90);
  CHECK(ev[1].data1 == 60);
  CHECK(ev[1].data2 == 100);
  CHECK(ev[2].tick == 480);
  CHECK(ev[2].type() == 0x80);
  CHECK(ev[3].type() == 0xC0);
  CHECK(ev[3].data1 == 5);
  CHECK(ev[4].is_end_of_track());
  CHECK(ev[4].tick == 480);
}

TEST_CASE("running status continues across meta and sysex events") {
  Bytes body{0x00, 0x91, 60, 100,       // note on ch 1
             0x10, 62, 90,              // running status
             0x00, 0xFF, 0x01, 0x01, 'x',  // text meta
             0x00, 0xF0, 0x02, 0x7E, 0xF7, // sysex, skipped safely
             0x10, 60, 0,               // still running status 0x91
             0x00, 0xF7, 0x01, 0x01,    // escape
             0x00, 62, 0};
  spe::test::append(body, kEot);
  const File f = parse_bytes(smf(0, 96, {body}));
  const auto& ev = f.tracks[0].events;
  REQUIRE(ev.size() == 8);
  CHECK(ev[1].status == 0x91);
  CHECK(ev[1].data1 == 62);
  CHECK(ev[1].tick == 16);
  CHECK(ev[3].kind == EventKind::SysEx);
  CHECK(ev[3].payload == std::vector<std::uint8_t>{0x7E, 0xF7});
  CHECK(ev[4].status == 0x91);
  CHECK(ev[4].tick == 32);
  CHECK(ev[5].status == 0xF7);
  CHECK(ev[6].data1 == 62);
}

TEST_CASE("missing end-of-track is tolerated and added") {
  const File f = parse_bytes(smf(1, 480, {Bytes{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0}}));
  const auto& ev = f.tracks[0].events;
  REQUIRE(ev.size() == 3);
  CHECK(ev.back().is_end_of_track());
  CHECK(ev.back().tick == 0x60);
}

TEST_CASE("a chunk length beyond the end of the file is clamped") {
  Bytes body{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0};
  spe::test::append(body, kEot);
  Bytes b = header(1, 1, 480);
  spe::test::append(b, chunk("MTrk", body, 100000));
  const File f = parse_bytes(b);
  REQUIRE(f.tracks.size() == 1);
  CHECK(f.tracks[0].events.size() == 3);
}

TEST_CASE("unknown chunks are skipped and trailing garbage is ignored") {
  Bytes body{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0};
  spe::test::append(body, kEot);
  Bytes b = header(1, 1, 480);
  spe::test::append(b, chunk("XFIH", Bytes{1, 2, 3}));
  spe::test::append(b, chunk("MTrk", body));
  spe::test::append(b, Bytes{0x00, 0x00, 0x01, 0xFF, 0xFE, 0x10, 0x00, 0x00, 0x01, 0x02});
  const File f = parse_bytes(b);
  REQUIRE(f.tracks.size() == 1);
  CHECK(f.tracks[0].events.size() == 3);
}

TEST_CASE("RIFF RMID wrapped MIDI is unwrapped") {
  Bytes body{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0};
  spe::test::append(body, kEot);
  const Bytes inner = smf(0, 480, {body});
  Bytes b{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'R', 'M', 'I', 'D', 'd', 'a', 't', 'a'};
  const auto n = static_cast<std::uint32_t>(inner.size());
  spe::test::append(b, {int(n & 255), int(n >> 8) & 255, int(n >> 16) & 255, int(n >> 24)});
  spe::test::append(b, inner);
  CHECK(parse_bytes(b) == parse_bytes(inner));
}

TEST_CASE("SMPTE division becomes ticks per second at 60 BPM") {
  Bytes body{0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x00, 0x90, 60, 100, 0x81, 0x48, 0x80, 60, 0};
  spe::test::append(body, kEot);
  const int division = ((256 - 25) << 8) | 40;  // 25 fps × 40 ticks per frame
  const File f = parse_bytes(smf(0, division, {body}));
  CHECK(f.smpte);
  CHECK(f.ticks_per_beat == 1000);
  const auto& ev = f.tracks[0].events;
  REQUIRE(ev.size() == 4);  // the file's tempo replaced by 60 BPM
  CHECK(ev[0].meta_type == 0x51);
  CHECK(ev[0].payload == std::vector<std::uint8_t>{0x0F, 0x42, 0x40});
  CHECK(ev[2].tick == 200);
}

TEST_CASE("malformed input yields one-line MidiError naming file and problem") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  Bytes good{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0};
  spe::test::append(good, kEot);

  CHECK_THAT(error_of(Bytes{}), StartsWith("bad.mid: ") && Contains("not a MIDI file"));
  CHECK_THAT(error_of(Bytes{'R', 'I', 'F', 'F', 1, 0, 0, 0, 'W', 'A', 'V', 'E'}), Contains("not RMID"));
  CHECK_THAT(error_of(Bytes{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1}), Contains("truncated in the MThd header"));
  CHECK_THAT(error_of(header(1, 0, 480)), Contains("no MTrk track chunk"));
  CHECK_THAT(error_of(smf(3, 480, {good})), Contains("unsupported MIDI format 3"));
  CHECK_THAT(error_of(smf(1, 0, {good})), Contains("time division is 0"));
  CHECK_THAT(error_of(smf(1, ((256 - 23) << 8) | 4, {good})), Contains("unsupported frame rate 23"));
  CHECK_THAT(error_of(smf(1, 480, {Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x90, 60, 100}})),
             Contains("track 0: invalid variable-length quantity"));
  CHECK_THAT(error_of(smf(1, 480, {Bytes{0x00, 60, 100}})), Contains("without a preceding status byte"));
  CHECK_THAT(error_of(smf(1, 480, {Bytes{0x00, 0x90, 60}})), Contains("track chunk ends in the middle of"));
  CHECK_THAT(error_of(smf(1, 480, {Bytes{0x00, 0xFF, 0x01, 0x8F, 0xFF, 0xFF, 0x7F, 'x'}})),
             Contains("meta event data"));
  CHECK_THAT(error_of(smf(1, 480, {Bytes{0x00, 0x90, 0x90, 100}})), Contains("where a data byte was expected"));
  Bytes cut = smf(1, 480, {good});
  cut.resize(cut.size() - 6);
  CHECK_THAT(error_of(cut), Contains("file truncated in the middle of"));
  for (const Bytes& b : {Bytes{}, header(1, 0, 480), cut}) {
    const std::string msg = error_of(b);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("read_file reports missing files and directories by name") {
  CHECK_THROWS_WITH(read_file("/nonexistent/x.mid"), Catch::Matchers::StartsWith("/nonexistent/x.mid: cannot open"));
  CHECK_THROWS_WITH(read_file("/tmp"), Catch::Matchers::Contains("is a directory"));
}
