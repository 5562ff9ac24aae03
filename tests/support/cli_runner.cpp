#include "support/cli_runner.h"

#include <QFileInfo>
#include <QProcess>

namespace vela::test {

CliRun runProgram(const QString& program, const QStringList& args, int timeoutMs)
{
    QProcess process;
    process.start(program, args);
    CliRun run;
    const QString name = QFileInfo(program).fileName();
    if (!process.waitForStarted(10000)) {
        run.err = (name + " could not be started: " + process.errorString()).toUtf8();
        return run;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        run.err = (name + QStringLiteral(" did not finish within %1 s").arg(timeoutMs / 1000)).toUtf8();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

}  // namespace vela::test
