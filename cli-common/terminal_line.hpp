// One line of progress on standard error, rewritten in place: shown only when standard error is
// a terminal, TERM is set and not "dumb", and the user did not ask for quiet; at most ten
// times a second (but the first and the forced ones); cleared when done.
#pragma once

#include <chrono>
#include <string>

namespace pkgdesc::cli {

class TerminalLine {
public:
    explicit TerminalLine(bool quiet);
    ~TerminalLine() { clear(); }
    TerminalLine(const TerminalLine&) = delete;
    TerminalLine& operator=(const TerminalLine&) = delete;

    bool shown() const { return m_show; }
    // Replaces the line with `text`, unless the last one is younger than 100 ms and not `force`.
    void show(const std::string& text, bool force = false);
    void clear();

private:
    bool m_show;
    bool m_dirty = false;
    std::chrono::steady_clock::time_point m_last{};
};

} // namespace pkgdesc::cli
