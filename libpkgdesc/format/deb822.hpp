// A strict reader for RFC-822 style control data (Debian Policy 5.1): stanzas of fields,
// continuation lines, and the line number of everything, for errors that say where.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// The longest line accepted; longer lines are an error rather than unbounded memory.
inline constexpr std::size_t k_max_line_length = 65536;

struct PKGDESC_EXPORT Deb822Field {
    std::string name;
    std::string value;              // the text after the colon, trimmed
    std::vector<std::string> lines; // continuation lines, without the leading blank
    std::size_t line = 0;           // line of "Name:"
    std::size_t line_of(std::size_t continuation) const { return line + 1 + continuation; }
};

struct PKGDESC_EXPORT Deb822Stanza {
    std::vector<Deb822Field> fields;
    std::size_t line = 0; // first line
    // Field names compare case-insensitively, as Policy says.
    const Deb822Field* find(std::string_view name) const;
};

// Reads stanzas one at a time. Throws ParseError("FILE:LINE: reason") for a line that is not a
// field, a continuation before any field, a duplicate field, an empty field name, or a line
// longer than k_max_line_length. Comment lines ("#...") are accepted only if allowed.
class PKGDESC_EXPORT Deb822Reader {
public:
    enum class Comments { refuse, allow };

    Deb822Reader(std::istream& in, std::string file, Comments comments = Comments::refuse);
    // Reads the text in memory (which must outlive the reader), a line at a time.
    Deb822Reader(std::string_view text, std::string file, Comments comments = Comments::refuse);

    // The next stanza, or nullopt at end of input.
    std::optional<Deb822Stanza> next();

    const std::string& file() const { return m_file; }

private:
    bool read_line(std::string& line);

    std::istream* m_in = nullptr; // or the text:
    std::string_view m_text;
    std::size_t m_pos = 0;
    std::string m_file;
    Comments m_comments;
    std::size_t m_line = 0;
};

// Parses a whole string (e.g. a package's control file).
PKGDESC_EXPORT std::vector<Deb822Stanza> parse_deb822(std::string_view text, std::string file);

} // namespace pkgdesc
