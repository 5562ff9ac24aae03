// Fitting a conversation into the model's context: when the rendered prompt would leave too little room for
// the answer, the oldest turns are left out of the prompt (never the system prompt, never the newest
// message), and the caller tells the user how many — a conversation is never cut silently.
#pragma once

#include "storage/chat_store.h"

#include "vela/tokenizer.h"

#include <QList>
#include <QString>

#include <functional>
#include <vector>

namespace vela::app {

struct ContextFit {
    QList<Message> kept;          // the messages the prompt holds, oldest first
    int dropped = 0;              // how many older messages were left out
    QString prompt;               // the rendered text of `kept`
    std::vector<TokenId> tokens;  // `prompt` tokenized
    QString error;                // set when even the newest message alone does not fit
};

struct ContextBudget {
    int context = 0;  // the session's context, in tokens
    int reserve = 0;  // tokens kept free for the answer
};

using PromptRenderer = std::function<QString(const QList<Message>&)>;
using PromptTokenizer = std::function<std::vector<TokenId>(const QString&)>;

// Drops whole turns from the front (a user message with the answers that follow it) until the prompt and
// the reserve fit. When only the newest message is left and the reserve does not fit beside it, the answer
// gets whatever room remains; a message longer than the context is an error.
ContextFit fitToContext(const QList<Message>& messages, const ContextBudget& budget, const PromptRenderer& render,
                        const PromptTokenizer& tokenize);

// The room kept for an answer: the conversation's token limit when it has one, else a quarter of the
// context, and never more than half of it.
int answerReserve(int contextTokens, int maxTokens);

}  // namespace vela::app
