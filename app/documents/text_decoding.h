// Turns a text file's bytes into a QString: finds the encoding (a UTF-8 or UTF-16 byte-order mark, else
// UTF-8 when the bytes are UTF-8, else Windows-1252/Latin-1), makes every newline '\n', and refuses data
// that is not text at all.
#pragma once

#include "vela/status.h"

#include <QByteArray>
#include <QString>

namespace vela::app {

enum class TextEncoding { Utf8, Utf8WithBom, Utf16LE, Utf16BE, Latin1 };

struct DecodedText {
    QString text;  // newlines normalised to '\n', no byte-order mark
    TextEncoding encoding = TextEncoding::Utf8;
};

// "UTF-8", "UTF-8 with BOM", "UTF-16 LE", "UTF-16 BE", "Latin-1".
QString textEncodingName(TextEncoding encoding);

// Fails with "«fileName» does not look like text …" when the bytes hold binary data: a NUL among the first
// 8,000 characters (git's and grep's test) or more than 1 % control characters overall.
Result<DecodedText> decodeText(const QByteArray& bytes, const QString& fileName);

// "\r\n" and lone '\r' become '\n'.
QString normalizedNewlines(QString text);

}  // namespace vela::app
