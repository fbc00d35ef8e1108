#pragma once
// Writing an export (CSV, PNG) or a session file in one step: through a QSaveFile, so a failed write leaves
// the previous file whole, and with a one-line error that names the file.

#include <QByteArray>
#include <QImage>
#include <QString>

namespace spe::ui {

// "<file name>: <problem on one line>": what the views report when an export fails.
QString one_line_file_error(const QString& path, const QString& problem);

// Writes `bytes` to `path` atomically. On failure false, and *reason (when given) is QSaveFile's own message,
// possibly empty: for callers that word the error themselves.
bool commit_file_atomically(const QString& path, const QByteArray& bytes, QString* reason);

// Writes `bytes` to `path` atomically; on failure false and *error = one_line_file_error(path, why).
bool write_file_atomically(const QString& path, const QByteArray& bytes, QString* error);

// Saves `image` as a PNG at `path` atomically; on failure false and *error names the file (QSaveFile's
// message, or "cannot write the PNG" when the encoder failed without one).
bool write_image_atomically(const QString& path, const QImage& image, QString* error);

}  // namespace spe::ui
