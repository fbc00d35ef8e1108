#pragma once
// The takes panel: every take of the session in a tree (re-rolls under the take they continue,
// candidates of one run as siblings), select to show, rename in place, delete with undo. It owns the
// takes; the window listens to `changed` (autosave) and `currentTakeChanged` (show it).

#include <QWidget>
#include <vector>

#include "take.hpp"

class QTreeWidget;
class QTreeWidgetItem;
class QUndoStack;

namespace spe::ui {

class TakesPanel : public QWidget {
  Q_OBJECT

 public:
  explicit TakesPanel(QWidget* parent = nullptr);

  // Adds a take (under its parent when that exists) and returns its id (assigned when empty).
  QString addTake(Take take, bool select = true);
  void setTakes(std::vector<Take> takes);  // restore: replaces everything, clears undo
  const std::vector<Take>& takes() const { return takes_; }
  const Take* take(const QString& id) const;
  Take* mutableTake(const QString& id);
  QString currentId() const;
  void select(const QString& id);
  bool rename(const QString& id, const QString& name);
  // Removes the take and its children (undoable). False when there is no such take.
  bool remove(const QString& id);
  QUndoStack* undoStack() const { return undo_; }
  int count() const { return int(takes_.size()); }
  QTreeWidget* tree() const { return tree_; }
  // A fresh name: "Take 3", "Take 3.1" for the first re-roll of take 3, "Take 4b" for a second candidate.
  QString nextName(const QString& parent_id, int candidate) const;

 Q_SIGNALS:
  void currentTakeChanged(const QString& id);  // empty: none
  void changed();                              // added, renamed, removed, restored
  void exportMidiRequested(const QString& id);
  void exportAudioRequested(const QString& id);

 private:
  friend class RemoveTakesCommand;
  void rebuild(const QString& select_id);
  QTreeWidgetItem* itemFor(const QString& id) const;
  std::vector<Take> takes_;
  int next_number_ = 1;
  QTreeWidget* tree_ = nullptr;
  QUndoStack* undo_ = nullptr;
  bool rebuilding_ = false;
};

}  // namespace spe::ui
