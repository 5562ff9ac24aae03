// What a document summary asks the model (DESIGN.md §1.3): the instructions of each pass — the whole document
// at once, one part of it (map), or the summaries of several parts (reduce) — rendered through the model's
// chat template (PromptBuilder; plain text for a model without one) and tokenized as `vela-cli generate --chat`
// does, in one piece with special tokens parsed. The document's own text must never turn into a control token
// ("<|im_end|>" in a document about chat templates, or a prompt-injection attempt), so before it goes in, the
// text of every control token — and of every user-defined markup token such as Phi-3's "<|user|>" — gets an
// invisible U+2060 WORD JOINER after its first character.
//
// Threads: a SummaryPrompts is immutable after construction and its functions share no state between calls;
// plan on one thread and run on another, one at a time (the Tokenizer itself is thread-safe).
#pragma once

#include "chat/prompt_builder.h"

#include "vela/tokenizer.h"

#include <QString>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vela::app {

enum class SummaryLength { Short, Medium, Detailed };

// "short", "medium", "detailed".
QString summaryLengthName(SummaryLength length);
std::optional<SummaryLength> summaryLengthFromName(const QString& name);

struct SummaryOptions {
    SummaryLength length = SummaryLength::Medium;
    QString focus;     // what to concentrate on ("the financial results"); "" = everything
    QString language;  // the language to write in ("French"); "" = the document's own
    float temperature = 0.0f;  // 0: greedy; a low value (0.2–0.5) varies the wording
    uint64_t seed = 0;         // with temperature > 0: the sampler's seed, so a run can be repeated
};

// The three kinds of pass a summary is made of.
enum class SummaryPass {
    Single,  // the whole document in one prompt (it fits the context)
    Map,     // one part of the document
    Reduce,  // the summaries of consecutive parts, combined into one
};

// What one pass may write: the word count the instructions ask for and the tokens generation is cut at.
struct AnswerBudget {
    int words = 0;
    int maxTokens = 0;
};

// The nominal budget of a pass for `length`: `final` for the summary the user reads, else for a partial one
// (a map or an intermediate reduce). `tokensPerWord` is the document's own ratio, so a tokenizer with a small
// vocabulary gets more tokens for the same words.
AnswerBudget nominalAnswerBudget(SummaryLength length, bool final, double tokensPerWord);
// The budget that fits `maxTokens`: the tokens capped, the words scaled down with them.
AnswerBudget capAnswerBudget(AnswerBudget budget, int maxTokens, double tokensPerWord);

class SummaryPrompts {
public:
    // `format`: how the model wants its prompts (PromptBuilder::forModel); `tokenizer` must outlive this
    // object; `title`: the document's title, named in the instructions.
    SummaryPrompts(PromptBuilder format, const Tokenizer& tokenizer, SummaryOptions options, QString title);

    // The whole prompt of a pass: `where` is the citation of what `body` covers ("pp. 3–5"), `body` the
    // document text (Single, Map) or the labelled summaries (Reduce, see labelledSummary()), `words` the
    // length asked for. BOS is added as the model asks.
    std::vector<TokenId> tokenize(SummaryPass pass, const QString& where, const QString& body, int words) const;
    // The tokens of that prompt without its body: what the instructions cost. The prompt with a body costs
    // about overheadTokens() + countBodyTokens(body): a token or two may merge differently where they meet.
    int overheadTokens(SummaryPass pass, const QString& where, int words) const;
    // `text` tokenized on its own as a body (neutralized, no BOS).
    int countBodyTokens(const QString& text) const;
    // `text` (UTF-8) with a word joiner after the first character of every reserved token text in it.
    std::string neutralize(const std::string& text) const;

    // One partial summary as a reduce pass reads it: "[pp. 3–5]\n" + text.
    static QString labelledSummary(const QString& where, const QString& text);
    // Between the blocks of a body: a blank line.
    static QString bodySeparator() { return QStringLiteral("\n\n"); }

    const Tokenizer& tokenizer() const { return *m_tokenizer; }
    const SummaryOptions& options() const { return m_options; }
    const QString& title() const { return m_title; }
    // How the prompts are laid out, for the plan: "the model's chat template", "plain text (…)", …
    QString formatDescription() const { return m_format.description(); }

private:
    struct Parts {
        QString before;  // template and instructions up to the body
        QString after;   // what follows the body up to the model's turn
    };
    Parts render(SummaryPass pass, const QString& where, int words) const;
    QString instructions(SummaryPass pass, int words) const;
    QString request(SummaryPass pass, const QString& where) const;
    void collectReservedTexts();

    PromptBuilder m_format;
    const Tokenizer* m_tokenizer;
    SummaryOptions m_options;
    QString m_title;
    // Control, unknown and markup token texts by their first byte, so neutralize() looks only where one starts.
    std::unordered_map<unsigned char, std::vector<std::string>> m_reservedTexts;
};

}  // namespace vela::app
