// A progress line on a terminal: see terminal_line.hpp.
#include "terminal_line.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pkgdesc::cli {

TerminalLine::TerminalLine(bool quiet) {
    const char* term = std::getenv("TERM");
    m_show = !quiet && ::isatty(STDERR_FILENO) != 0 && term != nullptr &&
             std::strcmp(term, "dumb") != 0;
}

void TerminalLine::show(const std::string& text, bool force) {
    if (!m_show) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force && m_dirty && now - m_last < std::chrono::milliseconds(100)) {
        return;
    }
    m_last = now;
    std::fputs(("\r" + text).c_str(), stderr);
    std::fflush(stderr);
    m_dirty = true;
}

void TerminalLine::clear() {
    if (m_dirty) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        m_dirty = false;
    }
}

} // namespace pkgdesc::cli
