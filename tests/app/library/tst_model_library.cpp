// The model list: every shared fixture described from its header, broken files described (not fatal),
// projectors paired with their model.
#include "support/test_data.h"

#include "library/model_library.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace vela::app;

class TestModelLibrary : public QObject {
    Q_OBJECT

private slots:
    void describesAModel()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        const ModelEntry e = ModelLibrary::describe(path, 2048);
        QVERIFY2(e.problem.isEmpty(), qPrintable(e.problem));
        QCOMPARE(e.architecture, QStringLiteral("llama"));
        QCOMPARE(e.parameters, uint64_t(292800));
        QCOMPARE(e.quantization, QStringLiteral("F32"));
        QCOMPARE(e.fileBytes, uint64_t(1185376));
        QCOMPARE(e.contextLength, 2048u);
        QVERIFY(e.estimatedBytes > 1171200);  // the weights plus a KV cache and scratch
        QVERIFY(e.supported);
    }

    void describesBrokenAndUnsupportedFiles()
    {
        const QString dir = vela::test::scratchDir() + "/library";
        QDir().mkpath(dir);
        QFile broken(dir + "/broken.gguf");
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a model");
        broken.close();
        const ModelEntry e = ModelLibrary::describe(broken.fileName());
        QVERIFY(!e.supported);
        QVERIFY2(e.problem.contains("not a GGUF file"), qPrintable(e.problem));
        VELA_REQUIRE_FILE(starcoder, "models/vocab/ggml-vocab-starcoder.gguf");
        const ModelEntry g = ModelLibrary::describe(starcoder);
        QVERIFY(!g.supported);
        QCOMPARE(g.problem, QStringLiteral("unsupported architecture 'starcoder2' (Vela runs llama, qwen2, qwen3, gemma, "
                                           "gemma2, gemma3, phi2, phi3, qwen2moe, qwen3moe, grok, deepseek2 models "
                                           "so far)"));
    }

    void scansAFolderAndPairsProjectors()
    {
        VELA_REQUIRE_FILE(model, "models/vision/gemma3-vision-tiny.gguf");
        const QList<ModelEntry> entries = ModelLibrary::scanFolder(QFileInfo(model).absolutePath());
        QStringList names;
        for (const ModelEntry& e : entries)
            names << QFileInfo(e.path).fileName();
        QVERIFY2(!names.join(",").contains("mmproj"), qPrintable(names.join(",")));
        auto it = std::find_if(entries.begin(), entries.end(),
                               [](const ModelEntry& e) { return e.path.endsWith("gemma3-vision-tiny.gguf"); });
        QVERIFY(it != entries.end());
        QVERIFY2(it->mmprojPath.endsWith("gemma3-vision-tiny-mmproj.gguf"), qPrintable(it->mmprojPath));
        auto pali = std::find_if(entries.begin(), entries.end(),
                                 [](const ModelEntry& e) { return e.path.endsWith("paligemma-tiny.gguf"); });
        QVERIFY(pali != entries.end());
        QVERIFY2(pali->mmprojPath.endsWith("paligemma-tiny-mmproj.gguf"), qPrintable(pali->mmprojPath));
    }
};

QTEST_GUILESS_MAIN(TestModelLibrary)
#include "tst_model_library.moc"
