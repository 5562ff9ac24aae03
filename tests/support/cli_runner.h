// Runs one of our executables as a user would and collects what it printed.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace vela::test {

struct CliRun {
    int exitCode = -1;  // -1: did not start or did not finish; -2: crashed
    QByteArray out;
    QByteArray err;
};

CliRun runProgram(const QString& program, const QStringList& args, int timeoutMs = 60000);

}  // namespace vela::test
