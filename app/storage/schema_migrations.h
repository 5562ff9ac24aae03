// The chat database's schema version and the ordered migrations that bring an older file up to date.
#pragma once

#include "vela/status.h"

#include <QSqlDatabase>

namespace vela::app::schema {

// The version this build writes; a file with a higher one is refused.
int currentVersion();
// The file's version: 0 for an empty (new) database. Fails for a file that is not SQLite, or a SQLite file
// that holds other tables but no Vela version.
Result<int> readVersion(const QSqlDatabase& db);
// Runs each missing migration in its own transaction, so a crash leaves the file at a whole version.
Status migrate(QSqlDatabase& db, int fromVersion);

}  // namespace vela::app::schema
