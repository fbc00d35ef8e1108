// SessionStore: the autosave folder (see the header for its layout).
#include "session_store.hpp"

#include "export_file.hpp"
#include "trace_file.hpp"

#include <signal.h>
#include <cerrno>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <exception>
#include <filesystem>

#include "music/recipe_midi.hpp"
#include "music/score_midi.hpp"

namespace spe::ui {
namespace {

constexpr int kFormatVersion = 1;

std::filesystem::path fs_path(const QString& path) { return std::filesystem::path(QFile::encodeName(path).toStdString()); }

// The whole path in the message: the user never chose the session folder, so the file name alone says little.
bool write_text_atomically(const QString& path, const QByteArray& bytes, QString* error) {
  QString reason;
  if (commit_file_atomically(path, bytes, &reason)) return true;
  if (error) *error = QStringLiteral("%1: cannot write: %2").arg(path, reason);
  return false;
}

// A take id becomes a file name: keep it to characters every file system accepts.
QString file_stem(const QString& id) {
  QString stem;
  for (const QChar c : id) stem += (c.isLetterOrNumber() || c == u'-' || c == u'_') ? c : QChar(u'_');
  return stem.isEmpty() ? QStringLiteral("take") : stem;
}

QString prompt_key(const StudioSession& s) {
  return QStringLiteral("%1|%2|%3|%4").arg(s.prompt_path).arg(s.prompt.note_count()).arg(s.prompt.end_tick()).arg(s.prompt.ticks_per_beat);
}

QJsonObject take_to_json(const Take& t) {
  QJsonObject o;
  o[QStringLiteral("id")] = t.id;
  o[QStringLiteral("parent")] = t.parent_id;
  o[QStringLiteral("name")] = t.name;
  o[QStringLiteral("recipe")] = QString::fromStdString(t.recipe);
  o[QStringLiteral("prompt_end")] = static_cast<qint64>(t.prompt_end);
  o[QStringLiteral("training_end")] = static_cast<qint64>(t.training_end);
  o[QStringLiteral("reroll_bar")] = t.reroll_bar;
  o[QStringLiteral("model")] = t.model_name;
  o[QStringLiteral("candidate")] = t.candidate;
  o[QStringLiteral("partial")] = t.partial;
  return o;
}

Take take_from_json(const QJsonObject& o) {
  Take t;
  t.id = o.value(QStringLiteral("id")).toString();
  t.parent_id = o.value(QStringLiteral("parent")).toString();
  t.name = o.value(QStringLiteral("name")).toString();
  t.recipe = o.value(QStringLiteral("recipe")).toString(QStringLiteral("{}")).toStdString();
  t.prompt_end = o.value(QStringLiteral("prompt_end")).toInteger();
  t.training_end = o.value(QStringLiteral("training_end")).toInteger(-1);
  t.reroll_bar = o.value(QStringLiteral("reroll_bar")).toInt(-1);
  t.model_name = o.value(QStringLiteral("model")).toString();
  t.candidate = o.value(QStringLiteral("candidate")).toInt();
  t.partial = o.value(QStringLiteral("partial")).toBool();
  return t;
}

// MIDI has no "from the prompt" flag: notes that start before the continuation are the prompt's.
void flag_prompt_notes(music::Score& score, music::Tick prompt_end) {
  for (auto& track : score.tracks)
    for (auto& note : track.notes) note.from_prompt = note.start < prompt_end;
}

bool process_alive(qint64 pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

SessionStore::SessionStore(QString dir) : dir_(std::move(dir)) {}

QString SessionStore::defaultDir() {
  const QByteArray xdg = qgetenv("XDG_DATA_HOME");
  const QString base = !xdg.isEmpty() ? QFile::decodeName(xdg)
                                      : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
  return QDir(base).filePath(QStringLiteral("spe-studio/session"));
}

QString SessionStore::indexPath() const { return QDir(dir_).filePath(QStringLiteral("session.json")); }
QString SessionStore::promptPath() const { return QDir(dir_).filePath(QStringLiteral("prompt.mid")); }
QString SessionStore::takePath(const QString& id) const {
  return QDir(dir_).filePath(QStringLiteral("takes/%1.mid").arg(file_stem(id)));
}
QString SessionStore::tracePath(const QString& id) const {
  return QDir(dir_).filePath(QStringLiteral("takes/%1.trace.json").arg(file_stem(id)));
}
QString SessionStore::lockPath() const { return QDir(dir_).filePath(QStringLiteral("running.lock")); }

bool SessionStore::save(const StudioSession& session, QString* error) {
  if (!QDir().mkpath(QDir(dir_).filePath(QStringLiteral("takes")))) {
    if (error) *error = QStringLiteral("%1: cannot create the session folder").arg(dir_);
    return false;
  }
  try {
    const QString key = prompt_key(session);
    if (key != written_prompt_key_) {
      music::write_score(session.prompt, fs_path(promptPath()));
      written_prompt_key_ = key;
    }
    std::set<QString> present;
    for (const Take& take : session.takes) {
      present.insert(take.id);
      if (written_takes_.count(take.id) && QFileInfo::exists(takePath(take.id))) continue;
      music::write_score_with_recipe(take.score, take.recipe == "{}" ? std::string() : take.recipe, fs_path(takePath(take.id)));
      if (take.trace && !write_text_atomically(tracePath(take.id), trace_to_json(*take.trace), error)) return false;
      written_takes_.insert(take.id);
    }
    // Files of deleted takes go only after the index no longer names them (below).
    QJsonArray takes;
    for (const Take& take : session.takes) takes.append(take_to_json(take));
    QJsonObject index;
    index[QStringLiteral("format")] = QStringLiteral("spe-studio-session");
    index[QStringLiteral("version")] = kFormatVersion;
    index[QStringLiteral("prompt_path")] = session.prompt_path;
    index[QStringLiteral("prompt_bars")] = session.prompt_bars;
    index[QStringLiteral("model")] = session.model_name;
    index[QStringLiteral("selected_take")] = session.selected_take;
    index[QStringLiteral("takes")] = takes;
    if (!write_text_atomically(indexPath(), QJsonDocument(index).toJson(QJsonDocument::Indented), error)) return false;
    for (auto it = written_takes_.begin(); it != written_takes_.end();) {
      if (present.count(*it)) {
        ++it;
        continue;
      }
      QFile::remove(takePath(*it));
      QFile::remove(tracePath(*it));
      it = written_takes_.erase(it);
    }
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what()).simplified();
    return false;
  }
  return true;
}

std::optional<StudioSession> SessionStore::load(QString* error) const {
  if (error) error->clear();
  QFile file(indexPath());
  if (!file.exists()) return std::nullopt;
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = QStringLiteral("%1: cannot read: %2").arg(indexPath(), file.errorString());
    return std::nullopt;
  }
  QJsonParseError parse_error;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse_error);
  const QJsonObject index = doc.object();
  if (doc.isNull() || index.value(QStringLiteral("format")).toString() != QStringLiteral("spe-studio-session")) {
    if (error)
      *error = QStringLiteral("%1: not an SPE Studio session index%2")
                   .arg(indexPath(), doc.isNull() ? QStringLiteral(" (%1)").arg(parse_error.errorString()) : QString());
    return std::nullopt;
  }
  if (index.value(QStringLiteral("version")).toInt() > kFormatVersion) {
    if (error) *error = QStringLiteral("%1: written by a newer SPE Studio (format version %2)").arg(indexPath()).arg(index.value(QStringLiteral("version")).toInt());
    return std::nullopt;
  }
  StudioSession session;
  session.prompt_path = index.value(QStringLiteral("prompt_path")).toString();
  session.prompt_bars = index.value(QStringLiteral("prompt_bars")).toInt();
  session.model_name = index.value(QStringLiteral("model")).toString();
  session.selected_take = index.value(QStringLiteral("selected_take")).toString();
  QStringList problems;
  try {
    if (QFileInfo::exists(promptPath())) session.prompt = music::read_score(fs_path(promptPath()));
  } catch (const std::exception& e) {
    problems << QString::fromUtf8(e.what()).simplified();
  }
  for (const auto& value : index.value(QStringLiteral("takes")).toArray()) {
    Take take = take_from_json(value.toObject());
    if (take.id.isEmpty()) continue;
    try {
      take.score = music::read_score(fs_path(takePath(take.id)));
      flag_prompt_notes(take.score, take.prompt_end);
      // The trace is optional (older sessions have none); an unreadable one is named, the take kept.
      QFile trace_file(tracePath(take.id));
      if (trace_file.exists()) {
        QString why;
        if (trace_file.open(QIODevice::ReadOnly)) take.trace = trace_from_json(trace_file.readAll(), &why);
        else why = trace_file.errorString();
        if (!take.trace) problems << QStringLiteral("%1: %2").arg(tracePath(take.id), why);
      }
      session.takes.push_back(std::move(take));
    } catch (const std::exception& e) {
      problems << QString::fromUtf8(e.what()).simplified();
    }
  }
  if (error && !problems.isEmpty()) *error = problems.join(QStringLiteral("; "));
  return session;
}

void SessionStore::markRunning() {
  QDir().mkpath(dir_);
  write_text_atomically(lockPath(), QByteArray::number(static_cast<qint64>(::getpid())), nullptr);
}

void SessionStore::markClosed() { QFile::remove(lockPath()); }

bool SessionStore::wasInterrupted() const {
  QFile lock(lockPath());
  if (!lock.open(QIODevice::ReadOnly)) return false;
  const qint64 pid = lock.readAll().trimmed().toLongLong();
  if (pid == static_cast<qint64>(::getpid()) || process_alive(pid)) return false;
  return QFileInfo::exists(indexPath());
}

void SessionStore::clear() {
  QDir(dir_).removeRecursively();
  written_prompt_key_.clear();
  written_takes_.clear();
}

}  // namespace spe::ui
