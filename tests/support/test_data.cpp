#include "support/test_data.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>

namespace vela::test {

QString testDataDir()
{
    const QString fromEnv = qEnvironmentVariable("VELA_TEST_DATA");
    const QString dir = fromEnv.isEmpty() ? QStringLiteral(VELA_SOURCE_DIR "/../shared") : fromEnv;
    return QFileInfo(dir).isDir() ? QDir(dir).absolutePath() : QString();
}

QString requireTestFile(const QString& relative)
{
    const QString dir = testDataDir();
    if (dir.isEmpty())
        return {};
    const QString path = dir + QLatin1Char('/') + relative;
    return QFileInfo::exists(path) ? path : QString();
}

QString scratchDir()
{
    static QTemporaryDir dir;
    return dir.path();
}

void useScratchSettings()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratchDir() + "/settings");
}

}  // namespace vela::test
