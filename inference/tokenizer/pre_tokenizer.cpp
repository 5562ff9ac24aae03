// Pre-tokenizer regex lists and flags per `tokenizer.ggml.pre`, from llama.cpp (commit 3f545bec):
// src/llama-vocab.cpp (llm_tokenizer_bpe's regex lists, the pre-type table in llama_vocab::impl::load) and
// src/unicode.cpp (unicode_regex_split). The original regexes come from each model's tokenizer.json.
//
// How llama.cpp's results are reproduced with PCRE2:
//   - llama.cpp runs the GPT-2 and Llama-3 regexes through hand-written splitters and every other regex
//     through std::regex, after mapping each non-ASCII White_Space code point to U+000B (std::regex's \s is
//     ASCII-only). We do the same mapping on the text we match and compile without PCRE2_UCP, so that \s,
//     \S and \d stay ASCII as in std::regex while \p{L}, \p{N}, \p{P}… use PCRE2's Unicode tables. One side
//     effect is kept on purpose: a class that lists a non-ASCII space (deepseek-llm's "　-。") does not match
//     it, as in llama.cpp.
//   - Each regex splits each piece left by the previous one, and sees only that piece (lookaheads and `$`
//     stop at its end). Text between matches becomes a piece; an empty match splits too.
//   - Invalid UTF-8 decodes the way unicode_cpts_from_utf8 does: each bad byte becomes U+FFFD.
#include "pre_tokenizer.h"

#include "tokenizer/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace vela::detail {

namespace {

// OpenAI's GPT-2 pattern. llama.cpp's copy leaves out the final `|\s+`, but its hand-written splitter
// implements it, so it belongs here.
constexpr const char* kGpt2Regex =
    R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)re";

// Llama 3 (tiktoken cl100k-like); llama.cpp spells the case-insensitive contractions as classes.
constexpr const char* kLlama3Regex =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// Qwen2: Llama 3 with single digits.
constexpr const char* kQwen2Regex =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// Cased letters of many scripts (deepseek-llm). llama.cpp writes them as literal characters; they are
// code points here because some of them (U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126, U+212A) change under
// Unicode normalization and would silently turn into other ranges.
constexpr const char* kDeepseekLlmLetters =
    R"re(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF})re"
    R"re(\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1})re"
    R"re(\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5})re"
    R"re(\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A})re"
    R"re(\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B})re"
    R"re(\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC})re"
    R"re(\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107})re"
    R"re(\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134})re"
    R"re(\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})re"
    R"re(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787})re"
    R"re(\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A})re"
    R"re(\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2})re"
    R"re(\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)re";
// ASCII and full-width punctuation, quotes ‘…‟ and 　、。.
constexpr const char* kDeepseekLlmPunct = R"re(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)re";
// 一-龥, ࠀ-一, 가-퟿.
constexpr const char* kDeepseekCjk = R"re([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)re";
// 一-龥, hiragana, katakana.
constexpr const char* kDeepseekV3Cjk = R"re([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re";
constexpr const char* kDeepseekV3Main =
    R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
// BLOOM: anything but whitespace and the listed punctuation (… 。 ， 、 । ۔ ،).
constexpr const char* kBloomRegex = R"re( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)re";
// Mistral Tekken and GPT-4o split upper/lower case runs; llama.cpp rewrites \p{Lu}… with lookaheads.
constexpr const char* kTekkenRegex =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr const char* kGpt4oRegex =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr const char* kBailingRegex =
    R"re('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)re";
constexpr const char* kSeedCoderRegex =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// One regex list per llama.cpp LLAMA_VOCAB_PRE_TYPE_*.
struct RegexList {
    const char* id;
    std::vector<const char*> regexes;  // not an initializer_list: its backing array does not outlive this table
                                       // under every compiler (clang 14 + UBSan saw a null one)
};

const std::array kRegexLists = {
    RegexList{"default", {R"re([\p{P}\$\+<=>\^~\|]+)re", kGpt2Regex, R"re(\p{N}+)re", "[0-9][0-9][0-9]"}},
    RegexList{"llama3", {kLlama3Regex}},
    RegexList{"deepseek-llm", {"[\r\n]", kDeepseekLlmLetters, kDeepseekLlmPunct, R"re(\s+$)re", kDeepseekCjk,
                               R"re(\p{N}+)re"}},
    RegexList{"deepseek-v3", {R"re(\p{N}{1,3})re", kDeepseekV3Cjk, kDeepseekV3Main}},
    RegexList{"deepseek-coder",
              {"[\r\n]", R"re(\s?\p{L}+)re", R"re(\s?\p{P}+)re", kDeepseekCjk, R"re(\p{N})re"}},
    RegexList{"falcon", {R"re([\p{P}\$\+<=>\^~\|`]+)re", kGpt2Regex, "[0-9][0-9][0-9]"}},
    RegexList{"starcoder", {R"re(\p{N})re", kGpt2Regex}},
    RegexList{"gpt-2", {kGpt2Regex}},
    RegexList{"qwen2", {kQwen2Regex}},
    RegexList{"bloom", {kBloomRegex}},
    RegexList{"viking", {kBloomRegex, R"re(\p{N})re"}},
    RegexList{"tekken", {kTekkenRegex}},
    RegexList{"chameleon",
              {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", R"re(([\t\n]|    |  ))re", R"re(\p{N})re",
               R"re([\p{P}!-/:-@\[-`{-~])re", kGpt2Regex}},
    RegexList{"gpt-4o", {kGpt4oRegex}},
    RegexList{"bailingmoe", {kBailingRegex}},
    RegexList{"seed-coder", {kSeedCoderRegex}},
};

struct NamedPreTokenizer {
    const char* name;  // tokenizer.ggml.pre
    const char* list;  // RegexList::id
    PreTokenizerFlags flags;
};

constexpr PreTokenizerFlags kPlain{};
constexpr PreTokenizerFlags kKeepSpaces{.cleanSpaces = false};
constexpr PreTokenizerFlags kWholeWords{.ignoreMerges = true, .cleanSpaces = true, .addBos = true};
constexpr PreTokenizerFlags kWholeWordsKeepSpaces{.ignoreMerges = true, .cleanSpaces = false, .addBos = true};
constexpr PreTokenizerFlags kBosKeepSpaces{.cleanSpaces = false, .addBos = true};
constexpr PreTokenizerFlags kAddSep{.addSep = true};

// The names llama_vocab::impl::load knows, with the list and flags it picks for each. Left out: kimi-k2
// and afmoe (llama.cpp splits them with hand-written code, not regexes) and superbpe (its digit-grouping
// lookahead takes quadratic time: over a minute for 100,000 digits).
const std::array kNamedPreTokenizers = {
    NamedPreTokenizer{"default", "default", kPlain},
    NamedPreTokenizer{"llama3", "llama3", kWholeWords},
    NamedPreTokenizer{"llama-v3", "llama3", kWholeWords},
    NamedPreTokenizer{"llama-bpe", "llama3", kWholeWords},
    NamedPreTokenizer{"falcon3", "llama3", kWholeWords},
    NamedPreTokenizer{"falcon-h1", "llama3", kWholeWords},
    NamedPreTokenizer{"pixtral", "llama3", kWholeWords},
    NamedPreTokenizer{"midm-2.0", "llama3", kWholeWords},
    NamedPreTokenizer{"lfm2", "llama3", kWholeWords},
    NamedPreTokenizer{"dbrx", "llama3", kPlain},
    NamedPreTokenizer{"smaug-bpe", "llama3", kPlain},
    NamedPreTokenizer{"glm4", "llama3", kPlain},
    NamedPreTokenizer{"chatglm-bpe", "llama3", kPlain},
    NamedPreTokenizer{"deepseek-llm", "deepseek-llm", kKeepSpaces},
    NamedPreTokenizer{"deepseek-coder", "deepseek-coder", kKeepSpaces},
    NamedPreTokenizer{"deepseek-v3", "deepseek-v3", kKeepSpaces},
    NamedPreTokenizer{"hunyuan-dense", "deepseek-v3", kKeepSpaces},
    NamedPreTokenizer{"falcon", "falcon", kPlain},
    NamedPreTokenizer{"starcoder", "starcoder", kPlain},
    NamedPreTokenizer{"refact", "starcoder", kPlain},
    NamedPreTokenizer{"command-r", "starcoder", kKeepSpaces},
    NamedPreTokenizer{"smollm", "starcoder", kKeepSpaces},
    NamedPreTokenizer{"codeshell", "starcoder", kPlain},
    NamedPreTokenizer{"exaone", "starcoder", kPlain},
    NamedPreTokenizer{"minerva-7b", "starcoder", kPlain},
    NamedPreTokenizer{"gpt-2", "gpt-2", kPlain},
    NamedPreTokenizer{"phi-2", "gpt-2", kPlain},
    NamedPreTokenizer{"jina-es", "gpt-2", kPlain},
    NamedPreTokenizer{"jina-de", "gpt-2", kPlain},
    NamedPreTokenizer{"gigachat", "gpt-2", kPlain},
    NamedPreTokenizer{"jina-v2-es", "gpt-2", kPlain},
    NamedPreTokenizer{"jina-v2-de", "gpt-2", kPlain},
    NamedPreTokenizer{"a.x-4.0", "gpt-2", kPlain},
    NamedPreTokenizer{"mellum", "gpt-2", kPlain},
    NamedPreTokenizer{"jina-v1-en", "gpt-2", kAddSep},
    NamedPreTokenizer{"jina-v2-code", "gpt-2", kAddSep},
    NamedPreTokenizer{"roberta-bpe", "gpt-2", kAddSep},
    NamedPreTokenizer{"mpt", "gpt-2", kPlain},
    NamedPreTokenizer{"olmo", "gpt-2", kPlain},
    NamedPreTokenizer{"jais", "gpt-2", kPlain},
    NamedPreTokenizer{"exaone4", "gpt-2", kPlain},
    NamedPreTokenizer{"trillion", "gpt-2", kKeepSpaces},
    NamedPreTokenizer{"granite-docling", "gpt-2", kKeepSpaces},
    NamedPreTokenizer{"qwen2", "qwen2", kKeepSpaces},
    NamedPreTokenizer{"deepseek-r1-qwen", "qwen2", kKeepSpaces},
    NamedPreTokenizer{"kormo", "qwen2", kKeepSpaces},
    NamedPreTokenizer{"hunyuan", "qwen2", kKeepSpaces},
    NamedPreTokenizer{"grok-2", "qwen2", kKeepSpaces},
    NamedPreTokenizer{"stablelm2", "qwen2", kPlain},
    NamedPreTokenizer{"megrez", "qwen2", kPlain},
    NamedPreTokenizer{"poro-chat", "bloom", kKeepSpaces},
    NamedPreTokenizer{"bloom", "bloom", kPlain},
    NamedPreTokenizer{"gpt3-finnish", "bloom", kPlain},
    NamedPreTokenizer{"viking", "viking", kKeepSpaces},
    NamedPreTokenizer{"tekken", "tekken", kWholeWordsKeepSpaces},
    NamedPreTokenizer{"chameleon", "chameleon", kBosKeepSpaces},
    NamedPreTokenizer{"gpt-4o", "gpt-4o", kKeepSpaces},
    NamedPreTokenizer{"llama4", "gpt-4o", kKeepSpaces},
    NamedPreTokenizer{"minimax-m2", "gpt-4o", kKeepSpaces},
    NamedPreTokenizer{"bailingmoe", "bailingmoe", kKeepSpaces},
    NamedPreTokenizer{"bailingmoe2", "bailingmoe", kKeepSpaces},
    NamedPreTokenizer{"llada-moe", "bailingmoe", kKeepSpaces},
    NamedPreTokenizer{"seed-coder", "seed-coder", kKeepSpaces},
};

const RegexList* findRegexList(std::string_view id)
{
    for (const RegexList& list : kRegexLists) {
        if (id == list.id)
            return &list;
    }
    return nullptr;
}

struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using CodePtr = std::unique_ptr<pcre2_code, CodeDeleter>;

struct MatchDataDeleter {
    void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

// UTF without UCP: \s, \S and \d stay ASCII (see the top of the file); DOLLAR_ENDONLY because std::regex's
// `$` matches only at the very end.
Result<CodePtr> compileRegex(std::string_view pattern)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &errorCode, &errorOffset, nullptr));
    if (!code) {
        std::array<PCRE2_UCHAR, 256> message{};
        pcre2_get_error_message(errorCode, message.data(), message.size());
        return Status::failure("pre-tokenizer regex does not compile at offset " + std::to_string(errorOffset) +
                               ": " + reinterpret_cast<const char*>(message.data()));
    }
    // JIT is an optimization only; without it (unsupported platform) the interpreter gives the same matches.
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
    return code;
}

// White_Space comes from PCRE2's Unicode tables rather than a list of our own; `data` is the caller's scratch.
bool isNonAsciiWhiteSpace(uint32_t cp, pcre2_match_data* data)
{
    if (cp < 0x80)
        return false;
    static const CodePtr whiteSpace = [] {
        Result<CodePtr> code = compileRegex(R"re(^\p{White_Space}$)re");
        return code ? std::move(code).value() : CodePtr();  // only a PCRE2 built without Unicode fails here
    }();
    if (!whiteSpace)
        return false;
    std::string utf8;
    appendUtf8(cp, utf8);  // short-string storage: no allocation
    return pcre2_match(whiteSpace.get(), reinterpret_cast<PCRE2_SPTR>(utf8.data()), utf8.size(), 0, 0, data,
                       nullptr) >= 0;
}

// A byte range [begin, end) of the matching subject.
struct Piece {
    size_t begin;
    size_t end;
};

}  // namespace

struct PreTokenizer::Regex {
    CodePtr code;
};

PreTokenizer::PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

std::vector<std::string> PreTokenizer::supportedNames()
{
    std::vector<std::string> names;
    for (const NamedPreTokenizer& named : kNamedPreTokenizers)
        names.emplace_back(named.name);
    std::sort(names.begin(), names.end());
    return names;
}

Result<PreTokenizer> PreTokenizer::create(std::string_view name)
{
    if (name.empty())
        name = "default";
    const auto named = std::find_if(kNamedPreTokenizers.begin(), kNamedPreTokenizers.end(),
                                    [&](const NamedPreTokenizer& n) { return name == n.name; });
    if (named == kNamedPreTokenizers.end()) {
        std::string known;
        for (const std::string& n : supportedNames())
            known += (known.empty() ? "" : ", ") + n;
        return Status::failure("unknown BPE pre-tokenizer '" + std::string(name) +
                               "' (tokenizer.ggml.pre); supported: " + known);
    }
    const RegexList* list = findRegexList(named->list);
    PreTokenizer pre;
    pre.m_name = std::string(name);
    pre.m_flags = named->flags;
    for (const char* pattern : list->regexes) {
        Result<CodePtr> code = compileRegex(pattern);
        if (!code)
            return Status::failure(code.message() + " (pre-tokenizer '" + pre.m_name + "')");
        pre.m_regexes.push_back(std::make_unique<Regex>(Regex{std::move(code).value()}));
    }
    return pre;
}

namespace {

// Splits each piece of `subject` by `code`'s matches, as std::regex_iterator walks them in llama.cpp: every
// match and every gap between matches becomes a piece; an empty match only marks a boundary.
std::vector<Piece> splitPieces(const pcre2_code* code, std::string_view subject, const std::vector<Piece>& pieces,
                               pcre2_match_data* data)
{
    std::vector<Piece> result;
    result.reserve(pieces.size() * 2);
    const auto* base = reinterpret_cast<PCRE2_SPTR>(subject.data());
    for (const Piece& piece : pieces) {
        const size_t length = piece.end - piece.begin;
        const auto emit = [&](size_t b, size_t e) {
            if (e > b)
                result.push_back({piece.begin + b, piece.begin + e});
        };
        size_t position = 0;
        size_t gapStart = 0;
        uint32_t options = 0;
        while (position <= length) {
            int rc = pcre2_match(code, base + piece.begin, length, position, options | PCRE2_NO_UTF_CHECK, data,
                                 nullptr);
            // JIT code runs on a small fixed stack; the interpreter (heap) copes with longer backtracking.
            if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
                rc = pcre2_match(code, base + piece.begin, length, position,
                                 options | PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, data, nullptr);
            }
            // Past PCRE2's resource limits the rest of the piece stays whole: never lose text.
            if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
                break;
            if (rc < 0) {
                if (options == 0 || position == length)
                    break;
                // No non-empty match where the empty one was: move on by one code point.
                options = 0;
                do {
                    ++position;
                } while (position < length && (subject[piece.begin + position] & 0xC0) == 0x80);
                continue;
            }
            const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
            const size_t matchBegin = ovector[0];
            const size_t matchEnd = ovector[1];
            emit(gapStart, matchBegin);
            emit(matchBegin, matchEnd);
            gapStart = matchEnd;
            position = matchEnd;
            options = matchBegin == matchEnd ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
        }
        emit(gapStart, length);
    }
    return result;
}

}  // namespace

std::vector<std::string> PreTokenizer::split(std::string_view text) const
{
    // `normalized` is the text as llama.cpp re-encodes it (bad bytes → U+FFFD) and what the words are cut from;
    // `subject` is what the regexes see, one code point for each: non-ASCII White_Space → U+000B, surrogates →
    // U+FFFD (PCRE2 needs valid UTF-8).
    std::string normalized;
    std::string subject;
    std::vector<size_t> normalizedOffsets;  // (code points + 1): byte offset in `normalized`
    std::vector<size_t> subjectOffsets;     // (code points + 1): byte offset in `subject`
    normalized.reserve(text.size());
    subject.reserve(text.size());
    MatchDataPtr data(pcre2_match_data_create(1, nullptr));
    for (size_t offset = 0; offset < text.size();) {
        const uint32_t cp = decodeCodePoint(text, offset, AboveMaxCodePoint::Replace);
        normalizedOffsets.push_back(normalized.size());
        subjectOffsets.push_back(subject.size());
        appendUtf8(cp, normalized);
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        appendUtf8(isNonAsciiWhiteSpace(cp, data.get()) ? 0x0B : surrogate ? kReplacementCodePoint : cp, subject);
    }
    normalizedOffsets.push_back(normalized.size());
    subjectOffsets.push_back(subject.size());

    std::vector<Piece> pieces;
    if (!subject.empty())
        pieces.push_back({0, subject.size()});
    for (const auto& regex : m_regexes)
        pieces = splitPieces(regex->code.get(), subject, pieces, data.get());

    std::vector<std::string> words;
    words.reserve(pieces.size());
    size_t cp = 0;
    for (const Piece& piece : pieces) {
        // Pieces are in order and cover the subject, so one forward walk maps their bytes to code points.
        while (subjectOffsets[cp] < piece.begin)
            ++cp;
        const size_t first = cp;
        while (subjectOffsets[cp] < piece.end)
            ++cp;
        words.emplace_back(normalized.substr(normalizedOffsets[first], normalizedOffsets[cp] - normalizedOffsets[first]));
    }
    return words;
}

}  // namespace vela::detail
