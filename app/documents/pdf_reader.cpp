#include "documents/pdf_reader.h"

#include <QLoggingCategory>
#include <poppler-qt6.h>

#include <algorithm>
#include <functional>
#include <vector>
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

struct Bookmark {
    int page = 0;       // 1-based
    double top = -1.0;  // where on the page it points, 0…1 from the top; -1: the whole page
    QString title;
};

// The outline depth-first (document order: a parent before its children), ordered by page and position;
// the sort is stable so a child pointing at its parent's spot comes after it and wins.
std::vector<Bookmark> bookmarksInPageOrder(const QVector<Poppler::OutlineItem>& outline)
{
    std::vector<Bookmark> bookmarks;
    const std::function<void(const QVector<Poppler::OutlineItem>&)> collect = [&](const auto& items) {
        for (const Poppler::OutlineItem& item : items) {
            const QSharedPointer<const Poppler::LinkDestination> destination = item.destination();
            if (destination && destination->pageNumber() > 0)
                bookmarks.push_back({destination->pageNumber(),
                                     destination->isChangeTop() ? destination->top() : -1.0, item.name()});
            if (item.hasChildren())
                collect(item.children());
        }
    };
    collect(outline);
    std::stable_sort(bookmarks.begin(), bookmarks.end(), [](const Bookmark& a, const Bookmark& b) {
        return a.page != b.page ? a.page < b.page : a.top < b.top;
    });
    return bookmarks;
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

struct Paragraph {
    QString text;
    double top = 0.0;  // 0…1 from the page's top
};

// A page's paragraphs: a new one starts where the gap above a line is more than `kParagraphGap` times the
// page's typical line height, or where the reading order jumps up (the next column or text box). PDFs
// have no paragraph marks; this is what a reader's eye goes by too.
QList<Paragraph> pageParagraphs(const Poppler::Page& page)
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
    const double pageHeight = std::max(1.0, page.pageSizeF().height());
    QList<Paragraph> paragraphs;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const bool gapAbove = i > 0 && lines[i].box.top() - lines[i - 1].box.bottom() > kParagraphGap * lineHeight;
        const bool jumpsUp = i > 0 && lines[i].box.bottom() < lines[i - 1].box.top();
        if (i == 0 || gapAbove || jumpsUp)
            paragraphs.append({lines[i].text, lines[i].box.top() / pageHeight});
        else
            paragraphs.last().text += '\n' + lines[i].text;
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
    // A bookmark names the section from the paragraph it points at (give or take a line: viewers aim a
    // little above or at the heading's baseline) until the next bookmark.
    constexpr double kBookmarkSlack = 0.02;
    const std::vector<Bookmark> bookmarks = bookmarksInPageOrder(pdf->outline());
    auto nextBookmark = bookmarks.begin();
    const auto enterSectionsUpTo = [&](int page, double top) {
        for (; nextBookmark != bookmarks.end(); ++nextBookmark) {
            if (nextBookmark->page > page || (nextBookmark->page == page && nextBookmark->top > top))
                break;
            out.setSection(nextBookmark->title);
        }
    };

    for (int i = 0; i < document.pageCount; ++i) {
        if (context.isCancelled())
            return ReadContext::cancelled();
        const int pageNumber = i + 1;
        enterSectionsUpTo(pageNumber - 1, 2.0);  // those of earlier pages that had no text after them
        out.setPage(pageNumber);
        const std::unique_ptr<Poppler::Page> page = pdf->page(i);
        const QList<Paragraph> paragraphs = page ? pageParagraphs(*page) : QList<Paragraph>();
        for (const Paragraph& paragraph : paragraphs) {
            enterSectionsUpTo(pageNumber, paragraph.top + kBookmarkSlack);
            out.addParagraph(paragraph.text);
        }
        if (paragraphs.isEmpty())
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
