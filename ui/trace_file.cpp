#include "trace_file.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace spe::ui {
namespace {

template <typename T>
QJsonArray to_array(const std::vector<T>& values) {
  QJsonArray out;
  for (const T& v : values) {
    if constexpr (std::is_same_v<T, std::string>)
      out.append(QString::fromStdString(v));
    else
      out.append(double(v));
  }
  return out;
}

template <typename T>
std::vector<T> from_array(const QJsonValue& value) {
  std::vector<T> out;
  for (const auto& v : value.toArray()) {
    if constexpr (std::is_same_v<T, std::string>)
      out.push_back(v.toString().toStdString());
    else
      out.push_back(static_cast<T>(v.toDouble()));
  }
  return out;
}

}  // namespace

QByteArray trace_to_json(const TokenTrace& t) {
  QJsonObject o;
  o[QStringLiteral("format")] = QStringLiteral("spe-studio-trace");
  o[QStringLiteral("version")] = 1;
  o[QStringLiteral("model_id")] = QString::fromStdString(t.model_id);
  o[QStringLiteral("model_seed")] = QString::number(t.model_seed);  // 64 bits: a string, not a double
  o[QStringLiteral("train_len")] = double(t.train_len);
  o[QStringLiteral("ticks_per_beat")] = t.ticks_per_beat;
  o[QStringLiteral("prompt_length")] = double(t.prompt_length);
  o[QStringLiteral("tokens")] = to_array(t.tokens);
  o[QStringLiteral("entropy")] = to_array(t.entropy);
  o[QStringLiteral("log_prob")] = to_array(t.log_prob);
  o[QStringLiteral("bar")] = to_array(t.bar);
  o[QStringLiteral("tick")] = to_array(t.tick);
  o[QStringLiteral("note_track")] = to_array(t.note_track);
  o[QStringLiteral("note_pitch")] = to_array(t.note_pitch);
  o[QStringLiteral("vocabulary")] = to_array(t.vocabulary);
  return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::shared_ptr<const TokenTrace> trace_from_json(const QByteArray& json, QString* error) {
  auto fail = [error](const QString& why) -> std::shared_ptr<const TokenTrace> {
    if (error) *error = why;
    return nullptr;
  };
  QJsonParseError parse_error;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parse_error);
  const QJsonObject o = doc.object();
  if (doc.isNull()) return fail(QStringLiteral("not JSON (%1)").arg(parse_error.errorString()));
  if (o.value(QStringLiteral("format")).toString() != QStringLiteral("spe-studio-trace"))
    return fail(QStringLiteral("not an SPE Studio token trace"));
  auto t = std::make_shared<TokenTrace>();
  t->model_id = o.value(QStringLiteral("model_id")).toString().toStdString();
  bool seed_ok = false;
  t->model_seed = o.value(QStringLiteral("model_seed")).toString().toULongLong(&seed_ok);
  if (!seed_ok) return fail(QStringLiteral("the model seed is missing or not a number"));
  t->train_len = std::int64_t(o.value(QStringLiteral("train_len")).toDouble());
  t->ticks_per_beat = o.value(QStringLiteral("ticks_per_beat")).toInt(480);
  t->prompt_length = std::size_t(o.value(QStringLiteral("prompt_length")).toDouble());
  t->tokens = from_array<int>(o.value(QStringLiteral("tokens")));
  t->entropy = from_array<float>(o.value(QStringLiteral("entropy")));
  t->log_prob = from_array<float>(o.value(QStringLiteral("log_prob")));
  t->bar = from_array<int>(o.value(QStringLiteral("bar")));
  t->tick = from_array<music::Tick>(o.value(QStringLiteral("tick")));
  t->note_track = from_array<int>(o.value(QStringLiteral("note_track")));
  t->note_pitch = from_array<int>(o.value(QStringLiteral("note_pitch")));
  t->vocabulary = from_array<std::string>(o.value(QStringLiteral("vocabulary")));
  const std::size_t n = t->tokens.size();
  if (n == 0 || t->prompt_length > n) return fail(QStringLiteral("no tokens, or a prompt longer than the take"));
  if (t->bar.size() != n || t->tick.size() != n || t->note_track.size() != n || t->note_pitch.size() != n)
    return fail(QStringLiteral("per-token arrays of different lengths"));
  if (t->entropy.size() != n - t->prompt_length || t->log_prob.size() != t->entropy.size())
    return fail(QStringLiteral("scores for %1 tokens, but the take generated %2").arg(t->entropy.size()).arg(n - t->prompt_length));
  for (int id : t->tokens)
    if (id < 0 || std::size_t(id) >= t->vocabulary.size()) return fail(QStringLiteral("token id %1 outside the vocabulary").arg(id));
  return t;
}

}  // namespace spe::ui
