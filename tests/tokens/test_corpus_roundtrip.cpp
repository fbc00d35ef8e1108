// Corpus-wide round trips: REMI on every pop1k7 / pop909 file (decode(encode(s)) == quantize_for_remi(s)
// note for note, tempo for tempo, chord for chord) and event tokens on every groove_mma /
// midimancy_pop_rock file (the trio on the 12-ticks-per-beat grid). Every encoder output must be
// accepted by the grammar and decode with an empty report. Files are shared among 2 threads.
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "music/score_midi.hpp"
#include "test_paths.hpp"
#include "token_test_helpers.hpp"
#include "tokens/chord_source.hpp"
#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"
#include "midi/midi_files.hpp"

using namespace spe;
using namespace spe::tokens;

namespace {

struct CorpusStats {
  std::size_t files = 0, unreadable = 0, notes_in = 0, notes_encoded = 0, tokens = 0, chords = 0, tempos = 0;
  EncodeReport snaps;
  std::map<std::string, std::size_t> chord_sources;  // how many files took their chords from where
  std::vector<std::string> failures;  // "file: problem"
};

// Runs `check(score, stats_of_this_thread)` on every readable file; returns "" or the problem found.
CorpusStats run_corpus(const std::vector<std::filesystem::path>& files,
                       const std::function<std::string(music::Score&, const std::filesystem::path&, CorpusStats&)>& check) {
  std::atomic<std::size_t> next{0};
  std::mutex merge_mutex;
  CorpusStats total;
  auto worker = [&] {
    CorpusStats mine;
    for (std::size_t i = next++; i < files.size(); i = next++) {
      ++mine.files;
      music::Score score;
      try {
        score = music::read_score(files[i]);
      } catch (const std::exception& e) {
        ++mine.unreadable;
        mine.failures.push_back(std::string("unreadable: ") + e.what());
        continue;
      }
      try {
        const auto problem = check(score, files[i], mine);
        if (!problem.empty()) mine.failures.push_back(files[i].string() + ": " + problem);
      } catch (const std::exception& e) {
        mine.failures.push_back(files[i].string() + ": exception: " + e.what());
      }
    }
    std::lock_guard<std::mutex> lock(merge_mutex);
    total.files += mine.files, total.unreadable += mine.unreadable, total.notes_in += mine.notes_in;
    total.notes_encoded += mine.notes_encoded, total.tokens += mine.tokens, total.chords += mine.chords;
    total.tempos += mine.tempos;
    total.snaps.merge(mine.snaps);
    for (const auto& [source, n] : mine.chord_sources) total.chord_sources[source] += n;
    total.failures.insert(total.failures.end(), mine.failures.begin(), mine.failures.end());
  };
  std::thread helper(worker);
  worker();
  helper.join();
  return total;
}

std::string summary(const std::string& what, const CorpusStats& s) {
  std::ostringstream out;
  out << what << ": files=" << s.files << " unreadable=" << s.unreadable << " notes_in=" << s.notes_in
      << " notes_encoded=" << s.notes_encoded << " tokens=" << s.tokens << " chords=" << s.chords
      << " tempo_changes=" << s.tempos << " failures=" << s.failures.size();
  for (const auto& [source, n] : s.chord_sources) out << "\n  chords from " << source << ": " << n << " files";
  for (const auto& line : s.snaps.lines()) out << "\n  " << line;
  for (std::size_t i = 0; i < s.failures.size() && i < 5; ++i) out << "\n  FAIL " << s.failures[i];
  return out.str();
}

std::string remi_round_trip(const RemiTokenizer& tok, const music::Score& score, CorpusStats& stats) {
  EncodeReport rep;
  const auto ids = tok.encode(score, &rep);
  const auto expected = quantize_for_remi(score, tok.options());
  stats.notes_in += rep.notes_in, stats.notes_encoded += rep.notes_encoded, stats.tokens += ids.size();
  stats.chords += expected.chords.size(), stats.tempos += expected.tempos.size();
  stats.snaps.merge(rep);
  if (rep.notes_encoded + rep.get("notes dropped: drum track (REMI is piano only)") +
          rep.get("notes dropped: same pitch at the same onset in one part (longest kept)") !=
      rep.notes_in)
    return "notes lost without a reason";
  if (auto refusal = test::grammar_refusal(tok, ids); !refusal.empty()) return "grammar refused " + refusal;
  DecodeReport drep;
  const auto got = tok.decode(ids, &drep);
  if (!drep.empty()) return "decode report not empty: " + drep.lines().front();
  if (test::note_keys(got.tracks.at(0)) != test::note_keys(expected.tracks.at(0))) return "notes differ";
  if (got.tempos.size() != expected.tempos.size()) return "tempo count differs";
  for (std::size_t i = 0; i < got.tempos.size(); ++i)
    if (got.tempos[i].tick != expected.tempos[i].tick || got.tempos[i].bpm != expected.tempos[i].bpm)
      return "tempo differs";
  if (got.chords.size() != expected.chords.size()) return "chord count differs";
  for (std::size_t i = 0; i < got.chords.size(); ++i)
    if (got.chords[i].tick != expected.chords[i].tick || got.chords[i].root != expected.chords[i].root ||
        got.chords[i].quality != expected.chords[i].quality)
      return "chord differs";
  // The grid itself: onsets on 16ths, durations 60 or multiples of 120 up to 1920, velocities even ≥ 40.
  for (const auto& n : got.tracks[0].notes) {
    const auto d = n.end - n.start;
    if (n.start % 120 != 0 || !(d == 60 || (d % 120 == 0 && d <= 1920)) || n.velocity % 2 != 0 || n.velocity < tok.layout().velocity_floor() ||
        n.pitch < tok.layout().min_pitch() || n.pitch > tok.layout().max_pitch())
      return "decoded note off the REMI grid";
  }
  return "";
}

std::string event_round_trip(const EventTokenizer& tok, const music::Score& score, CorpusStats& stats) {
  EncodeReport rep;
  const auto ids = tok.encode(score, &rep);
  const auto expected = quantize_for_events(score, tok.options());
  stats.notes_in += rep.notes_in, stats.notes_encoded += rep.notes_encoded, stats.tokens += ids.size();
  stats.snaps.merge(rep);
  if (auto refusal = test::grammar_refusal(tok, ids); !refusal.empty()) return "grammar refused " + refusal;
  DecodeReport drep;
  const auto got = tok.decode(ids, &drep);
  if (!drep.empty()) return "decode report not empty: " + drep.lines().front();
  for (std::size_t t = 0; t < 3; ++t)
    if (test::note_keys(got.tracks.at(t)) != test::note_keys(expected.tracks.at(t)))
      return "track " + std::to_string(t) + " notes differ";
  if (got.note_count() != rep.notes_encoded) return "note count differs from the report";
  return "";
}

void remi_corpus(const std::string& name, RemiVocabKind kind = RemiVocabKind::Paper) {
  const auto dir = test::shared_data(name);
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  REQUIRE(!files.empty());
  const RemiTokenizer tok({kind});
  const auto stats = run_corpus(files, [&](music::Score& s, const std::filesystem::path& path, CorpusStats& st) {
    st.chord_sources[prepare_chords(s, path, ChordSource::Auto)]++;  // markers, POP909 labels or recogniser
    return remi_round_trip(tok, s, st);
  });
  WARN(summary(std::string("REMI (") + (kind == RemiVocabKind::Paper ? "paper" : "full") + " vocabulary) round trip " + name, stats));
  CHECK(stats.failures.empty());
  CHECK(stats.files == files.size());
  CHECK(stats.notes_encoded > 0);
}

void event_corpus(const std::string& name) {
  const auto dir = test::shared_data(name);
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  REQUIRE(!files.empty());
  const EventTokenizer tok;
  const auto stats = run_corpus(files, [&](music::Score& s, const std::filesystem::path&, CorpusStats& st) {
    return event_round_trip(tok, s, st);
  });
  WARN(summary("event-token round trip " + name, stats));
  CHECK(stats.failures.empty());
  CHECK(stats.files == files.size());
  CHECK(stats.notes_encoded > 0);
}

}  // namespace

TEST_CASE("REMI round trip on every pop1k7 file", "[integration]") { remi_corpus("pop1k7"); }
TEST_CASE("REMI round trip on every pop909 file", "[integration]") { remi_corpus("pop909"); }
TEST_CASE("REMI full-vocabulary round trip on every pop909 file", "[integration]") {
  remi_corpus("pop909", RemiVocabKind::Full);
}
TEST_CASE("event-token round trip on every groove_mma file", "[integration]") { event_corpus("groove_mma"); }
TEST_CASE("event-token round trip on every midimancy_pop_rock file", "[integration]") { event_corpus("midimancy_pop_rock"); }
