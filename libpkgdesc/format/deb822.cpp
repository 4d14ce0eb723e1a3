// A strict reader for RFC-822 style control data.
#include <libpkgdesc/format/deb822.hpp>

#include <libpkgdesc/error.hpp>

#include <algorithm>
#include <sstream>
#include <strings.h>

namespace pkgdesc {

namespace {

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = s.find_last_not_of(" \t");
    return s.substr(begin, end - begin + 1);
}

bool valid_field_name(std::string_view name) {
    if (name.empty() || name.front() == '#' || name.front() == '-') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x21 && c <= 0x7e && c != ':';
    });
}

} // namespace

const Deb822Field* Deb822Stanza::find(std::string_view name) const {
    for (const auto& field : fields) {
        if (field.name.size() == name.size() &&
            strncasecmp(field.name.data(), name.data(), name.size()) == 0) {
            return &field;
        }
    }
    return nullptr;
}

Deb822Reader::Deb822Reader(std::istream& in, std::string file, Comments comments)
    : m_in(&in), m_file(std::move(file)), m_comments(comments) {}

Deb822Reader::Deb822Reader(std::string_view text, std::string file, Comments comments)
    : m_text(text), m_file(std::move(file)), m_comments(comments) {}

bool Deb822Reader::read_line(std::string& line) {
    line.clear();
    if (m_in == nullptr) {
        if (m_pos >= m_text.size()) {
            return false;
        }
        const std::size_t end = std::min(m_text.find('\n', m_pos), m_text.size());
        const std::string_view text = m_text.substr(m_pos, end - m_pos);
        if (text.size() > k_max_line_length) {
            throw ParseError(m_file, m_line + 1,
                             "line longer than " + std::to_string(k_max_line_length) + " bytes");
        }
        if (text.find('\0') != std::string_view::npos) {
            throw ParseError(m_file, m_line + 1, "NUL byte in text");
        }
        line.assign(text);
        m_pos = end + 1;
        ++m_line;
        return true;
    }
    // Byte by byte through the stream buffer, so that a hostile line cannot grow without bound.
    // The buffer reports a read error as end of input: callers reading files check their
    // stream (or the file size) themselves.
    std::streambuf* buf = m_in->rdbuf();
    for (;;) {
        const int c = buf->sbumpc();
        if (c == std::char_traits<char>::eof()) {
            if (line.empty()) {
                return false;
            }
            ++m_line;
            return true;
        }
        if (c == '\n') {
            ++m_line;
            return true;
        }
        if (line.size() >= k_max_line_length) {
            throw ParseError(m_file, m_line + 1,
                             "line longer than " + std::to_string(k_max_line_length) + " bytes");
        }
        if (c == '\0') {
            throw ParseError(m_file, m_line + 1, "NUL byte in text");
        }
        line.push_back(static_cast<char>(c));
    }
}

std::optional<Deb822Stanza> Deb822Reader::next() {
    Deb822Stanza stanza;
    std::string line;
    for (;;) {
        if (!read_line(line)) {
            break;
        }
        if (m_comments == Comments::allow && !line.empty() && line.front() == '#') {
            continue;
        }
        if (is_blank(line)) {
            if (stanza.fields.empty()) {
                continue; // blank lines between or before stanzas
            }
            break;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            if (stanza.fields.empty()) {
                throw ParseError(m_file, m_line, "continuation line before any field");
            }
            stanza.fields.back().lines.push_back(line.substr(1));
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            throw ParseError(m_file, m_line,
                             "not a field (no colon): " + std::string(line.substr(0, 60)));
        }
        const std::string name = line.substr(0, colon);
        if (!valid_field_name(name)) {
            throw ParseError(m_file, m_line, "invalid field name \"" + name.substr(0, 60) + "\"");
        }
        if (stanza.find(name) != nullptr) {
            throw ParseError(m_file, m_line, "duplicate field " + name);
        }
        if (stanza.fields.empty()) {
            stanza.line = m_line;
        }
        stanza.fields.push_back(Deb822Field{
            name, std::string(trim(std::string_view(line).substr(colon + 1))), {}, m_line});
    }
    if (stanza.fields.empty()) {
        return std::nullopt;
    }
    return stanza;
}

std::vector<Deb822Stanza> parse_deb822(std::string_view text, std::string file) {
    Deb822Reader reader(text, std::move(file));
    std::vector<Deb822Stanza> out;
    while (auto stanza = reader.next()) {
        out.push_back(std::move(*stanza));
    }
    return out;
}

} // namespace pkgdesc
