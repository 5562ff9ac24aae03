// What every reader needs besides its input: the file's name for messages, and the caller's progress
// callback and cancel flag, with the reader's share of the overall progress.
#pragma once

#include "documents/document_extractor.h"

#include <QString>

#include <algorithm>

namespace vela::app {

class ReadContext {
public:
    ReadContext(QString fileName, const ExtractOptions& options)
        : m_fileName(std::move(fileName)), m_options(options) {}

    // The file's name as the user knows it (no folder), quoted in every message.
    const QString& fileName() const { return m_fileName; }
    bool isCancelled() const { return m_options.cancel && m_options.cancel->load(std::memory_order_relaxed); }
    // The next reports' 0…1 map onto [from, to] of the overall progress.
    void setProgressRange(double from, double to)
    {
        m_from = from;
        m_to = to;
    }
    void reportProgress(double fraction) const
    {
        if (m_options.progress)
            m_options.progress(m_from + (m_to - m_from) * std::clamp(fraction, 0.0, 1.0));
    }
    // A failure whose message starts with the file's name: failure("is empty") → "notes.txt is empty".
    Status failure(const QString& what) const { return Status::failure((m_fileName + ' ' + what).toStdString()); }
    static Status cancelled() { return Status::failure(kExtractionCancelled); }

private:
    QString m_fileName;
    const ExtractOptions& m_options;
    double m_from = 0.0;
    double m_to = 1.0;
};

}  // namespace vela::app
