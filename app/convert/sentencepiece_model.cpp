#include "convert/sentencepiece_model.h"

#include <cstring>
#include <fstream>

namespace vela {
namespace {

// Real vocabularies (Gemma's 256k pieces) take a few MB; anything this large is not a tokenizer model.
constexpr uint64_t kMaxFileBytes = 512ull << 20;

enum class WireType : uint32_t { Varint = 0, Fixed64 = 1, Length = 2, Fixed32 = 5 };

struct ProtoError {
    size_t offset;
    std::string message;
};

// Reads protobuf fields from a byte range; throws ProtoError on anything that runs past its end.
class WireReader {
public:
    WireReader(std::span<const uint8_t> bytes, size_t base) : m_bytes(bytes), m_base(base) {}

    bool atEnd() const { return m_pos == m_bytes.size(); }
    size_t offset() const { return m_base + m_pos; }

    uint64_t readVarint()
    {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const uint8_t byte = take(1)[0];
            value |= uint64_t(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                return value;
        }
        throw ProtoError{offset(), "a varint longer than 10 bytes"};
    }

    // A field's number and wire type; unknown wire types (groups, 3 and 4) are not used by SentencePiece.
    std::pair<uint32_t, WireType> readTag()
    {
        const size_t at = offset();
        const uint64_t tag = readVarint();
        const uint32_t wire = tag & 7;
        if (wire != 0 && wire != 1 && wire != 2 && wire != 5)
            throw ProtoError{at, "unsupported protobuf wire type " + std::to_string(wire)};
        return {static_cast<uint32_t>(tag >> 3), static_cast<WireType>(wire)};
    }

    // The payload of a length-delimited field, with the offset of its first byte.
    std::pair<std::span<const uint8_t>, size_t> readLength()
    {
        const uint64_t length = readVarint();
        const size_t at = offset();
        if (length > m_bytes.size() - m_pos)
            throw ProtoError{at, "a field of " + std::to_string(length) + " bytes runs past the end of its message"};
        return {take(static_cast<size_t>(length)), at};
    }

    float readFixed32Float()
    {
        float f = 0;
        std::memcpy(&f, take(4).data(), 4);
        return f;
    }

    void skip(WireType wire)
    {
        switch (wire) {
        case WireType::Varint: readVarint(); break;
        case WireType::Fixed64: take(8); break;
        case WireType::Length: readLength(); break;
        case WireType::Fixed32: take(4); break;
        }
    }

private:
    std::span<const uint8_t> take(size_t n)
    {
        if (n > m_bytes.size() - m_pos)
            throw ProtoError{offset(), "the data ends inside a field (truncated file?)"};
        const std::span<const uint8_t> out = m_bytes.subspan(m_pos, n);
        m_pos += n;
        return out;
    }

    std::span<const uint8_t> m_bytes;
    size_t m_base;  // offset of m_bytes in the file, for messages
    size_t m_pos = 0;
};

SentencePiece parsePiece(std::span<const uint8_t> bytes, size_t base)
{
    SentencePiece piece;
    WireReader in(bytes, base);
    while (!in.atEnd()) {
        const size_t at = in.offset();
        const auto [field, wire] = in.readTag();
        if (field == 1 && wire == WireType::Length) {
            const std::span<const uint8_t> text = in.readLength().first;
            piece.piece.assign(text.begin(), text.end());
        } else if (field == 2 && wire == WireType::Fixed32) {
            piece.score = in.readFixed32Float();
        } else if (field == 3 && wire == WireType::Varint) {
            const uint64_t type = in.readVarint();
            if (type < 1 || type > 6)
                throw ProtoError{at, "unknown piece type " + std::to_string(type)};
            piece.type = static_cast<SentencePieceType>(type);
        } else {
            in.skip(wire);
        }
    }
    return piece;
}

}  // namespace

Result<SentencePieceModel> SentencePieceModel::parse(std::span<const uint8_t> bytes, const std::string& displayName)
{
    SentencePieceModel model;
    try {
        WireReader in(bytes, 0);
        while (!in.atEnd()) {
            const auto [field, wire] = in.readTag();
            if (field == 1 && wire == WireType::Length) {
                const auto [payload, at] = in.readLength();
                model.pieces.push_back(parsePiece(payload, at));
            } else {
                in.skip(wire);
            }
        }
    } catch (const ProtoError& e) {
        return Status::failure(displayName + ": not a SentencePiece model: at byte " + std::to_string(e.offset) +
                               ": " + e.message);
    }
    if (model.pieces.empty())
        return Status::failure(displayName + ": not a SentencePiece model: it holds no pieces");
    return model;
}

Result<SentencePieceModel> SentencePieceModel::load(const std::string& path)
{
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        return Status::failure("cannot open '" + path + "'");
    const std::streamoff size = file.tellg();
    if (size < 0 || static_cast<uint64_t>(size) > kMaxFileBytes)
        return Status::failure(path + ": not a SentencePiece model: " + std::to_string(size) + " bytes");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    file.seekg(0);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), size))
        return Status::failure("cannot read '" + path + "'");
    return parse(bytes, path);
}

}  // namespace vela
