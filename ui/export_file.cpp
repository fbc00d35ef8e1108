#include "export_file.hpp"

#include <QFileInfo>
#include <QObject>
#include <QSaveFile>

namespace spe::ui {

QString one_line_file_error(const QString& path, const QString& problem) {
  return QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), problem.simplified());
}

bool commit_file_atomically(const QString& path, const QByteArray& bytes, QString* reason) {
  QSaveFile file(path);
  if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit()) return true;
  if (reason) *reason = file.errorString();
  return false;
}

bool write_file_atomically(const QString& path, const QByteArray& bytes, QString* error) {
  QString reason;
  if (commit_file_atomically(path, bytes, &reason)) return true;
  if (error) *error = one_line_file_error(path, reason);
  return false;
}

bool write_image_atomically(const QString& path, const QImage& image, QString* error) {
  QSaveFile file(path);
  if (file.open(QIODevice::WriteOnly) && image.save(&file, "PNG") && file.commit()) return true;
  // QImageWriter leaves QSaveFile's message empty when the encoding itself fails.
  if (error) {
    const QString why = file.errorString();
    *error = one_line_file_error(path, why.isEmpty() ? QObject::tr("cannot write the PNG") : why);
  }
  return false;
}

}  // namespace spe::ui
