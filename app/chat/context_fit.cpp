#include "chat/context_fit.h"

#include <QCoreApplication>

#include <algorithm>

namespace vela::app {
namespace {

// The first message of the next whole turn after `start`: past the user message at `start` and the
// assistant messages answering it.
qsizetype nextTurn(const QList<Message>& messages, qsizetype start)
{
    qsizetype i = start + 1;
    while (i < messages.size() && messages[i].role != MessageRole::User)
        ++i;
    return i;
}

}  // namespace

int answerReserve(int contextTokens, int maxTokens)
{
    const int half = std::max(1, contextTokens / 2);
    const int wanted = maxTokens > 0 ? maxTokens : contextTokens / 4;
    return std::clamp(wanted, 1, half);
}

ContextFit fitToContext(const QList<Message>& messages, const ContextBudget& budget, const PromptRenderer& render,
                        const PromptTokenizer& tokenize)
{
    ContextFit fit;
    qsizetype start = 0;
    while (true) {
        fit.kept = messages.mid(start);
        fit.prompt = render(fit.kept);
        fit.tokens = tokenize(fit.prompt);
        fit.dropped = static_cast<int>(start);
        const int length = static_cast<int>(fit.tokens.size());
        if (length + budget.reserve <= budget.context)
            return fit;
        const qsizetype next = nextTurn(messages, start);
        // Never drop the newest message: it is what the user asked now.
        if (next >= messages.size() || fit.kept.size() <= 1) {
            if (length < budget.context)
                return fit;  // the answer gets the room that is left
            fit.error = QCoreApplication::translate("ContextFit",
                                                    "The message is %1 tokens long, but the model's context holds %2. "
                                                    "Shorten it, or load the model with a larger context.")
                            .arg(length)
                            .arg(budget.context);
            return fit;
        }
        start = next;
    }
}

}  // namespace vela::app
