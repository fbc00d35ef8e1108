#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tokens/remi_tokenizer.hpp"
#include "test_paths.hpp"
#include "tokens/event_tokenizer.hpp"
#include "tokens/tokenizer.hpp"

#include <fstream>

using namespace spe::tokens;

TEST_CASE("paper REMI vocabulary has the SPE paper's 333 tokens in its exact order") {
  const RemiTokenizer tok({RemiVocabKind::Paper});
  const auto& v = tok.vocab();
  REQUIRE(v.size() == 333);
  CHECK(v.id("Bar_None") == 0);
  CHECK(v.id("Beat_0") == 1);
  CHECK(v.id("Beat_1") == 2);
  CHECK(v.id("Beat_10") == 3);
  CHECK(v.id("Beat_9") == 16);
  CHECK(v.id("Chord_A#_+") == 17);
  CHECK(v.id("Chord_A_+") == 28);
  CHECK(v.id("Chord_B_+") == 39);
  CHECK(v.id("Chord_C#_+") == 50);
  CHECK(v.id("Chord_C_+") == 61);
  CHECK(v.id("Chord_G_+") == 138);
  CHECK(v.id("Chord_G_sus4") == 148);
  CHECK(v.id("Chord_A#_/o7") == 18);
  CHECK(v.id("Chord_N_N") == 149);
  CHECK(v.id("EOS_None") == 150);
  CHECK(v.id("Note_Duration_0") == 151);
  CHECK(v.id("Note_Duration_1080") == 152);
  CHECK(v.id("Note_Duration_960") == 167);
  CHECK(v.id("Note_Pitch_100") == 168);
  CHECK(v.id("Note_Pitch_107") == 175);
  CHECK(v.id("Note_Pitch_22") == 176);
  CHECK(v.id("Note_Pitch_99") == 253);
  CHECK(v.id("Note_Velocity_40") == 254);
  CHECK(v.id("Note_Velocity_86") == 277);
  CHECK(v.id("Tempo_101") == 278);
  CHECK(v.id("Tempo_224") == 308);
  CHECK(v.id("Tempo_32") == 309);
  CHECK(v.id("Tempo_98") == 331);
  CHECK(v.id("PAD_None") == 332);
  CHECK(tok.pad() == 332);
  CHECK(tok.eos() == 150);
  CHECK(tok.bos() == -1);
  // The 11 tempo bins absent from Pop1K7 are not in the paper's vocabulary.
  for (int bpm : {152, 164, 173, 179, 185, 191, 197, 203, 209, 212, 218}) CHECK_FALSE(v.find("Tempo_" + std::to_string(bpm)));
  CHECK(tok.layout().tempo_bins().size() == 54);
}

TEST_CASE("full REMI vocabulary is in natural order with every tempo bin") {
  const RemiTokenizer tok({RemiVocabKind::Full});
  const auto& v = tok.vocab();
  CHECK(v.size() == 1 + 16 + 133 + 65 + 88 + 63 + 17 + 1 + 1);
  CHECK(v.name(0) == "Bar_None");
  CHECK(v.name(1) == "Beat_0");
  CHECK(v.name(16) == "Beat_15");
  CHECK(v.name(17) == "Chord_C_+");
  CHECK(v.name(17 + 11) == "Chord_C#_+");
  CHECK(v.name(17 + 132) == "Chord_N_N");
  CHECK(v.name(150) == "Tempo_32");
  CHECK(v.name(150 + 64) == "Tempo_224");
  CHECK(v.id("Note_Pitch_21") + 1 == v.id("Note_Pitch_22"));
  CHECK(v.id("Note_Velocity_2") + 1 == v.id("Note_Velocity_4"));
  CHECK(v.id("Note_Duration_120") + 1 == v.id("Note_Duration_240"));
  CHECK(v.name(static_cast<TokenId>(v.size() - 1)) == "PAD_None");
  CHECK(tok.layout().tempo_bins().size() == 65);
}

TEST_CASE("vocabulary JSON round trip and malformed JSON") {
  const RemiTokenizer tok;
  const auto j = tok.vocab().to_json();
  CHECK(Vocabulary::from_json(j) == tok.vocab());
  CHECK_THROWS_WITH(Vocabulary::from_json(nlohmann::json::parse(R"({"tokens":["a","a"]})")),
                    Catch::Contains("appears twice"));
  CHECK_THROWS_WITH(Vocabulary::from_json(nlohmann::json::parse(R"({"size":3,"tokens":["a","b"]})")),
                    Catch::Contains("size"));
  CHECK_THROWS_AS(Vocabulary::from_json(nlohmann::json::parse(R"([1,2])")), std::invalid_argument);
  CHECK_THROWS_WITH(tok.vocab().id("Nope"), Catch::Contains("Nope"));
  CHECK_THROWS_AS(tok.vocab().name(333), std::out_of_range);
}

TEST_CASE("vocabulary files: atomic save, load, and errors that name the file") {
  const auto dir = spe::test::scratch_dir("tokens_vocab_files");
  const EventTokenizer tok;
  tok.vocab().save(dir / "event.json");
  CHECK(Vocabulary::load(dir / "event.json") == tok.vocab());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file();
  CHECK(files == 1);  // no temp file left behind
  RemiTokenizer().vocab().save(dir / "event.json");  // replaces the old file
  CHECK(Vocabulary::load(dir / "event.json").size() == 333);
  std::ofstream(dir / "broken.json") << "{\"tokens\": [1, 2]}";
  CHECK_THROWS_WITH(Vocabulary::load(dir / "broken.json"), Catch::Contains("broken.json") && Catch::Contains("string"));
  CHECK_THROWS_WITH(Vocabulary::load(dir / "absent.json"), Catch::Contains("absent.json"));
  CHECK_THROWS_WITH(tok.vocab().save(dir / "no" / "such" / "dir.json"), Catch::Contains("dir.json"));
}
