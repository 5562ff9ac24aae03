// ChatController's images: which projector a model loads with, sending images with a question (stored by
// content hash beside the database, referenced by the message's attachment rows), and a prompt's images —
// Gemma 3: a vela::kMediaMarker per image at the start of the message that brought it, every image of the
// messages the prompt keeps, in order; PaliGemma: the question's own text as the task prefix, with the newest
// image of the conversation (PaliGemma is no chat model: it answers one task about one image).
#include "chat/chat_controller.h"

#include "library/model_library.h"
#include "library/model_preferences.h"

#include "vela/multimodal_prompt.h"

#include <QFileInfo>

namespace vela::app {
namespace {

const QString kMarker = QString::fromLatin1(kMediaMarker.data(), static_cast<qsizetype>(kMediaMarker.size()));

ImageInput inputOf(const MessageImage& image)
{
    return {image.name, image.bytes, image.path};
}

}  // namespace

QString ChatController::projectorFor(const QString& modelPath) const
{
    const QString chosen = ModelPreferences().projector(modelPath);
    if (!chosen.isEmpty() && QFileInfo(chosen).isFile())
        return chosen;
    return ModelLibrary::pairedProjector(modelPath);
}

// A projector chosen by hand that did not load is forgotten (the panel shows why), as a stale adapter is.
void ChatController::checkProjector(const ModelSummary& summary)
{
    ModelPreferences preferences;
    if (!summary.visionProblem.isEmpty() && !preferences.projector(summary.path).isEmpty())
        preferences.setProjector(summary.path, QString());
}

void ChatController::setProjector(const QString& path)
{
    if (!m_hasModel || m_generating)
        return;
    ModelPreferences().setProjector(m_model.path, path);
    loadModel(m_model.path);
}

// Why `images` cannot go with `text` to the loaded model; "" when they can.
QString ChatController::imageRefusal(const QString& text, const QList<MessageImage>& images) const
{
    if (!m_model.seesImages())
        return tr("%1 cannot see images: it is a text-only model (no vision projector was loaded with it). Nothing "
                  "was sent and the %n image(s) stay attached: load a vision model, or choose its projector (mmproj "
                  "file) under Images in the model panel, then send again.",
                  nullptr, static_cast<int>(images.size()))
            .arg(m_model.name);
    if (m_model.vision == VisionKind::PaliGemma && images.size() > 1)
        return tr("PaliGemma looks at one image per question: remove all but one (× on its thumbnail).");
    if (m_model.vision == VisionKind::PaliGemma && text.trimmed().isEmpty())
        return tr("Tell PaliGemma what to do with the image (the buttons above the message box fill it in): "
                  "caption en, answer en <question>, ocr, or detect <thing>.");
    return {};
}

bool ChatController::sendWithImages(const QString& text, const QList<MessageImage>& images)
{
    if (images.isEmpty())
        return send(text);
    if (m_generating || !m_hasModel)
        return false;
    if (const QString refusal = imageRefusal(text, images); !refusal.isEmpty()) {
        emit imagesRefused(refusal);
        return false;
    }
    const QString trimmed = text.trimmed();
    ensureConversation(trimmed.isEmpty() ? images.front().name : trimmed);
    storeMessage(MessageRole::User, trimmed, MessageState::Complete, keepImages(images));
    startAnswer();
    return true;
}

// Each image goes to the store's images/ folder once per content; a chat kept in memory keeps the bytes.
QList<MessageImage> ChatController::keepImages(const QList<MessageImage>& images)
{
    QList<MessageImage> kept;
    for (MessageImage image : images) {
        if (m_store.isOpen()) {
            Result<QString> hash = m_store.storeImage(image.bytes);
            if (hash.isOk()) {
                image.hash = hash.value();
                image.path = m_store.imagePath(image.hash);
                image.bytes.clear();  // the worker reads the stored file
            } else {
                reportStore(hash.status());
            }
        }
        kept.append(image);
    }
    return kept;
}

void ChatController::saveImageAttachments(qint64 messageId, const QList<MessageImage>& images)
{
    for (const MessageImage& image : images) {
        if (image.hash.isEmpty())
            continue;
        Attachment attachment;
        attachment.messageId = messageId;
        attachment.kind = AttachmentKind::Image;
        attachment.contentHash = image.hash;
        attachment.path = image.name;  // for images: the name it was attached under
        reportStore(m_store.addAttachment(attachment).status());
    }
}

// Gemma 3: each message's images as markers before its text (a marker the user typed is not one of them).
QList<Message> ChatController::withImageMarkers(const QList<Message>& messages) const
{
    if (m_model.vision != VisionKind::Gemma3)
        return messages;
    QList<Message> marked = messages;
    for (Message& m : marked) {
        m.content.remove(kMarker);
        m.content.prepend(kMarker.repeated(m.images.size()));
    }
    return marked;
}

// The prompt's length for fitting it to the context: each marker stands for the image's rows and the two
// tokens around them.
std::vector<TokenId> ChatController::countPromptTokens(const Tokenizer& tokenizer, const QString& prompt) const
{
    std::vector<TokenId> ids = tokenizer.tokenize(prompt.toStdString(), true, true);
    if (m_model.vision == VisionKind::Gemma3)
        ids.resize(ids.size() + prompt.count(kMarker) * (m_model.imageTokens + 2), kNoToken);
    return ids;
}

// Puts the prompt's images into `request`; "" when that worked, else why the answer cannot be made.
QString ChatController::attachPromptImages(GenerationRequest& request, const QList<Message>& kept,
                                           const QList<Message>& all)
{
    if (m_model.vision == VisionKind::Gemma3) {
        for (const Message& m : kept) {
            for (const MessageImage& image : m.images)
                request.images.append(inputOf(image));
        }
        if (!request.images.isEmpty())
            request.tokens.clear();  // the worker lays the prompt out around the images
        return {};
    }
    if (m_model.vision != VisionKind::PaliGemma)
        return {};
    const Message* question = nullptr;
    const MessageImage* image = nullptr;
    for (qsizetype i = all.size() - 1; i >= 0 && !image; --i) {
        if (!question && all[i].role == MessageRole::User)
            question = &all[i];
        if (question && !all[i].images.isEmpty())
            image = &all[i].images.back();
    }
    if (!image)
        return tr("PaliGemma answers about an image: attach one (drop or paste it on the message box) with the task.");
    request.prompt = question->content.trimmed();
    request.tokens.clear();
    request.images = {inputOf(*image)};
    m_lastPrompt = request.prompt;
    return {};
}

}  // namespace vela::app
