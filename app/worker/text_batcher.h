// Collects streamed text and hands it on at most every `interval`, so a fast model sends the UI a few dozen
// signals a second instead of one per token (DESIGN.md §6). The text it receives is whole UTF-8 characters
// (StreamingDecoder and StopStringMatcher guarantee it), so every batch is too.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace vela::app {

class TextBatcher {
public:
    using Clock = std::chrono::steady_clock;

    explicit TextBatcher(std::chrono::milliseconds interval) : m_interval(interval) {}

    void append(std::string_view text) { m_pending.append(text); }

    // The pending text when a batch is due (the first one is due at once), else an empty string.
    std::string takeIfDue(Clock::time_point now = Clock::now())
    {
        if (m_pending.empty() || (m_emitted && now - m_lastEmit < m_interval))
            return {};
        m_emitted = true;
        m_lastEmit = now;
        return takeAll();
    }

    // Whatever is pending, due or not (at the end of a generation).
    std::string takeAll()
    {
        std::string out;
        out.swap(m_pending);
        return out;
    }

private:
    std::chrono::milliseconds m_interval;
    std::string m_pending;
    Clock::time_point m_lastEmit{};
    bool m_emitted = false;
};

}  // namespace vela::app
