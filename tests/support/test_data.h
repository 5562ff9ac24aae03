// Where the shared fixtures (../shared: models, llama.cpp goldens) are, for every test.
#pragma once

#include <QString>

namespace vela::test {

// $VELA_TEST_DATA, or ../shared beside the source root. Empty when neither exists.
QString testDataDir();
// testDataDir() + "/" + relative; fails the calling test with a clear message when the file is missing.
QString requireTestFile(const QString& relative);
// A scratch folder for files a test writes, removed at exit.
QString scratchDir();
// Points QSettings() at a folder under scratchDir(), so tests neither read nor write the user's settings.
void useScratchSettings();

}  // namespace vela::test

// Use at the top of a test function: fails (never skips) with a message saying how to provide the data.
#define VELA_REQUIRE_FILE(var, relative)                                                                     \
    const QString var = ::vela::test::requireTestFile(relative);                                            \
    if (var.isEmpty())                                                                                       \
        QFAIL(qPrintable(QStringLiteral("test data missing: %1 (set VELA_TEST_DATA to the shared/ folder)") \
                             .arg(relative)));
