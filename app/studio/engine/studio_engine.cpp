#include "studio_engine.hpp"

#include "studio_catalog.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <tuple>

#include "generate/model.hpp"
#include "generate/session.hpp"
#include "generate/take.hpp"
#include "music/tempo_map.hpp"
#include "model_folder/model_folder.hpp"
#include "train/folder_eval.hpp"
#include "train/model_folder.hpp"

namespace spe::studio {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A session kept alive after its take finished, with what its recipe needs.
struct StudioEngine::Live {
  std::string key;
  std::unique_ptr<generate::GenerationSession> session;
  generate::Prompt prompt;
  nlohmann::json reroll;  // null, or what a re-roll continued
};

namespace {

// Streams candidate 0's notes into the sink as its tokens decode: at most every kStreamInterval (and at
// the end), every note that is complete in the decoded prefix and was not sent yet.
constexpr auto kStreamInterval = std::chrono::milliseconds(120);

class NoteStreamer {
 public:
  NoteStreamer(const tokens::Tokenizer& tokenizer, const ui::GenerationSink& sink)
      : tokenizer_(tokenizer), sink_(sink), event_scheme_(tokenizer.scheme() == "event") {}

  // Marks the prompt's notes as sent (the roll shows them already).
  void prime(const music::Score& prompt) {
    for (std::size_t t = 0; t < prompt.tracks.size(); ++t)
      for (const auto& n : prompt.tracks[t].notes) sent_.insert(key(int(t), n));
  }

  void maybe_flush(const std::vector<int>& tokens) {
    const auto now = Clock::now();
    if (now - last_ < kStreamInterval) return;
    last_ = now;
    flush(tokens, /*final=*/false);
  }

  void flush(const std::vector<int>& tokens, bool final) {
    if (!sink_.notes) return;
    const music::Score score = tokenizer_.decode(tokens);
    // Event tokens close a note with its note-off: a note still open at the cut is closed by decoding at
    // the last event, so hold back notes ending there until they really end.
    music::Tick open_end = -1;
    if (event_scheme_ && !final)
      for (const auto& tr : score.tracks)
        for (const auto& n : tr.notes) open_end = std::max(open_end, n.end);
    for (std::size_t t = 0; t < score.tracks.size(); ++t) {
      std::vector<music::Note> fresh;
      for (const auto& n : score.tracks[t].notes) {
        if (event_scheme_ && !final && n.end >= open_end) continue;
        if (sent_.insert(key(int(t), n)).second) fresh.push_back(n);
      }
      if (!fresh.empty()) sink_.notes(int(t), score.tracks[t], std::move(fresh));
    }
  }

 private:
  static std::tuple<int, music::Tick, int, music::Tick> key(int track, const music::Note& n) {
    return {track, n.start, n.pitch, n.end};
  }
  const tokens::Tokenizer& tokenizer_;
  const ui::GenerationSink& sink_;
  bool event_scheme_;
  std::set<std::tuple<int, music::Tick, int, music::Tick>> sent_;
  Clock::time_point last_ = Clock::now();
};

// The tick of the token at position `train_len` (the last onset decoded from the first train_len tokens).
music::Tick training_end_tick(const tokens::Tokenizer& tokenizer, const std::vector<int>& tokens, std::int64_t train_len) {
  if (train_len <= 0 || static_cast<std::int64_t>(tokens.size()) < train_len) return -1;
  const music::Score prefix = tokenizer.decode(std::span<const int>(tokens.data(), std::size_t(train_len)));
  music::Tick last = 0;
  for (const auto& t : prefix.tracks)
    for (const auto& n : t.notes) last = std::max(last, n.start);
  return last;
}

// Notes of `shown` that the prompt alone decodes to are the prompt's (matched by track, onset and pitch),
// as generate::make_take marks them: the roll shades them and counts only the rest as generated.
void flag_prompt_notes(music::Score& shown, const music::Score& prompt) {
  std::multiset<std::tuple<std::size_t, music::Tick, int>> pending;
  for (std::size_t t = 0; t < prompt.tracks.size(); ++t)
    for (const auto& n : prompt.tracks[t].notes) pending.insert({t, n.start, n.pitch});
  for (std::size_t t = 0; t < shown.tracks.size(); ++t)
    for (auto& n : shown.tracks[t].notes) {
      auto it = pending.find({t, n.start, n.pitch});
      n.from_prompt = it != pending.end();
      if (it != pending.end()) pending.erase(it);
    }
}

music::Tick prompt_end_tick(const music::Score& decoded, int bars) {
  if (bars <= 0) return 0;
  return music::TempoMap(decoded).bar_start(bars);
}

generate::LengthUnit to_core(ui::LengthUnit unit) {
  switch (unit) {
    case ui::LengthUnit::Bars: return generate::LengthUnit::Bars;
    case ui::LengthUnit::Seconds: return generate::LengthUnit::Seconds;
    default: return generate::LengthUnit::Tokens;
  }
}

// Everything the insight views need about one candidate's tokens (ui::TokenTrace).
std::shared_ptr<const ui::TokenTrace> make_trace(const generate::Model& model, const generate::CandidateTrace& c,
                                                 std::uint64_t model_seed) {
  const auto& tokenizer = model.tokenizer();
  auto trace = std::make_shared<ui::TokenTrace>();
  trace->model_id = model.info().id();
  trace->tokens = c.tokens;
  trace->prompt_length = c.prompt_length;
  trace->entropy = c.entropy;
  trace->log_prob = c.log_prob;
  trace->model_seed = model_seed;
  trace->train_len = model.info().train_len;
  trace->ticks_per_beat = tokenizer.ticks_per_beat();
  trace->bar = tokenizer.bar_of_each_token(c.tokens);
  trace->tick = tokenizer.tick_of_each_token(c.tokens);
  trace->note_track.assign(c.tokens.size(), -1);
  trace->note_pitch.assign(c.tokens.size(), -1);
  for (std::size_t i = 0; i < c.tokens.size(); ++i)
    if (const auto note = tokenizer.note_started_by(c.tokens[i])) {
      trace->note_track[i] = note->first;
      trace->note_pitch[i] = note->second;
    }
  trace->vocabulary = tokenizer.vocab().names();
  return trace;
}

void check_request(const ui::GenerationRequest& r) {
  if (!(r.length > 0)) throw std::invalid_argument("the length must be positive");
  if (r.candidates < 1 || r.candidates > 64) throw std::invalid_argument("candidates must be between 1 and 64");
  if (!(r.temperature >= 0)) throw std::invalid_argument("the temperature must be >= 0");
  if (r.top_k < 0) throw std::invalid_argument("top-k must be >= 0");
  if (!(r.top_p > 0 && r.top_p <= 1)) throw std::invalid_argument("top-p must be in (0, 1]");
}

}  // namespace

std::shared_ptr<StudioEngine> StudioEngine::load(const fs::path& dir, const EngineSettings& settings) {
  generate::set_compute_threads(settings.threads);
  std::shared_ptr<StudioEngine> engine(new StudioEngine);
  engine->model_ = generate::Model::load(dir, {settings.device});
  engine->description_ = describe_model(engine->model_->info());
  engine->description_.path = dir.string();
  engine->description_.layers = engine->model_->layers();
  engine->description_.heads = engine->model_->heads();
  return engine;
}

StudioEngine::~StudioEngine() = default;

std::string StudioEngine::name() const { return model_->info().name; }
std::string StudioEngine::device() const { return model_->device(); }

ui::GenerationRequest StudioEngine::defaults() const {
  const auto p = generate::default_generation_params(model_->info().scheme);
  ui::GenerationRequest r;
  r.temperature = p.temperature;
  r.top_k = p.top_k;
  r.top_p = p.top_p;
  r.use_grammar = p.use_grammar;
  return r;
}

std::size_t StudioEngine::liveSessions() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

bool StudioEngine::isAlive(const std::string& session) const {
  std::lock_guard lock(mutex_);
  return std::any_of(live_.begin(), live_.end(), [&](const auto& l) { return l->key == session; });
}

ui::GenerationOutcome StudioEngine::generate(const ui::GenerationRequest& request, const ui::GenerationSink& sink) {
  check_request(request);
  const auto& tokenizer = model_->tokenizer();
  const auto t0 = Clock::now();
  generate::GenerationParams params = generate::default_generation_params(model_->info().scheme);
  params.length_unit = to_core(request.length_unit);
  params.length = request.length;
  params.temperature = static_cast<float>(request.temperature);
  params.top_k = request.top_k;
  params.top_p = static_cast<float>(request.top_p);
  params.seed = request.seed;
  params.candidates = request.candidates;
  params.use_grammar = request.use_grammar;

  auto live = std::make_unique<Live>();
  last_reroll_rewound_ = false;
  int reroll_bar = -1;
  if (request.reroll) {
    const auto& rr = *request.reroll;
    reroll_bar = rr.bar;
    live->reroll = {{"bar", rr.bar},
                    {"seed", request.seed},
                    {"parent", rr.parent_recipe.empty() ? nlohmann::json::object() : nlohmann::json::parse(rr.parent_recipe, nullptr, false)}};
    std::lock_guard lock(mutex_);
    auto it = std::find_if(live_.begin(), live_.end(), [&](const auto& l) { return !rr.session.empty() && l->key == rr.session; });
    if (it != live_.end()) {
      const auto points = (*it)->session->rewind_points(rr.candidate);
      if (std::find(points.begin(), points.end(), rr.bar) != points.end()) {
        live->session = (*it)->session->rewind(rr.candidate, rr.bar, request.seed);
        live->prompt = (*it)->prompt;
        live->reroll["rewound_from"] = rr.session;
        last_reroll_rewound_ = true;
      }
    }
    if (!live->session) {
      // No live snapshot: the parent's first bars become the prompt (its notes stay; the model re-reads them).
      live->prompt = generate::prompt_from_score(tokenizer, rr.parent_score, rr.bar,
                                                 request.prompt_source.empty() ? "re-roll" : request.prompt_source);
      params.prompt_bars = rr.bar;
      params.candidates = 1;
    }
  } else if (request.prompt_bars <= 0 || request.prompt.note_count() == 0) {
    live->prompt = generate::prompt_from_scratch(model_->scheme());
  } else {
    live->prompt = generate::prompt_from_score(tokenizer, request.prompt, request.prompt_bars,
                                               request.prompt_source.empty() ? "prompt" : request.prompt_source);
    params.prompt_bars = request.prompt_bars;
  }
  if (!live->session) {
    live->session = std::make_unique<generate::GenerationSession>(model_->incremental(), model_->scheme(), params);
    live->session->start(live->prompt.tokens);
  }
  auto& session = *live->session;

  // What the roll shows first: the tokens already in candidate 0 (the prompt, or the rewound prefix).
  const auto& first = session.candidates().front();
  music::Score shown = tokenizer.decode(first.valid_tokens());
  flag_prompt_notes(shown, tokenizer.decode(live->prompt.tokens));
  const int prefix_bars = reroll_bar >= 0 ? reroll_bar : live->prompt.bars;
  const music::Tick prompt_end = prompt_end_tick(shown, prefix_bars);
  if (sink.reset) sink.reset(shown, prompt_end);
  NoteStreamer streamer(tokenizer, sink);
  streamer.prime(shown);

  const std::int64_t train_len = model_->info().train_len;
  bool training_marked = false;
  auto mark_training = [&] {
    if (training_marked) return;
    const auto& tokens = session.candidates().front().tokens;
    if (static_cast<std::int64_t>(tokens.size()) < train_len) return;
    training_marked = true;
    if (sink.training_end) sink.training_end(training_end_tick(tokenizer, session.candidates().front().valid_tokens(), train_len));
  };
  mark_training();

  // Entropy and log p of candidate 0 go out with the notes' rhythm (kStreamInterval) and at the end.
  std::size_t scores_sent = session.candidates().front().entropy.size();
  auto last_scores = Clock::now();
  auto send_scores = [&](bool final) {
    const auto& c0 = session.candidates().front();
    if (!sink.scores || c0.entropy.size() <= scores_sent) return;
    if (!final && Clock::now() - last_scores < kStreamInterval) return;
    last_scores = Clock::now();
    sink.scores(c0.prompt_length + scores_sent, std::vector<float>(c0.entropy.begin() + std::ptrdiff_t(scores_sent), c0.entropy.end()),
                std::vector<float>(c0.log_prob.begin() + std::ptrdiff_t(scores_sent), c0.log_prob.end()));
    scores_sent = c0.entropy.size();
  };

  bool cancelled = false;
  while (true) {
    if (sink.cancelled && sink.cancelled()) {
      cancelled = true;
      break;
    }
    if (!session.step()) break;
    const auto& c0 = session.candidates().front();
    streamer.maybe_flush(c0.valid_tokens());
    send_scores(/*final=*/false);
    mark_training();
    if (sink.progress) sink.progress(session.progress(), c0.generated());
  }
  streamer.flush(session.candidates().front().valid_tokens(), /*final=*/true);
  send_scores(/*final=*/true);

  ui::GenerationOutcome outcome;
  outcome.cancelled = cancelled;
  std::string key = "s";
  key += std::to_string(next_session_++);
  const auto& traces = session.candidates();
  for (int c = 0; c < static_cast<int>(traces.size()); ++c) {
    generate::Take take = generate::make_take(tokenizer, traces[c], c);
    nlohmann::json recipe = generate::take_recipe(*model_, session.params(), live->prompt, take);
    if (!live->reroll.is_null()) recipe["reroll"] = live->reroll;
    ui::GeneratedTake out;
    out.prompt_end = prompt_end;
    out.training_end = training_end_tick(tokenizer, traces[c].valid_tokens(), train_len);
    out.session = key;
    out.candidate = c;
    out.reroll_bar = reroll_bar;
    out.tokens = take.tokens.size() - take.prompt_length;
    out.partial = cancelled || take.stop == generate::StopReason::Aborted;
    out.recipe = recipe.dump();
    out.trace = make_trace(*model_, traces[c], session.model_seed());
    out.score = std::move(take.score);
    outcome.takes.push_back(std::move(out));
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  live->key = key;
  std::lock_guard lock(mutex_);
  live_.push_front(std::move(live));
  while (live_.size() > kLiveSessions) live_.pop_back();  // an evicted take re-rolls by re-encoding
  return outcome;
}

ui::AttentionMap StudioEngine::attention(const ui::TokenTrace& trace, int layer, int head, std::int64_t begin,
                                         std::int64_t end) const {
  if (trace.model_id != model_->info().id())
    throw std::invalid_argument("this take was made by " + trace.model_id + ", not by the loaded model " +
                                model_->info().id() + ": load it to see its attention");
  const generate::AttentionWindow w = model_->attention(trace.tokens, trace.model_seed, layer, head, begin, end);
  ui::AttentionMap out;
  out.layer = w.layer;
  out.head = w.head;
  out.begin = w.begin;
  out.end = w.end;
  out.weights = w.weights;
  return out;
}

ui::PositionalTemplates StudioEngine::positionalTemplates(int layer, std::int64_t max_lag) const {
  constexpr std::int64_t kMaxApeSize = 512;  // rows / columns of the APE dot-product matrix
  if (layer < 0 || layer >= model_->layers())
    throw std::invalid_argument("positional templates: no layer " + std::to_string(layer + 1) + " (the model has " +
                                std::to_string(model_->layers()) + ")");
  if (max_lag < 1) throw std::invalid_argument("positional templates: the largest lag must be at least 1");
  ui::PositionalTemplates out;
  out.layer = layer;
  out.train_len = model_->info().train_len;
  const std::string& pe = model_->info().pe;
  if (pe == "ape") {
    const generate::PositionalGram gram = model_->positional_dot_products(max_lag + 1, kMaxApeSize);
    out.pe = "ape";
    out.ape_positions = gram.positions;
    out.ape_step = gram.step;
    out.ape_size = gram.size;
    out.ape_dot_products = gram.values;
    return out;
  }
  if (pe != "sine" && pe != "conv")
    throw std::invalid_argument("the model " + model_->info().name + " has no positional encoding (pe " + pe + ")");
  model::KernelOptions options;  // the model's R, seed 0, key at position 0: `spe kernels --model` defaults
  options.max_lag = max_lag;
  options.layer = layer;
  const model::KernelReport report = model_->positional_templates(options);
  out.pe = pe;
  out.gated = report.gated;
  out.heads = report.heads;
  out.dims = report.dims;
  out.realizations = report.realizations;
  out.max_lag = report.max_lag;
  out.prescribed.assign(report.prescribed.begin(), report.prescribed.end());
  out.estimated.assign(report.estimated.begin(), report.estimated.end());
  return out;
}

ui::EvaluationCurve StudioEngine::evaluate(const ui::EvaluationRequest& request,
                                           const std::function<void(double)>& progress,
                                           const std::function<bool()>& cancelled) const {
  if (request.folder.empty()) throw std::invalid_argument("choose a folder of MIDI files to evaluate");
  if (!fs::is_directory(request.folder)) throw std::invalid_argument(request.folder + ": not a folder");
  if (request.length < 0 || request.bucket <= 0 || request.max_files < 0)
    throw std::invalid_argument("the length, bucket and file count must be positive");
  auto loaded = model_folder::load(description_.path, {.device = c10::Device(model_->device())});
  const std::size_t train_len = train::training_length(loaded.meta, loaded.config);
  train::FolderEvalOptions opt;
  opt.all_songs = true;
  opt.bucket = std::size_t(request.bucket);
  opt.corpus.threads = 1;  // beside the compute threads; encoding is quick next to the evaluation
  opt.corpus.max_files = std::size_t(request.max_files);
  opt.eval.max_position = request.length > 0 ? std::size_t(request.length) : 4 * train_len;
  opt.eval.seed = request.seed;
  opt.eval.device = model_->device();
  opt.eval.should_stop = cancelled;
  // Reading the files is the first tenth of the bar, the songs the rest.
  constexpr double kReading = 0.1;
  if (progress) {
    opt.corpus.on_progress = [&progress](std::size_t done, std::size_t total) {
      progress(kReading * double(done) / double(std::max<std::size_t>(1, total)));
    };
    opt.eval.on_progress = [&progress](std::size_t done, std::size_t total) {
      progress(kReading + (1 - kReading) * double(done) / double(std::max<std::size_t>(1, total)));
    };
  }
  auto lm = train::trainable(loaded.model);
  const auto result = train::evaluate_folder(lm, *loaded.tokenizer, request.folder, train_len, opt);
  ui::EvaluationCurve curve;
  for (const auto& s : result.skipped)
    curve.skipped.push_back(s.reason.find(fs::path(s.path).filename().string()) != std::string::npos
                                ? s.reason
                                : s.path + ": " + s.reason);
  curve.train_len = std::int64_t(train_len);
  curve.length = std::int64_t(opt.eval.max_position);
  curve.bucket = request.bucket;
  if (result.cancelled) {
    curve.cancelled = true;
    return curve;
  }
  const auto& r = result.report;
  for (const auto& b : r.buckets) {
    curve.position.push_back(double(b.begin));
    curve.end.push_back(double(b.end));
    curve.loss.push_back(b.stats.mean);
    curve.loss_std.push_back(b.stats.std);
    curve.count.push_back(std::int64_t(b.stats.tokens));
    curve.songs.push_back(std::int64_t(b.stats.songs));
  }
  curve.trained_mean = r.trained.mean;
  curve.trained_std = r.trained.std;
  curve.extrapolated_mean = r.extrapolation.mean;
  curve.extrapolated_std = r.extrapolation.std;
  curve.extrapolated_tokens = std::int64_t(r.extrapolation.tokens);
  curve.files = int(result.songs);
  curve.csv = r.to_csv();
  return curve;
}

}  // namespace spe::studio
