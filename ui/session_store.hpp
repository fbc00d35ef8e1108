#pragma once
// Autosave of the user's work: the prompt and every take, written after each change so a crash or
// `kill -9` loses nothing. Layout under the session folder (default $XDG_DATA_HOME/spe-studio/session):
//   session.json      index: prompt path and bars, model, selected take, takes (tree, names, recipes)
//   prompt.mid        the prompt as loaded
//   takes/<id>.mid    each take with its recipe embedded (playable and reproducible on its own)
//   takes/<id>.trace.json  its tokens, entropy and log p (trace_file.hpp), for the insight views
//   running.lock      the PID of the app while it runs; left behind by a crash
// Every file is written atomically (temp file + rename); take files are written before the index that
// names them, so a reader never sees an index pointing at a missing take.

#include <QString>
#include <optional>
#include <set>
#include <vector>

#include "music/score.hpp"
#include "take.hpp"

namespace spe::ui {

struct StudioSession {
  QString prompt_path;        // where the prompt came from (may have moved since)
  music::Score prompt;        // the prompt file's notes
  int prompt_bars = 0;        // how many bars of it generation continues from (0: all)
  QString model_name;         // the model folder that was loaded
  std::vector<Take> takes;    // in takes-panel order
  QString selected_take;
};

class SessionStore {
public:
  explicit SessionStore(QString dir = defaultDir());

  // $XDG_DATA_HOME/spe-studio/session (QStandardPaths' generic data location when XDG_DATA_HOME is unset).
  static QString defaultDir();
  const QString& dir() const { return dir_; }

  // Writes what changed since the last save; false with a one-line `error` naming the file otherwise.
  bool save(const StudioSession& session, QString* error = nullptr);
  // The last saved session; nullopt when there is none (error empty) or the index is unreadable (error
  // says which file and why). Takes whose MIDI file is unreadable are left out and named in `error`.
  std::optional<StudioSession> load(QString* error = nullptr) const;

  // Crash detection: markRunning at start, markClosed at a clean exit. wasInterrupted: a lock is left
  // by a process that is no longer alive and there is a saved session to restore.
  void markRunning();
  void markClosed();
  bool wasInterrupted() const;
  // Forget the saved session (a new session replaces it).
  void clear();

private:
  QString indexPath() const;
  QString promptPath() const;
  QString takePath(const QString& id) const;
  QString tracePath(const QString& id) const;
  QString lockPath() const;

  QString dir_;
  QString written_prompt_key_;      // what prompt.mid holds, so an unchanged prompt is not rewritten
  std::set<QString> written_takes_;  // take files this store wrote (takes do not change once kept)
};

}  // namespace spe::ui
