#include "documents/pdf_reader.h"

#include <QLoggingCategory>
#include <poppler-qt6.h>

#include <algorithm>
#include <map>
#include <mutex>

namespace vela::app {
namespace {

Q_LOGGING_CATEGORY(lcPdf, "vela.documents.pdf", QtWarningMsg)

// Poppler reports every oddity of a damaged file on qDebug by default; keep them behind a category so they
// can be turned on (QT_LOGGING_RULES="vela.documents.pdf.debug=true") without flooding stderr.
void routePopplerMessages()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Poppler::setDebugErrorFunction([](const QString& message, const QVariant&) { qCDebug(lcPdf) << message; },
                                       QVariant());
    });
}

// Page (1-based) → the last bookmark starting on it, walking the outline depth-first (document order).
void collectBookmarks(const QVector<Poppler::OutlineItem>& items, std::map<int, QString>& byPage)
{
    for (const Poppler::OutlineItem& item : items) {
        const QSharedPointer<const Poppler::LinkDestination> destination = item.destination();
        if (destination && destination->pageNumber() > 0)
            byPage[destination->pageNumber()] = item.name();
        if (item.hasChildren())
            collectBookmarks(item.children(), byPage);
    }
}

struct TextLine {
    QString text;
    QRectF box;
};

// Poppler's words in reading order, joined into lines (a word without a next word ends its line).
QList<TextLine> pageLines(const Poppler::Page& page)
{
    QList<TextLine> lines;
    TextLine line;
    for (const std::unique_ptr<Poppler::TextBox>& word : page.textList()) {
        line.text += word->text();
        line.box = line.box.isNull() ? word->boundingBox() : line.box.united(word->boundingBox());
        if (word->nextWord()) {
            if (word->hasSpaceAfter())
                line.text += ' ';
            continue;
        }
        lines.append(std::exchange(line, TextLine()));
    }
    if (!line.text.isEmpty())
        lines.append(line);
    return lines;
}

// A page's paragraphs: a new one starts where the gap above a line is more than `kParagraphGap` times the
// page's typical line height, or where the reading order jumps up (the next column or text box). PDFs
// have no paragraph marks; this is what a reader's eye goes by too.
QStringList pageParagraphs(const Poppler::Page& page)
{
    constexpr double kParagraphGap = 0.8;
    const QList<TextLine> lines = pageLines(page);
    if (lines.isEmpty())
        return {};
    QList<double> heights;
    for (const TextLine& l : lines)
        heights << l.box.height();
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    const double lineHeight = heights[heights.size() / 2];
    QStringList paragraphs{lines.first().text};
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const double gap = lines[i].box.top() - lines[i - 1].box.bottom();
        const bool jumpsUp = lines[i].box.bottom() < lines[i - 1].box.top();
        if (gap > kParagraphGap * lineHeight || jumpsUp)
            paragraphs << lines[i].text;
        else
            paragraphs.last() += '\n' + lines[i].text;
    }
    return paragraphs;
}

}  // namespace

Status readPdf(const QString& path, ReadContext& context, BlockBuilder& out, ExtractedDocument& document)
{
    routePopplerMessages();
    const std::unique_ptr<Poppler::Document> pdf = Poppler::Document::load(path);
    if (!pdf)
        return context.failure(QStringLiteral("is not a readable PDF: the file is damaged or is not a PDF."));
    if (pdf->isLocked())
        return context.failure(QStringLiteral("is encrypted: it needs a password to open, and Vela cannot open "
                                              "password-protected PDFs yet. Save a copy without the password "
                                              "(for example by printing it to PDF) and try that."));
    document.pageCount = pdf->numPages();
    if (document.pageCount <= 0)
        return context.failure(QStringLiteral("has no pages: there is nothing to read."));
    document.title = pdf->info(QStringLiteral("Title")).simplified();
    std::map<int, QString> bookmarks;
    collectBookmarks(pdf->outline(), bookmarks);

    for (int i = 0; i < document.pageCount; ++i) {
        if (context.isCancelled())
            return ReadContext::cancelled();
        const int pageNumber = i + 1;
        if (const auto b = bookmarks.find(pageNumber); b != bookmarks.end())
            out.setSection(b->second);
        out.setPage(pageNumber);
        const std::unique_ptr<Poppler::Page> page = pdf->page(i);
        const QStringList paragraphs = page ? pageParagraphs(*page) : QStringList();
        for (const QString& paragraph : paragraphs)
            out.addParagraph(paragraph);
        if (paragraphs.join(QString()).trimmed().isEmpty())
            document.pagesWithoutText << pageNumber;
        context.reportProgress(double(pageNumber) / double(document.pageCount));
    }
    if (document.pagesWithoutText.size() == document.pageCount)
        return context.failure(QStringLiteral("has no text layer on any of its %1 pages: it looks scanned (pages "
                                              "of pictures). Vela has no OCR yet, so it cannot read scanned PDFs.")
                                   .arg(document.pageCount));
    return {};
}

}  // namespace vela::app
