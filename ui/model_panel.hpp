#pragma once
// The model panel: bundled, user and added models with what a musician needs to choose one (scheme,
// positional encoding, gating, training length, size, license, description), the compute device and
// threads, and add / remove of model folders. Loading is the window's job: the panel asks for it.

#include <QWidget>
#include <vector>

#include "generation_engine.hpp"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace spe::ui {

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  void setModels(const std::vector<ModelDescription>& models);
  const std::vector<ModelDescription>& models() const { return models_; }
  // Selects the model whose folder is `path` (no signal); false when it is not listed.
  bool selectPath(const QString& path);
  QString selectedPath() const;
  // The loaded model (bold in the list) and its status line; an error shows in red.
  void setLoaded(const QString& path, const QString& status);
  void setError(const QString& message);
  QString statusText() const;

  QString device() const;
  void setDevice(const QString& device);
  // CUDA stays listed but disabled, with the reason as its tooltip, when it cannot be used.
  void setCudaAvailable(bool available, const QString& reason);
  bool cudaAvailable(QString* reason = nullptr) const;
  int threads() const;
  void setThreads(int threads);
  QString detailsText() const;

 Q_SIGNALS:
  void loadRequested(const QString& path);  // the user picked a model (or changed device / threads)
  void addFolderRequested();
  void removeFolderRequested(const QString& path);

 private:
  void showDetails(int row);
  std::vector<ModelDescription> models_;
  QString loaded_path_;
  QListWidget* list_ = nullptr;
  QLabel* details_ = nullptr;
  QLabel* status_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QPushButton* add_ = nullptr;
  QPushButton* remove_ = nullptr;
};

// "sineSPE, gated" / "convSPE, ungated" / "APE" for the list and the details.
QString positional_encoding_label(const ModelDescription& model);

}  // namespace spe::ui
