// Reading and rewriting aide --check reports: the text form line by line, the JSON form through
// nlohmann-json, each written back with what it does not know left as it was.
#include <libpkgdesc/integrate/aide_report.hpp>

#include <libpkgdesc/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace pkgdesc {

namespace {

using Document = nlohmann::ordered_json;
// An object's members as the vector they are, to be indexed (ordered_map's [] takes a key).
using Members = Document::object_t::Container;

constexpr std::size_t k_npos = std::string_view::npos;
constexpr std::size_t k_max_json_depth = 64;
constexpr std::string_view k_dashes = "---------------------------------------------------";
constexpr std::string_view k_suppressed_title = "Suppressed by pkgdesc-verify:";
constexpr std::string_view k_suppressed_member = "suppressed_by_pkgdesc_verify";
constexpr std::array<std::string_view, 3> k_kind_words = {"added", "removed", "changed"};

std::size_t index_of(AideChange change) {
    return static_cast<std::size_t>(change);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// At most 19 digits, so that the value fits.
std::optional<std::size_t> parse_count(std::string_view digits) {
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), is_digit)) {
        return std::nullopt;
    }
    std::size_t value = 0;
    for (const char c : digits) {
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

// What aide calls a section that lists entries of several kinds (report_grouped=no).
std::string_view mixed_title(bool added, bool removed, bool changed) {
    if (added && removed && changed) {
        return "Added, removed and changed entries:";
    }
    if (added && removed) {
        return "Added and removed entries:";
    }
    if (added && changed) {
        return "Added and changed entries:";
    }
    if (removed && changed) {
        return "Removed and changed entries:";
    }
    return added ? "Added entries:" : removed ? "Removed entries:" : "Changed entries:";
}

// Undoes the text form's escapes: \ooo is a byte. Builds before 0.18.3-1+deb12u4 escape nothing,
// so a backslash before three digits may also be itself (`exact` false); any other backslash is
// itself in every build.
std::string decode_text_path(std::string_view encoded, bool& exact) {
    std::string path;
    path.reserve(encoded.size());
    exact = true;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '\\' && i + 3 < encoded.size() && is_digit(encoded[i + 1]) &&
            is_digit(encoded[i + 2]) && is_digit(encoded[i + 3])) {
            exact = false;
            const std::string_view digits = encoded.substr(i + 1, 3);
            if (std::all_of(digits.begin(), digits.end(), [](char c) { return c <= '7'; })) {
                const int value =
                    (digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0');
                if (value > 0 && value < 256) {
                    path += static_cast<char>(value);
                    i += 3;
                    continue;
                }
            }
        }
        path += encoded[i];
    }
    return path;
}

// aide's summary string: the type, then one character per attribute.
bool valid_summary(std::string_view summary) {
    constexpr std::string_view types = "fdplbcsDP?";
    constexpr std::string_view chars = "fdplbcsDP?!+-><=:. ACEHSXagimnu";
    return !summary.empty() && types.find(summary[0]) != k_npos &&
           summary.find_first_not_of(chars) == k_npos;
}

// The kind of an entry listed with its summary in a section of several kinds: added and removed
// entries have nothing but '+' or '-' after the type.
AideChange kind_from_summary(std::string_view summary) {
    const std::string_view rest = summary.substr(1);
    if (!rest.empty() && rest.find_first_not_of('+') == k_npos) {
        return AideChange::added;
    }
    if (!rest.empty() && rest.find_first_not_of('-') == k_npos) {
        return AideChange::removed;
    }
    return AideChange::changed;
}

// The offset of the first byte that is not part of well-formed UTF-8, or k_npos.
std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            length = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            low = c == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
            high = c == 0xed ? 0x9f : 0xbf; // no surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            low = c == 0xf0 ? 0x90 : 0x80;
            high = c == 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
        } else {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= s.size()) {
                return i;
            }
            const auto next = static_cast<unsigned char>(s[i + k]);
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xbf)) {
                return i;
            }
        }
        i += length;
    }
    return k_npos;
}

// Builds the document with the members of each object in their order, duplicates included, in
// linear time: nlohmann's own ordered parser looks every key up in the keys before it. Refuses
// nesting deeper than k_max_json_depth.
class JsonBuilder {
public:
    bool null() { return add(Document(nullptr)); }
    bool boolean(bool value) { return add(Document(value)); }
    bool number_integer(Document::number_integer_t value) { return add(Document(value)); }
    bool number_unsigned(Document::number_unsigned_t value) { return add(Document(value)); }
    bool number_float(Document::number_float_t value, const Document::string_t&) {
        return add(Document(value));
    }
    bool string(Document::string_t& value) { return add(Document(std::move(value))); }
    bool binary(Document::binary_t&) { return false; } // not in JSON text
    bool start_object(std::size_t) { return open(true); }
    bool key(Document::string_t& key) {
        m_frames.back().key = std::move(key);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(false); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&, const Document::exception&) {
        m_error_position = position;
        return false;
    }

    Document& root() { return m_root; }
    bool too_deep() const { return m_too_deep; }
    std::size_t error_position() const { return m_error_position; }

private:
    // An open object or array; keys are not const here, so growing the vector moves, not copies.
    struct Frame {
        bool object = true;
        std::string key;
        std::vector<std::pair<std::string, Document>> members;
        Document::array_t items;
    };

    bool add(Document value) {
        if (m_frames.empty()) {
            m_root = std::move(value);
        } else if (m_frames.back().object) {
            m_frames.back().members.emplace_back(std::move(m_frames.back().key), std::move(value));
        } else {
            m_frames.back().items.push_back(std::move(value));
        }
        return true;
    }

    bool open(bool object) {
        if (m_frames.size() >= k_max_json_depth) {
            m_too_deep = true;
            return false;
        }
        m_frames.emplace_back();
        m_frames.back().object = object;
        return true;
    }

    bool close() {
        Frame frame = std::move(m_frames.back());
        m_frames.pop_back();
        Document value;
        if (frame.object) {
            value = Document::object();
            auto& members = value.get_ref<Document::object_t&>();
            members.reserve(frame.members.size());
            for (auto& member : frame.members) {
                members.emplace_back(std::move(member.first), std::move(member.second));
            }
        } else {
            value = Document::array();
            value.get_ref<Document::array_t&>() = std::move(frame.items);
        }
        return add(std::move(value));
    }

    Document m_root;
    std::vector<Frame> m_frames;
    bool m_too_deep = false;
    std::size_t m_error_position = 0;
};

// Sorts `indices` by their entries' paths (keeping the order of equal ones) and returns the
// index of a second entry with the same path as one before it, if any.
std::optional<std::size_t> duplicate_path(std::vector<std::size_t> indices,
                                          const std::vector<AideReportEntry>& entries) {
    std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
        return entries[a].path < entries[b].path;
    });
    for (std::size_t k = 1; k < indices.size(); ++k) {
        if (entries[indices[k - 1]].path == entries[indices[k]].path) {
            return indices[k];
        }
    }
    return std::nullopt;
}

// Entry indices sorted by path, to find the entries of a detailed block by binary search.
class PathIndex {
public:
    explicit PathIndex(const std::vector<AideReportEntry>& entries) : m_entries(entries) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            m_sorted.push_back(i);
        }
        std::stable_sort(m_sorted.begin(), m_sorted.end(), [&](std::size_t a, std::size_t b) {
            return entries[a].path < entries[b].path;
        });
    }

    std::vector<std::size_t> find(const std::string& path) const {
        const auto range =
            std::equal_range(m_sorted.begin(), m_sorted.end(), path, Less{m_entries});
        return {range.first, range.second};
    }

private:
    struct Less {
        const std::vector<AideReportEntry>& entries;
        bool operator()(std::size_t a, const std::string& b) const { return entries[a].path < b; }
        bool operator()(const std::string& a, std::size_t b) const { return a < entries[b].path; }
    };
    const std::vector<AideReportEntry>& m_entries;
    std::vector<std::size_t> m_sorted;
};

bool any_kept(const std::vector<std::size_t>& indices, const std::vector<char>& kept) {
    return std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return kept[i]; });
}

bool any_nonzero(const std::vector<std::pair<std::string, std::size_t>>& suppressed) {
    return std::any_of(suppressed.begin(), suppressed.end(),
                       [](const auto& reason) { return reason.second != 0; });
}

// What a section of the text form holds: entries of one kind (report_grouped=yes), entries of
// several kinds, the detailed information about entries, or something else.
enum class SectionKind { grouped, mixed, details, other };

} // namespace

// The text form as lines, each with what it says: verbatim text, an entry, a count of the
// summary, the title of a section of several kinds; and the spans of sections and detailed
// blocks, which go when nothing in them is kept.
struct AideReport::Text {
    enum class Role { verbatim, count, mixed_title };
    struct Line {
        std::size_t begin = 0;
        std::size_t end = 0; // without the '\n'
        bool newline = false;
        Role role = Role::verbatim;
        std::size_t ref = 0; // the kind a count line counts
    };
    // Lines [begin, end): the blank line before the header, the header, the content.
    struct Span {
        std::size_t begin = 0;
        std::size_t end = 0;
    };
    struct Section {
        SectionKind kind = SectionKind::other;
        Span span;
        std::vector<std::size_t> entries;
        std::vector<std::size_t> blocks;
        bool other_content = false;
    };
    struct Block {
        Span span; // the blank line before the header, the header, the attributes
        std::vector<std::size_t> entries;
    };

    std::string text;
    std::vector<Line> lines;
    std::vector<Section> sections;
    std::vector<Block> blocks;
    std::array<std::size_t, 3> counts{};
    std::vector<std::size_t> entry_lines;

    std::string_view content(std::size_t i) const {
        return std::string_view(text).substr(lines[i].begin, lines[i].end - lines[i].begin);
    }

    static std::shared_ptr<const Text> parse(std::string_view report, const std::string& shown,
                                             std::vector<AideReportEntry>& entries);
    // Returns whether what it wrote ends a line (or is empty).
    bool write(std::ostream& out, const std::vector<char>& kept,
               const std::array<std::size_t, 3>& dropped) const;

private:
    void parse_entries(Section& section, std::size_t header, std::optional<AideChange> kind,
                       std::string_view title, const std::string& shown,
                       std::vector<AideReportEntry>& entries);
    void parse_details(Section& section, std::size_t header, std::vector<std::string>& block_paths);
};

namespace {

struct SectionTitle {
    std::string_view title;
    SectionKind kind;
    AideChange change;
};

constexpr std::array<SectionTitle, 8> k_titles = {{
    {"Added entries:", SectionKind::grouped, AideChange::added},
    {"Removed entries:", SectionKind::grouped, AideChange::removed},
    {"Changed entries:", SectionKind::grouped, AideChange::changed},
    {"Added, removed and changed entries:", SectionKind::mixed, AideChange::changed},
    {"Added and removed entries:", SectionKind::mixed, AideChange::changed},
    {"Added and changed entries:", SectionKind::mixed, AideChange::changed},
    {"Removed and changed entries:", SectionKind::mixed, AideChange::changed},
    {"Detailed information about changes:", SectionKind::details, AideChange::changed},
}};

// report_summarize_changes=no lists "added: /path" and so on.
constexpr std::array<std::string_view, 3> k_word_prefixes = {"added: ", "removed: ", "changed: "};

constexpr std::array<std::string_view, 3> k_count_prefixes = {
    "  Added entries:\t\t", "  Removed entries:\t\t", "  Changed entries:\t\t"};

constexpr std::array<std::string_view, 4> k_outlines = {
    "AIDE found differences between database and filesystem!!",
    "AIDE found NO differences between database and filesystem. Looks okay!!",
    "AIDE found differences between the two databases!!",
    "AIDE found NO differences between the two databases. Looks okay!!"};

// The words get_file_type_string() puts before the path of a detailed block; a file whose type
// the database lacks has none.
constexpr std::array<std::string_view, 10> k_block_types = {
    "File: ",         "Directory: ",        "FIFO: ",   "Link: ",
    "Block device: ", "Character device: ", "Socket: ", "Door: ",
    "Port: ",         "Unknown file type: "};

std::optional<std::string_view> block_path(std::string_view line) {
    if (!line.empty() && line.front() == '/') {
        return line;
    }
    for (const std::string_view type : k_block_types) {
        if (starts_with(line, type) && line.size() > type.size() && line[type.size()] == '/') {
            return line.substr(type.size());
        }
    }
    return std::nullopt;
}

} // namespace

std::shared_ptr<const AideReport::Text>
AideReport::Text::parse(std::string_view report, const std::string& shown,
                        std::vector<AideReportEntry>& entries) {
    auto t = std::make_shared<Text>();
    t->text = std::string(report);
    for (std::size_t pos = 0; pos < t->text.size();) {
        const std::size_t newline = t->text.find('\n', pos);
        Line line;
        line.begin = pos;
        line.end = newline == k_npos ? t->text.size() : newline;
        line.newline = newline != k_npos;
        t->lines.push_back(line);
        pos = line.end + 1;
    }
    const std::size_t n = t->lines.size();
    auto blank = [&](std::size_t i) { return t->lines[i].begin == t->lines[i].end; };

    // Sections start at a header (dashes, "Title:", dashes) and the trailer at "End timestamp";
    // the blank line aide prints before either belongs to it.
    struct Boundary {
        std::size_t line;
        bool header;
        std::size_t start;
    };
    std::vector<Boundary> bounds;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view title = i + 2 < n ? t->content(i + 1) : std::string_view();
        if (t->content(i) == k_dashes && i + 2 < n && t->content(i + 2) == k_dashes &&
            title.size() > 1 && title.back() == ':') {
            bounds.push_back({i, true, i});
            i += 2;
        } else if (starts_with(t->content(i), "End timestamp: ")) {
            bounds.push_back({i, false, i});
        }
    }
    for (std::size_t k = 0; k < bounds.size(); ++k) {
        const std::size_t floor = k == 0 ? 0 : bounds[k - 1].line + (bounds[k - 1].header ? 3 : 1);
        if (bounds[k].start > floor && blank(bounds[k].start - 1)) {
            --bounds[k].start;
        }
    }

    // The preamble: the outline says what this is, the summary counts the entries.
    bool outline = false;
    std::array<bool, 3> counted{};
    for (std::size_t i = 0; i < (bounds.empty() ? n : bounds[0].start); ++i) {
        const std::string_view line = t->content(i);
        outline =
            outline || std::find(k_outlines.begin(), k_outlines.end(), line) != k_outlines.end();
        for (std::size_t kind = 0; kind < 3; ++kind) {
            if (starts_with(line, k_count_prefixes[kind])) {
                const auto count = parse_count(line.substr(k_count_prefixes[kind].size()));
                if (!count) {
                    throw ParseError(shown, i + 1, "malformed count in the summary");
                }
                t->counts[kind] = *count;
                counted[kind] = true;
                t->lines[i].role = Role::count;
                t->lines[i].ref = kind;
            }
        }
    }
    if (!outline) {
        throw ParseError(shown, 1, "not an aide --check report");
    }

    std::vector<std::string> block_paths;
    for (std::size_t k = 0; k < bounds.size(); ++k) {
        Section section;
        section.span = {bounds[k].start, k + 1 < bounds.size() ? bounds[k + 1].start : n};
        if (bounds[k].header) {
            const std::size_t header = bounds[k].line;
            const std::string_view title = t->content(header + 1);
            const auto known =
                std::find_if(k_titles.begin(), k_titles.end(),
                             [&](const SectionTitle& s) { return s.title == title; });
            section.kind = known == k_titles.end() ? SectionKind::other : known->kind;
            if (section.kind == SectionKind::grouped || section.kind == SectionKind::mixed) {
                if (section.kind == SectionKind::mixed) {
                    t->lines[header + 1].role = Role::mixed_title;
                }
                t->parse_entries(section, header,
                                 section.kind == SectionKind::grouped
                                     ? std::optional<AideChange>(known->change)
                                     : std::nullopt,
                                 title.substr(0, title.size() - 1), shown, entries);
            } else if (section.kind == SectionKind::details) {
                t->parse_details(section, header, block_paths);
            }
        }
        t->sections.push_back(std::move(section));
    }

    for (const Section& section : t->sections) {
        if (const auto twice = duplicate_path(section.entries, entries)) {
            throw ParseError(shown, t->entry_lines[*twice] + 1, "path listed twice in a section");
        }
    }
    // A file name holding a newline, which builds before +deb12u4 write as it is, shows as
    // entries more than aide counted.
    std::array<std::size_t, 3> listed{};
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::size_t kind = index_of(entries[i].change);
        if (!(counted[0] && counted[1] && counted[2])) {
            throw ParseError(shown, t->entry_lines[i] + 1, "entries listed without a summary");
        }
        if (++listed[kind] > t->counts[kind]) {
            throw ParseError(shown, t->entry_lines[i] + 1,
                             "more " + std::string(k_kind_words[kind]) +
                                 " entries than the summary counts (" +
                                 std::to_string(t->counts[kind]) + ")");
        }
    }
    const PathIndex index(entries);
    for (std::size_t b = 0; b < t->blocks.size(); ++b) {
        t->blocks[b].entries = index.find(block_paths[b]);
    }
    return t;
}

void AideReport::Text::parse_entries(Section& section, std::size_t header,
                                     std::optional<AideChange> kind, std::string_view title,
                                     const std::string& shown,
                                     std::vector<AideReportEntry>& entries) {
    for (std::size_t i = header + 3; i < section.span.end; ++i) {
        const std::string_view line = content(i);
        if (line.empty()) {
            continue;
        }
        auto fail = [&](const std::string& reason) {
            return ParseError(shown, i + 1, reason + " in \"" + std::string(title) + "\"");
        };
        AideReportEntry entry;
        std::string_view encoded;
        std::optional<AideChange> word;
        for (std::size_t w = 0; w < 3; ++w) {
            const std::string_view word_prefix = k_word_prefixes[w];
            if (starts_with(line, word_prefix)) {
                word = static_cast<AideChange>(w);
                encoded = line.substr(word_prefix.size());
            }
        }
        if (word) {
            if (encoded.empty() || encoded.front() != '/') {
                throw fail("path not absolute");
            }
            if (kind && *word != *kind) {
                throw fail("entry of another kind");
            }
            entry.change = *word;
        } else {
            const std::size_t colon = line.find(": /");
            if (colon == k_npos) {
                throw fail(line.find(": ") != k_npos ? "path not absolute"
                                                     : "malformed entry line");
            }
            const std::string_view summary = line.substr(0, colon);
            if (!valid_summary(summary)) {
                throw fail("malformed entry line");
            }
            encoded = line.substr(colon + 2);
            entry.type = summary.front();
            entry.change = kind ? *kind : kind_from_summary(summary);
        }
        entry.path = decode_text_path(encoded, entry.exact);
        section.entries.push_back(entries.size());
        entry_lines.push_back(i);
        entries.push_back(std::move(entry));
    }
}

void AideReport::Text::parse_details(Section& section, std::size_t header,
                                     std::vector<std::string>& block_paths) {
    std::size_t i = header + 3;
    while (i < section.span.end) {
        // A block is a header line after a blank one (or right after the section's header) and
        // the lines up to the next blank one.
        std::size_t head = k_npos;
        if (content(i).empty() && i + 1 < section.span.end && block_path(content(i + 1))) {
            head = i + 1;
        } else if (i == header + 3 && block_path(content(i))) {
            head = i;
        }
        if (head == k_npos) {
            section.other_content = section.other_content || !content(i).empty();
            ++i;
            continue;
        }
        std::size_t end = head + 1;
        while (end < section.span.end && !content(end).empty()) {
            ++end;
        }
        bool exact = true;
        block_paths.push_back(decode_text_path(*block_path(content(head)), exact));
        section.blocks.push_back(blocks.size());
        blocks.push_back({{i, end}, {}});
        i = end;
    }
}

bool AideReport::Text::write(std::ostream& out, const std::vector<char>& kept,
                             const std::array<std::size_t, 3>& dropped) const {
    std::vector<char> skip(lines.size(), 0);
    auto skip_span = [&](const Span& span) {
        std::fill(skip.begin() + static_cast<std::ptrdiff_t>(span.begin),
                  skip.begin() + static_cast<std::ptrdiff_t>(span.end), 1);
    };
    std::vector<char> block_kept(blocks.size(), 1);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (!blocks[b].entries.empty() && !any_kept(blocks[b].entries, kept)) {
            block_kept[b] = 0;
            skip_span(blocks[b].span);
        }
    }
    for (std::size_t e = 0; e < entry_lines.size(); ++e) {
        skip[entry_lines[e]] = kept[e] ? 0 : 1;
    }
    // A section that lost all it had goes, header and all, as aide leaves out an empty one.
    for (const Section& section : sections) {
        const bool had = !section.entries.empty() || !section.blocks.empty();
        const bool left = section.other_content || any_kept(section.entries, kept) ||
                          std::any_of(section.blocks.begin(), section.blocks.end(),
                                      [&](std::size_t b) { return block_kept[b] != 0; });
        if (had && !left) {
            skip_span(section.span);
        }
    }

    std::array<std::size_t, 3> left{};
    for (std::size_t kind = 0; kind < 3; ++kind) {
        left[kind] = counts[kind] - std::min(counts[kind], dropped[kind]);
    }
    bool ends_line = true;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (skip[i]) {
            continue;
        }
        const Line& line = lines[i];
        ends_line = line.newline;
        if (line.role == Role::count) {
            out << k_count_prefixes[line.ref] << left[line.ref];
        } else if (line.role == Role::mixed_title) {
            out << mixed_title(left[0] != 0, left[1] != 0, left[2] != 0);
        } else {
            out << content(i);
        }
        if (line.newline) {
            out << '\n';
        }
    }
    return ends_line;
}

// The JSON form: the document, where each entry sits in it, and the entries each detailed
// member is about.
struct AideReport::Json {
    Document document;
    struct Place {
        std::size_t member; // among the document's members
        std::size_t index;  // within that member's object or array
    };
    std::vector<Place> places;
    std::vector<char> lists; // per member: whether it lists entries
    std::size_t details = k_npos;
    std::size_t counts = k_npos;
    std::vector<std::vector<std::size_t>> detail_entries;

    static std::shared_ptr<const Json> parse(std::string_view report, const std::string& shown,
                                             std::vector<AideReportEntry>& entries);
    void write(std::ostream& out, const std::vector<char>& kept,
               const std::array<std::size_t, 3>& dropped,
               const std::vector<std::pair<std::string, std::size_t>>& suppressed) const;
};

std::shared_ptr<const AideReport::Json>
AideReport::Json::parse(std::string_view report, const std::string& shown,
                        std::vector<AideReportEntry>& entries) {
    auto at_byte = [&](std::size_t offset, const std::string& what) {
        const std::size_t line =
            1 + static_cast<std::size_t>(std::count(
                    report.begin(),
                    report.begin() + static_cast<std::ptrdiff_t>(std::min(offset, report.size())),
                    '\n'));
        return ParseError(shown, line, what + " at byte " + std::to_string(offset));
    };
    auto fail = [&](const std::string& reason) { return ParseError(shown, 0, reason); };

    if (const std::size_t bad = invalid_utf8(report); bad != k_npos) {
        throw at_byte(bad, "invalid UTF-8");
    }
    JsonBuilder builder;
    if (!Document::sax_parse(report.begin(), report.end(), &builder)) {
        if (builder.too_deep()) {
            throw fail("JSON nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        }
        const std::size_t offset = builder.error_position() - (builder.error_position() > 0);
        throw at_byte(offset, offset >= report.size() ? "JSON ends early" : "invalid JSON");
    }

    auto j = std::make_shared<Json>();
    j->document = std::move(builder.root());
    if (!j->document.is_object()) {
        throw fail("not an aide --check report");
    }
    const Members& members = j->document.get_ref<const Document::object_t&>();
    j->lists.assign(members.size(), 0);
    std::vector<std::size_t> top(members.size());
    for (std::size_t m = 0; m < members.size(); ++m) {
        top[m] = m;
    }
    std::stable_sort(top.begin(), top.end(), [&](std::size_t a, std::size_t b) {
        return members[a].first < members[b].first;
    });
    for (std::size_t k = 1; k < top.size(); ++k) {
        if (members[top[k - 1]].first == members[top[k]].first) {
            throw fail("a member twice in the report");
        }
    }
    const auto outline = j->document.find("outline");
    if (outline == j->document.end() || !outline->is_string()) {
        throw fail("not an aide --check report");
    }

    for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string& name = members[m].first;
        const Document& value = members[m].second;
        const auto word = std::find(k_kind_words.begin(), k_kind_words.end(), name);
        if (word == k_kind_words.end() && name != "entries") {
            if (name == "details") {
                if (!value.is_object()) {
                    throw fail("\"details\" is not an object");
                }
                j->details = m;
            } else if (name == "number_of_entries") {
                j->counts = m;
            }
            continue;
        }
        // grouped: "added" etc. map paths to summaries (or, without summaries, list paths);
        // not grouped: "entries" maps paths to summaries or to the words "added" etc.
        j->lists[m] = 1;
        std::vector<std::size_t> listed;
        auto add = [&](const std::string& path, const std::string* summary, std::size_t index) {
            if (path.empty() || path.front() != '/') {
                throw fail("path not absolute in \"" + name + "\"");
            }
            AideReportEntry entry;
            entry.path = path;
            if (word != k_kind_words.end()) {
                entry.change = static_cast<AideChange>(word - k_kind_words.begin());
            } else {
                const auto said = std::find(k_kind_words.begin(), k_kind_words.end(), *summary);
                entry.change = said != k_kind_words.end()
                                   ? static_cast<AideChange>(said - k_kind_words.begin())
                               : summary->empty() ? AideChange::changed
                                                  : kind_from_summary(*summary);
                if (said != k_kind_words.end()) {
                    summary = nullptr;
                }
            }
            entry.type = summary && !summary->empty() ? summary->front() : 0;
            listed.push_back(entries.size());
            j->places.push_back({m, index});
            entries.push_back(std::move(entry));
        };
        if (value.is_object()) {
            const Members& items = value.get_ref<const Document::object_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!items[i].second.is_string()) {
                    throw fail("\"" + name + "\" holds a summary that is not a string");
                }
                add(items[i].first, &items[i].second.get_ref<const std::string&>(), i);
            }
        } else if (value.is_array() && word != k_kind_words.end()) {
            const auto& items = value.get_ref<const Document::array_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!items[i].is_string()) {
                    throw fail("\"" + name + "\" holds a path that is not a string");
                }
                add(items[i].get_ref<const std::string&>(), nullptr, i);
            }
        } else {
            throw fail("\"" + name + "\" is not an object of strings");
        }
        if (duplicate_path(listed, entries)) {
            throw fail("path listed twice in \"" + name + "\"");
        }
    }

    // As in the text form: a count the listing exceeds means the report was not what aide
    // meant (builds before 0.18.3-1+deb12u4 write a '"' in a file name as it is).
    if (!entries.empty()) {
        const Document* counts = j->counts == k_npos ? nullptr : &members[j->counts].second;
        std::array<std::size_t, 3> listed{};
        for (const AideReportEntry& entry : entries) {
            ++listed[index_of(entry.change)];
        }
        for (std::size_t kind = 0; kind < 3; ++kind) {
            const std::string key(k_kind_words[kind]);
            const Document* count = nullptr;
            if (counts && counts->is_object() && counts->contains(key)) {
                count = &counts->at(key);
            }
            if (!count || !count->is_number_unsigned()) {
                throw fail("entries listed without \"number_of_entries\"");
            }
            if (listed[kind] > count->get<std::size_t>()) {
                throw fail("more " + std::string(k_kind_words[kind]) +
                           " entries than \"number_of_entries\" counts (" +
                           std::to_string(count->get<std::size_t>()) + ")");
            }
        }
    }

    // Paths spelt with \u may be other files (see AideReportEntry::exact). The document is valid
    // JSON by now, so its strings are easy to find.
    std::vector<std::string> unsure;
    for (std::size_t i = 0; i < report.size(); ++i) {
        if (report[i] != '"') {
            continue;
        }
        std::size_t end = i + 1;
        bool escaped_u = false;
        while (end < report.size() && report[end] != '"') {
            if (report[end] == '\\' && end + 1 < report.size()) {
                escaped_u = escaped_u || report[end + 1] == 'u';
                ++end;
            }
            ++end;
        }
        if (escaped_u) {
            try {
                unsure.push_back(Document::parse(report.substr(i, end + 1 - i)).get<std::string>());
            } catch (const Document::exception&) {
                throw at_byte(i, "invalid JSON string"); // not reached: the document parsed
            }
        }
        i = end;
    }
    std::sort(unsure.begin(), unsure.end());
    for (AideReportEntry& entry : entries) {
        entry.exact = !std::binary_search(unsure.begin(), unsure.end(), entry.path);
    }

    if (j->details != k_npos) {
        const PathIndex index(entries);
        const Members& items = members[j->details].second.get_ref<const Document::object_t&>();
        for (const auto& item : items) {
            j->detail_entries.push_back(index.find(item.first));
        }
    }
    return j;
}

void AideReport::Json::write(
    std::ostream& out, const std::vector<char>& kept, const std::array<std::size_t, 3>& dropped,
    const std::vector<std::pair<std::string, std::size_t>>& suppressed) const {
    const Members& members = document.get_ref<const Document::object_t&>();
    std::vector<std::vector<char>> keep_item(members.size());
    for (std::size_t e = 0; e < places.size(); ++e) {
        std::vector<char>& flags = keep_item[places[e].member];
        flags.resize(std::max(flags.size(), places[e].index + 1), 1);
        flags[places[e].index] = kept[e];
    }

    Document written = Document::object();
    auto& into = written.get_ref<Document::object_t&>();
    for (std::size_t m = 0; m < members.size(); ++m) {
        const auto& [name, value] = members[m];
        if (!lists[m] && m != details && m != counts) {
            into.emplace_back(name, value);
            continue;
        }
        if (m == counts) {
            Document recounted = value;
            for (std::size_t kind = 0; kind < 3; ++kind) {
                const auto count = recounted.find(std::string(k_kind_words[kind]));
                if (count != recounted.end() && count->is_number_unsigned()) {
                    const auto n = count->get<std::size_t>();
                    *count = n - std::min(n, dropped[kind]);
                }
            }
            into.emplace_back(name, std::move(recounted));
            continue;
        }
        auto keep = [&](std::size_t i) {
            return m == details ? detail_entries[i].empty() || any_kept(detail_entries[i], kept)
                                : i >= keep_item[m].size() || keep_item[m][i] != 0;
        };
        Document filtered;
        if (value.is_object()) {
            const Members& items = value.get_ref<const Document::object_t&>();
            filtered = Document::object();
            auto& left = filtered.get_ref<Document::object_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (keep(i)) {
                    left.emplace_back(items[i].first, items[i].second);
                }
            }
        } else {
            const auto& items = value.get_ref<const Document::array_t&>();
            filtered = Document::array();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (keep(i)) {
                    filtered.push_back(items[i]);
                }
            }
        }
        // aide leaves out a list (and the details) with nothing in it.
        if (filtered.empty() && !value.empty()) {
            continue;
        }
        into.emplace_back(name, std::move(filtered));
    }
    if (any_nonzero(suppressed)) {
        Document counted = Document::object();
        for (const auto& [reason, count] : suppressed) {
            if (count != 0) {
                counted.get_ref<Document::object_t&>().emplace_back(reason, count);
            }
        }
        into.emplace_back(std::string(k_suppressed_member), std::move(counted));
    }
    out << written.dump(2, ' ', false, Document::error_handler_t::replace) << '\n';
}

AideReport AideReport::parse(std::string_view report, const std::string& shown) {
    AideReport parsed;
    const std::size_t first = report.find_first_not_of(" \t\r\n");
    if (first != k_npos && report[first] == '{') {
        parsed.m_form = Form::json;
        parsed.m_json = Json::parse(report, shown, parsed.m_entries);
    } else {
        parsed.m_form = Form::text;
        parsed.m_text = Text::parse(report, shown, parsed.m_entries);
    }
    return parsed;
}

bool AideReport::write(std::ostream& out, const std::function<bool(std::size_t)>& keep,
                       const std::vector<std::pair<std::string, std::size_t>>& suppressed) const {
    std::vector<char> kept(m_entries.size());
    std::array<std::size_t, 3> dropped{};
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        kept[i] = keep(i) ? 1 : 0;
        if (!kept[i]) {
            ++dropped[index_of(m_entries[i].change)];
        }
    }
    if (m_form == Form::json) {
        m_json->write(out, kept, dropped, suppressed);
    } else {
        const bool ends_line = m_text->write(out, kept, dropped);
        if (any_nonzero(suppressed)) {
            if (!ends_line) {
                out << '\n';
            }
            out << '\n' << k_dashes << '\n' << k_suppressed_title << '\n' << k_dashes << "\n\n";
            for (const auto& [reason, count] : suppressed) {
                if (count != 0) {
                    out << "  " << reason << ":\t" << count << '\n';
                }
            }
        }
    }
    out.flush();
    return static_cast<bool>(out);
}

} // namespace pkgdesc
