#include "documents/text_decoding.h"

#include <QStringDecoder>

#include <array>

namespace vela::app {
namespace {

constexpr qsizetype kNulWindow = 8000;
constexpr double kMaxControlFraction = 0.01;

// Windows-1252's printable characters at 0x80…0x9F, where Latin-1 has unused C1 controls; text that calls
// itself Latin-1 is nearly always Windows-1252 (HTML5 decodes it so). 0 = undefined: keep the C1 code.
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

QString decodeWindows1252(QByteArrayView bytes)
{
    QString out(bytes.size(), Qt::Uninitialized);
    QChar* dst = out.data();
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        const char16_t mapped = (b >= 0x80 && b < 0xA0) ? kCp1252High[b - 0x80] : 0;
        *dst++ = QChar(mapped ? mapped : char16_t(b));
    }
    return out;
}

// Length of the UTF-8 sequence starting at `p` (2…4), or 0 when it is not a valid multi-byte sequence.
int validSequenceLength(const unsigned char* p, const unsigned char* end)
{
    const unsigned char b = p[0];
    int length = 0;
    char32_t min = 0;
    if ((b & 0xE0) == 0xC0) {
        length = 2;
        min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        length = 3;
        min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        length = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (end - p < length)
        return 0;
    char32_t cp = b & (0x7F >> length);
    for (int i = 1; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    return (cp < min || cp > 0x10FFFF || surrogate) ? 0 : length;
}

// Whether the bytes are UTF-8: all valid, or (a few damaged bytes in a real UTF-8 text) at least as many
// valid multi-byte characters as invalid bytes. Latin-1 text with accents has invalid bytes and almost no
// valid sequences, since an accented letter followed by a 0x80…0xBF byte is rare in real text.
bool looksLikeUtf8(QByteArrayView bytes)
{
    auto p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto end = p + bytes.size();
    qsizetype valid = 0;
    qsizetype invalid = 0;
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        const int length = validSequenceLength(p, end);
        if (length == 0) {
            ++invalid;
            ++p;
        } else {
            ++valid;
            p += length;
        }
    }
    return invalid == 0 || valid >= invalid;
}

QString decodeWith(QStringConverter::Encoding encoding, QByteArrayView bytes)
{
    QStringDecoder decoder(encoding, QStringConverter::Flag::Stateless);
    return decoder.decode(bytes);
}

DecodedText decodeBytes(const QByteArray& bytes)
{
    const QByteArrayView view(bytes);
    if (view.startsWith("\xEF\xBB\xBF"))
        return {decodeWith(QStringConverter::Utf8, view.sliced(3)), TextEncoding::Utf8WithBom};
    if (view.startsWith("\xFF\xFE"))
        return {decodeWith(QStringConverter::Utf16LE, view.sliced(2)), TextEncoding::Utf16LE};
    if (view.startsWith("\xFE\xFF"))
        return {decodeWith(QStringConverter::Utf16BE, view.sliced(2)), TextEncoding::Utf16BE};
    if (looksLikeUtf8(view))
        return {decodeWith(QStringConverter::Utf8, view), TextEncoding::Utf8};
    return {decodeWindows1252(view), TextEncoding::Latin1};
}

bool isControl(char16_t c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B) || c == 0x7F;
}

bool looksBinary(const QString& text)
{
    if (text.first(std::min(text.size(), kNulWindow)).contains(QChar(0)))
        return true;
    qsizetype controls = 0;
    for (const QChar c : text)
        controls += isControl(c.unicode());
    return static_cast<double>(controls) > kMaxControlFraction * static_cast<double>(text.size());
}

}  // namespace

QString textEncodingName(TextEncoding encoding)
{
    switch (encoding) {
    case TextEncoding::Utf8: return QStringLiteral("UTF-8");
    case TextEncoding::Utf8WithBom: return QStringLiteral("UTF-8 with BOM");
    case TextEncoding::Utf16LE: return QStringLiteral("UTF-16 LE");
    case TextEncoding::Utf16BE: return QStringLiteral("UTF-16 BE");
    case TextEncoding::Latin1: return QStringLiteral("Latin-1");
    }
    return {};
}

Result<DecodedText> decodeText(const QByteArray& bytes, const QString& fileName)
{
    DecodedText decoded = decodeBytes(bytes);
    if (looksBinary(decoded.text))
        return Status::failure(QStringLiteral("%1 does not look like text: it holds binary data. Vela reads plain "
                                              "text, Markdown, PDF, HTML, Word (.docx) and EPUB documents.")
                                   .arg(fileName)
                                   .toStdString());
    decoded.text = normalizedNewlines(std::move(decoded.text));
    return decoded;
}

QString normalizedNewlines(QString text)
{
    if (!text.contains(QChar('\r')))
        return text;
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(QChar('\r'), QChar('\n'));
    return text;
}

}  // namespace vela::app
