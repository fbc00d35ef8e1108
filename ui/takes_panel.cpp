#include "takes_panel.hpp"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QTreeWidget>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "timeline.hpp"

namespace spe::ui {

// Removes a take and its descendants; undo puts them back at their places.
class RemoveTakesCommand : public QUndoCommand {
 public:
  RemoveTakesCommand(TakesPanel* panel, const QString& id) : panel_(panel), id_(id) {
    const Take* t = panel->take(id);
    setText(QObject::tr("Delete %1").arg(t ? t->name : id));
  }
  void redo() override {
    std::set<QString> doomed{id_};
    for (bool grew = true; grew;) {  // descendants (parents precede children, but be safe)
      grew = false;
      for (const auto& t : panel_->takes_)
        if (!doomed.count(t.id) && doomed.count(t.parent_id)) grew = doomed.insert(t.id).second || grew;
    }
    removed_.clear();
    auto& takes = panel_->takes_;
    for (std::size_t i = 0; i < takes.size();) {
      if (doomed.count(takes[i].id)) {
        removed_.push_back({i + removed_.size(), takes[i]});
        takes.erase(takes.begin() + std::ptrdiff_t(i));
      } else {
        ++i;
      }
    }
    panel_->rebuild(QString());
    Q_EMIT panel_->changed();
  }
  void undo() override {
    auto& takes = panel_->takes_;
    for (const auto& [index, take] : removed_) takes.insert(takes.begin() + std::ptrdiff_t(std::min(index, takes.size())), take);
    panel_->rebuild(id_);
    Q_EMIT panel_->changed();
  }

 private:
  TakesPanel* panel_;
  QString id_;
  std::vector<std::pair<std::size_t, Take>> removed_;  // original index, take
};

namespace {

class TakesTree : public QTreeWidget {
 public:
  using QTreeWidget::QTreeWidget;
  std::function<void()> on_delete;

 protected:
  void keyPressEvent(QKeyEvent* event) override {
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && state() != EditingState && on_delete) {
      on_delete();
      return;
    }
    QTreeWidget::keyPressEvent(event);
  }
};

QString summary(const Take& t) {
  const int bars = bar_count(t.score);
  std::size_t generated = 0;
  for (const auto& tr : t.score.tracks)
    for (const auto& n : tr.notes) generated += n.from_prompt ? 0 : 1;
  QString s = QObject::tr("%1 bars, %2 new notes").arg(bars).arg(generated);
  if (t.partial) s += QObject::tr(" (stopped)");
  return s;
}

}  // namespace

TakesPanel::TakesPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("takesPanel"));
  undo_ = new QUndoStack(this);
  auto* tree = new TakesTree(this);
  tree_ = tree;
  tree_->setObjectName(QStringLiteral("takesTree"));
  tree_->setColumnCount(3);
  tree_->setHeaderLabels({tr("Take"), tr("Model"), tr("Length")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  tree_->setContextMenuPolicy(Qt::CustomContextMenu);
  tree_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(tree_);
  tree->on_delete = [this] { remove(currentId()); };

  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (!rebuilding_) Q_EMIT currentTakeChanged(item ? item->data(0, Qt::UserRole).toString() : QString());
  });
  connect(tree_, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int column) {
    if (rebuilding_ || column != 0) return;
    const QString id = item->data(0, Qt::UserRole).toString();
    const Take* t = take(id);
    if (t && item->text(0).trimmed() != t->name) rename(id, item->text(0));
  });
  connect(tree_, &QTreeWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    QTreeWidgetItem* item = tree_->itemAt(pos);
    if (!item) return;
    const QString id = item->data(0, Qt::UserRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Export MIDI…"), this, [this, id] { Q_EMIT exportMidiRequested(id); });
    menu.addAction(tr("Export audio (WAV)…"), this, [this, id] { Q_EMIT exportAudioRequested(id); });
    menu.addSeparator();
    menu.addAction(tr("Rename"), this, [this, item] { tree_->editItem(item, 0); });
    menu.addAction(tr("Delete"), this, [this, id] { remove(id); });
    menu.exec(tree_->viewport()->mapToGlobal(pos));
  });
}

QString TakesPanel::nextName(const QString& parent_id, int candidate) const {
  if (const Take* parent = take(parent_id)) {
    int children = 1;
    for (const auto& t : takes_) children += t.parent_id == parent_id ? 1 : 0;
    return QStringLiteral("%1.%2").arg(parent->name).arg(children);
  }
  const QString letter = candidate > 0 ? QString(QChar('a' + std::min(candidate, 25))) : QString();
  return tr("Take %1%2").arg(next_number_).arg(letter);
}

QString TakesPanel::addTake(Take take, bool select_it) {
  if (take.id.isEmpty()) {
    int n = int(takes_.size()) + 1;
    auto used = [this](const QString& id) { return this->take(id) != nullptr; };
    while (used(QStringLiteral("take-%1").arg(n))) ++n;
    take.id = QStringLiteral("take-%1").arg(n);
  }
  if (take.name.isEmpty()) take.name = nextName(take.parent_id, take.candidate);
  if (take.parent_id.isEmpty() && take.candidate == 0) ++next_number_;
  const QString id = take.id;
  takes_.push_back(std::move(take));
  rebuild(select_it ? id : currentId());
  Q_EMIT changed();
  if (select_it) Q_EMIT currentTakeChanged(id);
  return id;
}

void TakesPanel::setTakes(std::vector<Take> takes) {
  takes_ = std::move(takes);
  undo_->clear();
  next_number_ = 1;
  for (const auto& t : takes_)
    if (t.parent_id.isEmpty() && t.candidate == 0) ++next_number_;
  rebuild(takes_.empty() ? QString() : takes_.back().id);
  Q_EMIT changed();
}

const Take* TakesPanel::take(const QString& id) const {
  for (const auto& t : takes_)
    if (t.id == id) return &t;
  return nullptr;
}

Take* TakesPanel::mutableTake(const QString& id) { return const_cast<Take*>(take(id)); }

QString TakesPanel::currentId() const {
  const auto* item = tree_->currentItem();
  return item ? item->data(0, Qt::UserRole).toString() : QString();
}

void TakesPanel::select(const QString& id) {
  if (auto* item = itemFor(id)) tree_->setCurrentItem(item);
}

bool TakesPanel::rename(const QString& id, const QString& name) {
  Take* t = mutableTake(id);
  const QString clean = name.simplified();
  if (!t || clean.isEmpty()) {
    rebuild(currentId());
    return false;
  }
  t->name = clean;
  rebuild(currentId());
  Q_EMIT changed();
  return true;
}

bool TakesPanel::remove(const QString& id) {
  if (!take(id)) return false;
  undo_->push(new RemoveTakesCommand(this, id));
  return true;
}

QTreeWidgetItem* TakesPanel::itemFor(const QString& id) const {
  QTreeWidgetItemIterator it(tree_);
  for (; *it; ++it)
    if ((*it)->data(0, Qt::UserRole).toString() == id) return *it;
  return nullptr;
}

void TakesPanel::rebuild(const QString& select_id) {
  rebuilding_ = true;
  const QString before = currentId();
  tree_->clear();
  std::map<QString, QTreeWidgetItem*> items;
  for (const auto& t : takes_) {
    auto parent = items.find(t.parent_id);
    auto* item = parent != items.end() ? new QTreeWidgetItem(parent->second) : new QTreeWidgetItem(tree_);
    item->setText(0, t.name);
    item->setText(1, t.model_name);
    item->setText(2, summary(t));
    item->setToolTip(0, QString::fromStdString(t.recipe));
    item->setData(0, Qt::UserRole, t.id);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    items[t.id] = item;
  }
  tree_->expandAll();
  QString target = select_id.isEmpty() ? before : select_id;
  if (!take(target)) target = takes_.empty() ? QString() : takes_.back().id;
  if (auto* item = itemFor(target)) tree_->setCurrentItem(item);
  rebuilding_ = false;
  if (currentId() != before) Q_EMIT currentTakeChanged(currentId());
}

}  // namespace spe::ui
