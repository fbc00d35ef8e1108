#include <catch2/catch.hpp>

#include "token_test_helpers.hpp"
#include "tokens/chord_source.hpp"
#include "tokens/remi_tokenizer.hpp"

using namespace spe;
using namespace spe::tokens;
using spe::test::note;
using spe::test::note_keys;
using spe::test::track;

namespace {

music::Score hand_made_score() {
  music::Score s;
  s.ticks_per_beat = 480;
  s.tempos = {{0, 120.0}};
  s.chords = {music::Chord{0, 0, "M", -1}};  // C major from the start
  s.tracks.push_back(track("Piano", 0, {
      note(0, 480, 60, 80),
      note(0, 240, 64, 81),       // velocity 81 → even bin 80
      note(130, 230, 67, 30),     // onset → 120, duration 100 → 120, velocity → floor 40
      note(2400, 5400, 110, 100), // pitch → 98, duration clipped to 1920, velocity → top bin 86
  }));
  return s;
}

}  // namespace

TEST_CASE("REMI encodes a hand-made score to the exact expected tokens") {
  const RemiTokenizer tok;
  EncodeReport rep;
  const auto ids = tok.encode(hand_made_score(), &rep);
  const std::vector<std::string> expected = {
      "Bar_None", "Beat_0", "Chord_C_M", "Tempo_119",
      "Note_Pitch_64", "Note_Velocity_80", "Note_Duration_240",
      "Note_Pitch_60", "Note_Velocity_80", "Note_Duration_480",
      "Beat_1", "Note_Pitch_67", "Note_Velocity_40", "Note_Duration_120",
      "Bar_None", "Beat_4", "Note_Pitch_98", "Note_Velocity_86", "Note_Duration_1920",
      "Bar_None", "EOS_None"};
  CHECK(tok.names(ids) == expected);
  CHECK(rep.notes_in == 4);
  CHECK(rep.notes_encoded == 4);
  CHECK(rep.get("pitches moved by octaves into 22..107") == 1);
  CHECK(rep.get("velocities raised to the floor 40") == 1);
  CHECK(rep.get("velocities snapped to the nearest vocabulary bin") == 1);
  CHECK(rep.get("velocities rounded to an even bin") == 1);
  CHECK(rep.get("durations clipped to 1920 ticks") == 1);
  CHECK(rep.get("durations rounded to a multiple of 120 ticks") == 1);
  CHECK(rep.get("onsets moved to the 16th-note grid") == 1);
  CHECK(rep.get("tempi rounded to the nearest 3-BPM bin") == 1);
  CHECK(spe::test::grammar_refusal(tok, ids).empty());
}

TEST_CASE("REMI decode inverts encode on the quantised score") {
  for (auto kind : {RemiVocabKind::Paper, RemiVocabKind::Full}) {
    const RemiTokenizer tok({kind});
    const auto s = hand_made_score();
    const auto q = quantize_for_remi(s, tok.options());
    DecodeReport rep;
    const auto d = tok.decode(tok.encode(s), &rep);
    CHECK(rep.empty());
    CHECK(d.ticks_per_beat == 480);
    REQUIRE(d.tracks.size() == 1);
    CHECK(d.tracks[0].program == 0);
    CHECK(note_keys(d.tracks[0]) == note_keys(q.tracks[0]));
    REQUIRE(d.tempos.size() == 1);
    CHECK(d.tempos[0].bpm == 119.0);
    REQUIRE(d.chords.size() == 1);
    CHECK(d.chords[0].root == 0);
    CHECK(d.chords[0].quality == "M");
  }
  // The full vocabulary keeps what the paper's has to snap.
  const auto full = quantize_for_remi(hand_made_score(), {RemiVocabKind::Full});
  CHECK(full.tracks[0].notes.back().velocity == 100);
}

TEST_CASE("REMI resamples other resolutions, merges tracks, drops drums and reports non-4/4") {
  music::Score s;
  s.ticks_per_beat = 96;  // 24 ticks = one 16th
  s.time_signatures = {{0, 3, 4}};
  s.tracks.push_back(track("Right", 0, {note(24, 48, 72, 64)}));
  s.tracks.push_back(track("Left", 32, {note(0, 96, 48, 64)}));
  s.tracks.push_back(track("Drums", 0, {note(0, 10, 36, 100)}, 9));
  const RemiTokenizer tok;
  EncodeReport rep;
  const auto ids = tok.encode(s, &rep);
  const std::vector<std::string> expected = {"Bar_None", "Beat_0", "Note_Pitch_48", "Note_Velocity_64",
                                             "Note_Duration_480", "Beat_1", "Note_Pitch_72", "Note_Velocity_64",
                                             "Note_Duration_120", "Bar_None", "EOS_None"};
  CHECK(tok.names(ids) == expected);
  CHECK(rep.get("notes dropped: drum track (REMI is piano only)") == 1);
  CHECK(rep.get("files with time signature 3/4 encoded as 16-position (4/4) bars") == 1);
}

TEST_CASE("REMI duration bin 0 decodes to a 60-tick note, never a zero-length one") {
  music::Score s;
  s.tracks.push_back(track("P", 0, {note(0, 30, 60, 64), note(0, 0, 62, 64)}));
  const RemiTokenizer tok;
  const auto ids = tok.encode(s);
  CHECK(tok.names(ids)[4] == "Note_Duration_0");
  const auto d = tok.decode(ids);
  REQUIRE(d.tracks[0].notes.size() == 2);
  for (const auto& n : d.tracks[0].notes) CHECK(n.end - n.start == 60);
}

TEST_CASE("REMI keeps empty bars, tempo changes and N chords and drops redundant tempi") {
  music::Score s;
  s.tempos = {{0, 100.0}, {960, 101.0}, {1920 * 2, 150.0}};  // 101 → same bin as 100 (101): dropped
  music::Chord n;
  n.tick = 1920 * 2;
  music::Chord repeat = n;  // the same "no chord" again: not a change, dropped
  repeat.tick += 240;
  s.chords = {n, repeat};
  s.tracks.push_back(track("P", 0, {note(1920 * 2 + 120 * 15, 1920 * 3 + 240, 60, 64)}));
  const RemiTokenizer tok;
  EncodeReport rep;
  const auto ids = tok.encode(s, &rep);
  const std::vector<std::string> expected = {"Bar_None", "Beat_0", "Tempo_101", "Bar_None", "Bar_None", "Beat_0",
                                             "Chord_N_N", "Tempo_149", "Beat_15", "Note_Pitch_60", "Note_Velocity_64",
                                             "Note_Duration_360", "Bar_None", "EOS_None"};
  CHECK(tok.names(ids) == expected);
  CHECK(rep.get("tempo changes dropped: same bin as the tempo in force") == 1);
  CHECK(rep.get("chords dropped: same as the chord in force") == 1);
  CHECK(tok.bar_of_each_token(ids) == std::vector<int>{0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3});
  CHECK(tok.prefix_length_for_bars(ids, 1) == 3);
  CHECK(tok.prefix_length_for_bars(ids, 2) == 4);
  const auto d = tok.decode(ids);
  REQUIRE(d.tempos.size() == 2);
  CHECK(d.tempos[1].tick == 3840);
  CHECK(d.tempos[1].bpm == 149.0);
  REQUIRE(d.chords.size() == 1);
  CHECK(d.chords[0].root == -1);
}

TEST_CASE("REMI encodes an empty score as Bar EOS") {
  const RemiTokenizer tok;
  const auto ids = tok.encode(music::Score{});
  CHECK(tok.names(ids) == std::vector<std::string>{"Bar_None", "EOS_None"});
  CHECK(tok.decode(ids).note_count() == 0);
}

TEST_CASE("REMI decode reports malformed sequences and rejects unknown ids") {
  const RemiTokenizer tok;
  auto ids = [&](std::vector<std::string> names) { return spe::test::token_ids(tok, names); };
  DecodeReport rep;
  auto d = tok.decode(ids({"Beat_3", "Bar_None", "Note_Pitch_60", "Beat_2", "Note_Pitch_60", "Note_Velocity_40",
                           "Beat_1", "Note_Pitch_62", "Note_Velocity_40", "Note_Duration_120", "PAD_None",
                           "Note_Duration_120", "Bar_None", "EOS_None", "Bar_None"}),
                      &rep);
  CHECK(rep.get("tokens before the first Bar ignored") == 1);
  CHECK(rep.get("tokens before the first Beat of their bar ignored") == 1);
  CHECK(rep.get("incomplete notes skipped (Note_Pitch not followed by Velocity and Duration)") == 1);
  CHECK(rep.get("Beat positions not after the previous Beat of their bar") == 1);
  CHECK(rep.get("PAD tokens ignored") == 1);
  CHECK(rep.get("Note_Duration tokens out of place ignored") == 1);
  CHECK(rep.get("tokens after EOS ignored") == 1);
  REQUIRE(d.tracks[0].notes.size() == 1);
  CHECK(d.tracks[0].notes[0].start == 120);
  CHECK(d.tracks[0].notes[0].pitch == 62);

  const std::vector<TokenId> bad = {0, 333};
  CHECK_THROWS_WITH(tok.decode(bad), Catch::Contains("333") && Catch::Contains("index 1"));
}

TEST_CASE("REMI grammar enforces the per-bar token order") {
  const RemiTokenizer tok;
  auto g = tok.grammar();
  auto id = [&](const char* n) { return tok.vocab().id(n); };
  std::string why;
  CHECK_FALSE(g->advance(id("Beat_0"), &why));
  CHECK_THAT(why, Catch::Contains("begins with Bar_None"));
  REQUIRE(g->advance(id("Bar_None")));
  REQUIRE(g->advance(id("Beat_5")));
  CHECK_FALSE(g->advance(id("Beat_5")));
  CHECK_FALSE(g->advance(id("Beat_3")));
  CHECK_FALSE(g->advance(id("Note_Velocity_40")));
  CHECK_FALSE(g->advance(id("EOS_None")));
  CHECK_FALSE(g->advance(id("PAD_None")));
  auto snapshot = g->clone();
  REQUIRE(g->advance(id("Tempo_119")));
  CHECK_FALSE(g->advance(id("Chord_C_M")));  // Chord comes before Tempo
  CHECK(snapshot->advance(id("Chord_C_M")));  // the clone is independent
  REQUIRE(g->advance(id("Note_Pitch_60")));
  std::vector<std::uint8_t> mask;
  g->allowed(mask);
  REQUIRE(mask.size() == tok.vocab().size());
  for (TokenId t = 0; t < static_cast<TokenId>(mask.size()); ++t)
    CHECK(mask[static_cast<std::size_t>(t)] == (tok.layout().info(t).kind == RemiKind::Velocity ? 1 : 0));
  REQUIRE(g->advance(id("Note_Velocity_40")));
  REQUIRE(g->advance(id("Note_Duration_120")));
  CHECK_FALSE(g->advance(id("Note_Pitch_60"), &why));  // the note just written still sounds
  CHECK_THAT(why, Catch::Contains("overlap"));
  CHECK(g->advance(id("Beat_6")));  // 120 ticks later it has ended
  CHECK(g->advance(id("Note_Pitch_60")));
  CHECK(g->advance(id("Note_Velocity_40")));
  CHECK(g->advance(id("Note_Duration_0")));
  CHECK(g->advance(id("Beat_7")));
  CHECK(g->advance(id("Bar_None")));
  CHECK(g->advance(id("EOS_None")));
  CHECK(g->finished());
  g->allowed(mask);
  CHECK(std::count(mask.begin(), mask.end(), 1) == 0);
  g->reset();
  CHECK(g->advance(id("Bar_None")));
}

TEST_CASE("REMI chords from the recogniser or none and chord source names") {
  music::Score s;
  s.tracks.push_back(track("P", 0, {note(0, 1920, 60), note(0, 1920, 64), note(0, 1920, 67)}));
  const RemiTokenizer tok;
  CHECK(prepare_chords(s, "nowhere/x.mid", ChordSource::Recognise) == "recogniser");
  const auto names = tok.names(tok.encode(s));
  CHECK(std::find(names.begin(), names.end(), "Chord_C_M") != names.end());
  CHECK(prepare_chords(s, "nowhere/x.mid", ChordSource::Markers) == "markers");
  CHECK(!s.chords.empty());
  CHECK(prepare_chords(s, "nowhere/x.mid", ChordSource::None) == "none");
  CHECK(s.chords.empty());
  CHECK(prepare_chords(s, "nowhere/x.mid", ChordSource::Auto) == "recogniser");  // no markers, no chord_midi.txt
  CHECK_THROWS_WITH(prepare_chords(s, "nowhere/x.mid", ChordSource::Pop909), Catch::Contains("chord_midi.txt"));
  CHECK(parse_chord_source("recognize") == ChordSource::Recognise);
  CHECK_THROWS_WITH(parse_chord_source("magic"), Catch::Contains("magic"));
}
