#include "documents/block_builder.h"

#include <algorithm>

namespace vela::app {

void BlockBuilder::addParagraph(const QString& text)
{
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    DocumentBlock block;
    block.text = std::move(trimmed);
    block.page = m_page;
    block.section = m_section;
    m_blocks.append(std::move(block));
}

void BlockBuilder::addHeading(int level, const QString& text)
{
    // Headings are one line even when their markup spanned several.
    const QString simplified = text.simplified();
    if (simplified.isEmpty())
        return;
    m_section = simplified;
    DocumentBlock block;
    block.kind = DocumentBlock::Kind::Heading;
    block.text = simplified;
    block.headingLevel = std::clamp(level, 1, 6);
    block.page = m_page;
    block.section = m_section;
    m_blocks.append(std::move(block));
}

QString BlockBuilder::firstHeading() const
{
    for (const DocumentBlock& b : m_blocks)
        if (b.isHeading())
            return b.text;
    return {};
}

}  // namespace vela::app
