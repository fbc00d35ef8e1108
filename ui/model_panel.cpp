#include "model_panel.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>

namespace spe::ui {

QString positional_encoding_label(const ModelDescription& m) {
  if (m.pe == "sine") return m.gated ? QObject::tr("sineSPE, gated") : QObject::tr("sineSPE, ungated");
  if (m.pe == "conv") return m.gated ? QObject::tr("convSPE, gated") : QObject::tr("convSPE, ungated");
  if (m.pe == "ape") return QObject::tr("APE (absolute)");
  return QString::fromStdString(m.pe);
}

namespace {

QString scheme_label(const std::string& scheme) {
  if (scheme == "remi") return QObject::tr("REMI (pop piano)");
  if (scheme == "event") return QObject::tr("event tokens (bass, drums, accompaniment)");
  return QString::fromStdString(scheme);
}

QString parameters_label(std::int64_t n) {
  if (n <= 0) return QObject::tr("unknown");
  if (n >= 1000000) return QObject::tr("%1 M").arg(double(n) / 1e6, 0, 'f', 1);
  return QObject::tr("%1 k").arg(double(n) / 1e3, 0, 'f', 0);
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("modelPanel"));
  auto* layout = new QVBoxLayout(this);
  list_ = new QListWidget(this);
  list_->setObjectName(QStringLiteral("modelList"));
  list_->setMinimumHeight(120);
  layout->addWidget(list_, 1);

  auto* buttons = new QHBoxLayout;
  add_ = new QPushButton(tr("Add folder…"), this);
  add_->setObjectName(QStringLiteral("addModelButton"));
  remove_ = new QPushButton(tr("Remove"), this);
  remove_->setObjectName(QStringLiteral("removeModelButton"));
  remove_->setToolTip(tr("Forget an added folder (its files stay on disk)"));
  buttons->addWidget(add_);
  buttons->addWidget(remove_);
  buttons->addStretch(1);
  layout->addLayout(buttons);

  details_ = new QLabel(this);
  details_->setObjectName(QStringLiteral("modelDetails"));
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(details_);

  auto* form = new QFormLayout;
  device_ = new QComboBox(this);
  device_->setObjectName(QStringLiteral("deviceCombo"));
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  threads_ = new QSpinBox(this);
  threads_->setObjectName(QStringLiteral("threadsSpin"));
  threads_->setRange(1, std::max(1, QThread::idealThreadCount()));
  threads_->setValue(std::min(2, threads_->maximum()));
  threads_->setToolTip(tr("CPU threads for the model (1–2 is best for one take at a time)"));
  form->addRow(tr("Device"), device_);
  form->addRow(tr("Threads"), threads_);
  layout->addLayout(form);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("modelStatus"));
  status_->setWordWrap(true);
  layout->addWidget(status_);

  connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
    showDetails(row);
    remove_->setEnabled(row >= 0 && row < int(models_.size()) && models_[size_t(row)].source == "added");
  });
  connect(list_, &QListWidget::itemActivated, this, [this] { Q_EMIT loadRequested(selectedPath()); });
  connect(list_, &QListWidget::itemClicked, this, [this] {
    if (selectedPath() != loaded_path_) Q_EMIT loadRequested(selectedPath());
  });
  connect(device_, &QComboBox::currentIndexChanged, this, [this] {
    if (!loaded_path_.isEmpty()) Q_EMIT loadRequested(loaded_path_);
  });
  connect(threads_, &QSpinBox::editingFinished, this, [this] {
    if (!loaded_path_.isEmpty()) Q_EMIT loadRequested(loaded_path_);
  });
  connect(add_, &QPushButton::clicked, this, &ModelPanel::addFolderRequested);
  connect(remove_, &QPushButton::clicked, this, [this] { Q_EMIT removeFolderRequested(selectedPath()); });
  remove_->setEnabled(false);
}

void ModelPanel::setModels(const std::vector<ModelDescription>& models) {
  const QString keep = selectedPath();
  models_ = models;
  QSignalBlocker block(list_);
  list_->clear();
  for (const auto& m : models_) {
    QString text = QString::fromStdString(m.name);
    if (m.error.empty()) text += QStringLiteral("  —  ") + positional_encoding_label(m);
    if (m.is_default) text += tr("  (default)");
    auto* item = new QListWidgetItem(text, list_);
    item->setData(Qt::UserRole, QString::fromStdString(m.path));
    item->setToolTip(QString::fromStdString(m.error.empty() ? m.path : m.error));
    if (!m.error.empty()) item->setForeground(QColor(200, 80, 80));
    QFont f = item->font();
    f.setBold(QString::fromStdString(m.path) == loaded_path_);
    item->setFont(f);
  }
  if (!selectPath(keep) && !models_.empty()) list_->setCurrentRow(0);
  showDetails(list_->currentRow());
}

bool ModelPanel::selectPath(const QString& path) {
  for (int i = 0; i < list_->count(); ++i)
    if (list_->item(i)->data(Qt::UserRole).toString() == path) {
      QSignalBlocker block(list_);
      list_->setCurrentRow(i);
      showDetails(i);
      remove_->setEnabled(models_[size_t(i)].source == "added");
      return true;
    }
  return false;
}

QString ModelPanel::selectedPath() const {
  const auto* item = list_->currentItem();
  return item ? item->data(Qt::UserRole).toString() : QString();
}

void ModelPanel::setLoaded(const QString& path, const QString& status) {
  loaded_path_ = path;
  for (int i = 0; i < list_->count(); ++i) {
    auto* item = list_->item(i);
    QFont f = item->font();
    f.setBold(item->data(Qt::UserRole).toString() == path);
    item->setFont(f);
  }
  selectPath(path);
  status_->setStyleSheet(QString());
  status_->setText(status);
}

void ModelPanel::setError(const QString& message) {
  status_->setStyleSheet(QStringLiteral("color: #e06060;"));
  status_->setText(message);
}

QString ModelPanel::statusText() const { return status_->text(); }
QString ModelPanel::detailsText() const { return details_->text(); }

QString ModelPanel::device() const { return device_->currentData().toString(); }

void ModelPanel::setDevice(const QString& device) {
  QSignalBlocker block(device_);
  const int i = device_->findData(device.startsWith(QStringLiteral("cuda")) ? QStringLiteral("cuda") : QStringLiteral("cpu"));
  if (i >= 0) {
    auto* model = qobject_cast<QStandardItemModel*>(device_->model());
    if (!model || model->item(i)->isEnabled()) device_->setCurrentIndex(i);
  }
}

void ModelPanel::setCudaAvailable(bool available, const QString& reason) {
  auto* model = qobject_cast<QStandardItemModel*>(device_->model());
  if (!model) return;
  QStandardItem* cuda = model->item(1);
  cuda->setEnabled(available);
  cuda->setToolTip(available ? QString() : reason);
  cuda->setText(available ? tr("CUDA GPU") : tr("CUDA GPU (unavailable: %1)").arg(reason));
  if (!available && device_->currentIndex() == 1) {
    QSignalBlocker block(device_);
    device_->setCurrentIndex(0);
  }
}

bool ModelPanel::cudaAvailable(QString* reason) const {
  const auto* model = qobject_cast<const QStandardItemModel*>(device_->model());
  const QStandardItem* cuda = model ? model->item(1) : nullptr;
  if (reason && cuda) *reason = cuda->toolTip();
  return cuda && cuda->isEnabled();
}

int ModelPanel::threads() const { return threads_->value(); }
void ModelPanel::setThreads(int threads) {
  QSignalBlocker block(threads_);
  threads_->setValue(threads);
}

void ModelPanel::showDetails(int row) {
  if (row < 0 || row >= int(models_.size())) {
    details_->setText(tr("No models found. Add a model folder (one holding model.json)."));
    return;
  }
  const auto& m = models_[size_t(row)];
  if (!m.error.empty()) {
    details_->setText(tr("<b>%1</b><br><span style='color:#e06060'>%2</span>")
                          .arg(QString::fromStdString(m.name).toHtmlEscaped(), QString::fromStdString(m.error).toHtmlEscaped()));
    return;
  }
  details_->setText(tr("<b>%1</b> <small>(%2)</small><br>"
                       "Tokens: %3<br>Positional encoding: %4<br>Training length: %5 tokens<br>"
                       "Parameters: %6<br>License: %7<br><i>%8</i>")
                        .arg(QString::fromStdString(m.name).toHtmlEscaped(), QString::fromStdString(m.source),
                             scheme_label(m.scheme), positional_encoding_label(m), QString::number(m.train_len),
                             parameters_label(m.parameters),
                             QString::fromStdString(m.license.empty() ? "not stated" : m.license).toHtmlEscaped(),
                             QString::fromStdString(m.description).toHtmlEscaped()));
}

}  // namespace spe::ui
