// Stop strings on streamed text, as llama.cpp's server handles them (tools/server: find_stopping_strings
// with a partial match held back), so a chat shows exactly the text before the first stop string.
//
// Why holding back the longest suffix that could start a stop string is enough: a stop string that starts
// in text already released would have had its beginning held back, unless it was complete, in which case
// generation stopped. So a match is always found whole inside the pending text.
#include "vela/sampling.h"

#include <algorithm>

namespace vela {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stopStrings)
    : m_stopStrings(std::move(stopStrings))
{
    std::erase_if(m_stopStrings, [](const std::string& s) { return s.empty(); });
}

StopStringMatcher::Output StopStringMatcher::feed(std::string_view piece)
{
    Output out;
    if (m_stopped) {
        out.stopped = true;
        return out;
    }
    m_pending.append(piece);

    size_t firstAt = std::string::npos;
    const std::string* first = nullptr;
    for (const std::string& stop : m_stopStrings) {
        const size_t at = m_pending.find(stop);
        if (at == std::string::npos)
            continue;
        if (at < firstAt || (at == firstAt && stop.size() > first->size())) {
            firstAt = at;
            first = &stop;
        }
    }
    if (first) {
        out.text = m_pending.substr(0, firstAt);
        out.stopped = true;
        out.stopString = *first;
        m_pending.clear();
        m_stopped = true;
        return out;
    }

    const size_t release = m_pending.size() - heldBackLength();
    out.text = m_pending.substr(0, release);
    m_pending.erase(0, release);
    return out;
}

// The longest suffix of the pending text that is the beginning of some stop string (and not all of it).
size_t StopStringMatcher::heldBackLength() const
{
    const std::string_view pending = m_pending;
    size_t longest = 0;
    for (const std::string& stop : m_stopStrings) {
        const size_t most = std::min(pending.size(), stop.size() - 1);
        for (size_t length = most; length > longest; --length) {
            if (pending.substr(pending.size() - length) == std::string_view(stop).substr(0, length)) {
                longest = length;
                break;
            }
        }
    }
    return longest;
}

std::string StopStringMatcher::flush()
{
    std::string rest;
    rest.swap(m_pending);
    return rest;
}

void StopStringMatcher::reset()
{
    m_pending.clear();
    m_stopped = false;
}

}  // namespace vela
