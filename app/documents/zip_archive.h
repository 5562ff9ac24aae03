// Read-only access to the entries of a zip file (DOCX and EPUB are zip packages), through libzip.
// Move-only; one archive must not be used by two threads at once, separate archives may.
#pragma once

#include "vela/status.h"

#include <QByteArray>
#include <QString>

#include <memory>

struct zip;

namespace vela::app {

class ZipArchive {
public:
    // Fails with a short reason ("not a zip archive", "cannot be read") for the caller to put after the
    // file's name.
    static Result<ZipArchive> open(const QString& path);

    bool contains(const QString& name) const;
    // The whole entry `name` (exact match first, then ignoring case). Fails with a short reason naming the
    // entry when it is missing, encrypted, damaged, or larger than `maxBytes` once inflated (a zip bomb
    // stops there instead of filling memory).
    Result<QByteArray> read(const QString& name, qint64 maxBytes) const;

private:
    struct Closer {
        void operator()(zip* archive) const;
    };
    explicit ZipArchive(zip* archive) : m_zip(archive) {}
    long long locate(const QString& name) const;

    std::unique_ptr<zip, Closer> m_zip;
};

}  // namespace vela::app
