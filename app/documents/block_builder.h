// Collects a document's blocks in reading order for every reader: drops blank paragraphs, trims text, and
// stamps each block with the current page and section so no reader tracks them itself.
#pragma once

#include "documents/extracted_document.h"

namespace vela::app {

class BlockBuilder {
public:
    // Blocks added from now on are on `page` (1-based; 0 = no pages).
    void setPage(int page) { m_page = page; }
    // Blocks added from now on belong to `section`, named outside the text (a PDF bookmark).
    void setSection(const QString& section) { m_section = section.simplified(); }
    // Ignored when `text` is blank; surrounding whitespace is removed.
    void addParagraph(const QString& text);
    // A heading of `level` (clamped to 1…6) opens a section named `text`; ignored when blank.
    void addHeading(int level, const QString& text);

    bool isEmpty() const { return m_blocks.isEmpty(); }
    // The first heading's text ("" when none): a title for documents without metadata.
    QString firstHeading() const;
    QList<DocumentBlock> takeBlocks() { return std::move(m_blocks); }

private:
    QList<DocumentBlock> m_blocks;
    QString m_section;
    int m_page = 0;
};

}  // namespace vela::app
