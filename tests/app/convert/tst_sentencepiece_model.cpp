// SentencePieceModel: the PaliGemma fixture's tokenizer.model (pieces, scores and types in id order), a
// hand-encoded ModelProto with fields the reader must skip, and damaged files refused with the byte offset.
#include "support/test_data.h"

#include "convert/sentencepiece_model.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace vela;

namespace {

// Protobuf wire encoding, enough to build test messages.
std::string varint(uint64_t v)
{
    std::string out;
    do {
        out += static_cast<char>((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return out;
}
std::string tag(uint32_t field, uint32_t wire) { return varint(uint64_t(field) << 3 | wire); }
std::string lengthField(uint32_t field, const std::string& payload) { return tag(field, 2) + varint(payload.size()) + payload; }
std::string varintField(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string floatField(uint32_t field, float f)
{
    std::string bytes(4, '\0');
    std::memcpy(bytes.data(), &f, 4);
    return tag(field, 5) + bytes;
}

std::span<const uint8_t> bytesOf(const std::string& s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

class TestSentencePieceModel : public QObject {
    Q_OBJECT

private slots:
    void readsTheFixture()
    {
        VELA_REQUIRE_FILE(path, "models/vision/paligemma-hf-tiny/tokenizer.model");
        Result<SentencePieceModel> model = SentencePieceModel::load(path.toStdString());
        QVERIFY2(model.isOk(), model.message().c_str());
        const std::vector<SentencePiece>& p = model->pieces;
        QCOMPARE(p.size(), size_t(2153));  // README: 1000 trained pieces + <image>, 1024 loc, 128 seg
        QCOMPARE(p[0].piece, std::string("<pad>"));
        QCOMPARE(p[0].type, SentencePieceType::Control);
        QCOMPARE(p[2].piece, std::string("<bos>"));
        QCOMPARE(p[3].type, SentencePieceType::Unknown);
        QCOMPARE(p[14].piece, std::string("<0x0A>"));
        QCOMPARE(p[14].type, SentencePieceType::Byte);
        QCOMPARE(p[260].piece, std::string("\u2581t"));
        QCOMPARE(p[260].type, SentencePieceType::Normal);
        QVERIFY(p[260].score == 0.0f && std::signbit(p[260].score));  // the file stores -0 for rank 0
        QCOMPARE(p[261].score, -1.0f);
        QCOMPARE(p[999].score, -739.0f);
        QCOMPARE(p[1000].piece, std::string("<image>"));
        QCOMPARE(p[1000].type, SentencePieceType::UserDefined);
        QCOMPARE(p[2024].piece, std::string("<loc1023>"));
        QCOMPARE(p[2152].piece, std::string("<seg127>"));
    }

    // Unknown fields of every wire type, a piece without score or type (defaults 0 and NORMAL), and the
    // trainer/normalizer specs before and after the pieces.
    void skipsWhatItDoesNotNeed()
    {
        const std::string trainer = lengthField(1, "corpus.txt") + varintField(3, 2) + floatField(10, 1.0f);
        const std::string proto = lengthField(2, trainer) +
                                  lengthField(1, lengthField(1, "<unk>") + floatField(2, 0) + varintField(3, 2)) +
                                  tag(99, 1) + std::string(8, '\x7f') +
                                  lengthField(1, varintField(3, 6) + varintField(7, 300) + lengthField(1, "<0x41>")) +
                                  lengthField(1, lengthField(1, "\u2581a")) +
                                  lengthField(1, lengthField(1, "b") + floatField(2, -3.5f) + tag(8, 5) + "abcd") +
                                  lengthField(3, lengthField(1, "identity") + varintField(3, 0));
        Result<SentencePieceModel> model = SentencePieceModel::parse(bytesOf(proto), "hand.model");
        QVERIFY2(model.isOk(), model.message().c_str());
        QCOMPARE(model->pieces.size(), size_t(4));
        QCOMPARE(model->pieces[0].type, SentencePieceType::Unknown);
        QCOMPARE(model->pieces[1].piece, std::string("<0x41>"));
        QCOMPARE(model->pieces[1].type, SentencePieceType::Byte);
        QCOMPARE(model->pieces[2].piece, std::string("\u2581a"));
        QCOMPARE(model->pieces[2].score, 0.0f);
        QCOMPARE(model->pieces[2].type, SentencePieceType::Normal);
        QCOMPARE(model->pieces[3].score, -3.5f);
    }

    void refusesDamagedFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string piece = lengthField(1, lengthField(1, "abc") + floatField(2, -1));
        QTest::newRow("empty") << QByteArray() << "it holds no pieces";
        QTest::newRow("only a trainer spec") << QByteArray::fromStdString(lengthField(2, varintField(3, 2)))
                                             << "it holds no pieces";
        QTest::newRow("cut inside a piece") << QByteArray::fromStdString(piece.substr(0, piece.size() - 2))
                                            << "runs past the end of its message";
        QTest::newRow("cut inside a score")
            << QByteArray::fromStdString(tag(1, 2) + varint(7) + lengthField(1, "abc") + tag(2, 5) + "\x01")
            << "at byte 8: the data ends inside a field";
        QTest::newRow("group wire type") << QByteArray::fromStdString(piece + tag(5, 3)) << "unsupported protobuf wire type 3";
        QTest::newRow("endless varint") << QByteArray::fromStdString(piece + tag(9, 0) + std::string(11, '\xff'))
                                        << "a varint longer than 10 bytes";
        QTest::newRow("piece type 9") << QByteArray::fromStdString(lengthField(1, lengthField(1, "x") + varintField(3, 9)))
                                      << "unknown piece type 9";
        QTest::newRow("text") << QByteArray("this is a text file, not a model\n") << "not a SentencePiece model";
        VELA_REQUIRE_FILE(path, "models/vision/paligemma-hf-tiny/tokenizer.model");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTest::newRow("fixture cut") << f.readAll().left(20000) << "not a SentencePiece model: at byte";
    }

    void refusesDamagedFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
        Result<SentencePieceModel> model = SentencePieceModel::parse(span, "damaged.model");
        QVERIFY(!model.isOk());
        QVERIFY2(model.message().starts_with("damaged.model: not a SentencePiece model"), model.message().c_str());
        QVERIFY2(QString::fromStdString(model.message()).contains(expected), model.message().c_str());
    }

    void refusesAMissingFile()
    {
        Result<SentencePieceModel> model = SentencePieceModel::load("/nonexistent/tokenizer.model");
        QVERIFY(!model.isOk());
        QCOMPARE(model.message(), std::string("cannot open '/nonexistent/tokenizer.model'"));
    }
};

QTEST_GUILESS_MAIN(TestSentencePieceModel)
#include "tst_sentencepiece_model.moc"
