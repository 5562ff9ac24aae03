// ChatController without widgets: refusing to send without a model, a chat kept in memory when there is
// no store, every turn saved (the answer as it streams) when there is one, the plain-text prompt of a
// multi-turn chat (each turn extends the last, so the worker reuses the KV cache), and stop().
#include "chat/chat_controller.h"
#include "support/test_data.h"

#include "vela/gguf.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::ChatController;
using vela::app::ChatStore;
using vela::app::GenerationStats;
using vela::app::MessageRole;
using vela::app::MessageState;
using vela::app::StopReason;

namespace {

constexpr int kTimeoutMs = 60'000;

void useGreedy(ChatController& chat, int maxTokens)
{
    vela::app::ConversationSettings settings;
    settings.temperature = 0;
    settings.contextSize = 256;
    settings.maxTokens = maxTokens;
    chat.setDefaultSettings(settings);
}

bool loadStories(ChatController& chat)
{
    QSignalSpy ready(&chat, &ChatController::modelReady);
    chat.loadModel(vela::test::requireTestFile("models/stories260K.gguf"));
    return ready.wait(kTimeoutMs);
}

GenerationStats sendAndWait(ChatController& chat, const QString& text)
{
    QSignalSpy finished(&chat, &ChatController::generationFinished);
    if (!chat.send(text) || !finished.wait(kTimeoutMs))
        return {};
    return finished.front().front().value<GenerationStats>();
}

// stories260K with `template` as its tokenizer.chat_template.
QString writeStoriesWithTemplate(const QString& dir, const QString& tmpl)
{
    const QString source = vela::test::requireTestFile("models/stories260K.gguf");
    vela::Result<vela::GgufFile> file = vela::GgufFile::open(source.toStdString());
    if (!file.isOk())
        return {};
    vela::GgufWriter writer;
    for (const vela::GgufKeyValue& kv : file->metadata())
        writer.set(kv.key, kv.value);
    writer.setString("tokenizer.chat_template", tmpl.toStdString());
    for (const vela::GgufTensorInfo& t : file->tensors()) {
        const std::span<const uint8_t> bytes = file->tensorData(t);
        const std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.nDims);
        if (!writer.addTensor(t.name, t.type, dims, {bytes.begin(), bytes.end()}).isOk())
            return {};
    }
    const QString path = dir + "/templated.gguf";
    return writer.writeFile(path.toStdString()).isOk() ? path : QString();
}

}  // namespace

class TestChatController : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { vela::test::useScratchSettings(); }  // loads add recent models

    void refusesToSendWithoutAModel()
    {
        ChatController chat;
        QSignalSpy added(&chat, &ChatController::messageAdded);
        QVERIFY(!chat.send("hello"));
        QCOMPARE(added.size(), 0);
        QVERIFY(chat.messages().isEmpty());
    }

    void chatsInMemoryWithoutAStore()
    {
        ChatController chat;
        useGreedy(chat, 12);
        QVERIFY(loadStories(chat));
        const GenerationStats first = sendAndWait(chat, "Once upon a time");
        QCOMPARE(first.generatedTokens, 12);
        QCOMPARE(chat.messages().size(), 2);
        QVERIFY(chat.messages().back().content.startsWith(", there was a little girl"));
        QVERIFY(chat.conversations().isEmpty());
        QVERIFY(!chat.usesChatTemplate());  // stories260K has none: plain text
        QCOMPARE(chat.lastPrompt(), QStringLiteral("Once upon a time"));
        const QString firstAnswer = chat.messages().back().content;

        // The second turn's prompt is the first prompt, the answer and the new text joined by "\n": the
        // worker finds the first turn's tokens in its KV cache.
        const GenerationStats second = sendAndWait(chat, "The end.");
        QCOMPARE(chat.messages().size(), 4);
        QCOMPARE(chat.messages().at(2).role, MessageRole::User);
        QCOMPARE(chat.lastPrompt(), "Once upon a time\n" + firstAnswer + "\nThe end.");
        QVERIFY2(second.reusedTokens >= first.promptTokens, qPrintable(QString::number(second.reusedTokens)));
        QVERIFY(second.promptTokens > first.promptTokens + first.generatedTokens);
    }

    void savesEveryTurnAsItStreams()
    {
        QTemporaryDir data;
        qint64 conversation = 0;
        QString answer;
        {
            ChatController chat;
            QVERIFY(chat.openStore(data.path()).isOk());
            useGreedy(chat, 20);
            QVERIFY(loadStories(chat));
            QSignalSpy batches(&chat, &ChatController::assistantText);
            QCOMPARE(sendAndWait(chat, "Once upon a time").stopReason, StopReason::Limit);
            QVERIFY(batches.size() >= 1);
            conversation = chat.currentConversation();
            answer = chat.messages().back().content;
        }
        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        const auto path = store.activePath(conversation);
        QVERIFY(path.isOk());
        QCOMPARE(path->size(), 2);
        QCOMPARE(path->at(0).content, QStringLiteral("Once upon a time"));
        QCOMPARE(path->at(1).content, answer);
        QCOMPARE(path->at(1).state, MessageState::Complete);
        QCOMPARE(store.conversation(conversation)->title, QStringLiteral("Once upon a time"));
    }

    void rendersTheModelsChatTemplate_data()
    {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("warns");
        // bos_token is empty: the worker adds BOS itself. eos_token is the vocabulary's "</s>".
        QTest::newRow("template") << QString("{% for m in messages %}{{ bos_token }}[{{ m.role }}] {{ m.content }}"
                                             "{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}")
                                  << QString("[system] Be brief.</s>\n[user] Hi</s>\n[assistant]") << false;
        // stories260K is a llama: an unparsable template is replaced by the built-in Llama 2 format.
        QTest::newRow("broken template: built-in format")
            << QString("{% for m in messages %}") << QString("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]")
            << true;
        QTest::newRow("raise_exception: plain text")
            << QString("{{ raise_exception('no system role') }}") << QString("Be brief.\nHi") << true;
    }

    void rendersTheModelsChatTemplate()
    {
        QFETCH(QString, tmpl);
        QFETCH(QString, expected);
        QFETCH(bool, warns);
        QTemporaryDir dir;
        const QString model = writeStoriesWithTemplate(dir.path(), tmpl);
        QVERIFY(!model.isEmpty());
        ChatController chat;
        useGreedy(chat, 4);
        vela::app::ConversationSettings settings = chat.defaultSettings();
        settings.systemPrompt = "Be brief.";
        chat.setDefaultSettings(settings);
        QSignalSpy warnings(&chat, &ChatController::promptWarning);
        QSignalSpy ready(&chat, &ChatController::modelReady);
        chat.loadModel(model);
        QVERIFY(ready.wait(kTimeoutMs));
        const GenerationStats stats = sendAndWait(chat, "Hi");
        QCOMPARE(stats.generatedTokens, 4);
        QCOMPARE(chat.lastPrompt(), expected);
        QCOMPARE(warnings.size() > 0, warns);
    }

    void stopEndsTheAnswerAndMarksIt()
    {
        ChatController chat;
        useGreedy(chat, -1);
        chat.setIgnoreEndOfGeneration(true);
        QVERIFY(loadStories(chat));
        QSignalSpy batches(&chat, &ChatController::assistantText);
        QSignalSpy finished(&chat, &ChatController::generationFinished);
        QVERIFY(chat.send("Once upon a time"));
        QVERIFY(!chat.send("again"));  // one answer at a time
        QVERIFY(batches.wait(kTimeoutMs));
        chat.stop();
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.front().front().value<GenerationStats>().stopReason, StopReason::Cancelled);
        QCOMPARE(chat.messages().back().state, MessageState::Stopped);
        QVERIFY(!chat.isGenerating());
    }
};

QTEST_MAIN(TestChatController)
#include "tst_chat_controller.moc"
