// The text form of an aide --check report, line by line.
#include <libpkgdesc/integrate/aide_report_forms.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/report/reporter.hpp>

namespace pkgdesc {

using namespace aide_forms;

namespace {

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

struct SectionTitle {
    std::string_view title;
    SectionKind kind;
    AideChange change;
    int rank; // aide writes sections in this order, each once
};

constexpr std::array<SectionTitle, 9> k_titles = {{
    {"Added entries:", SectionKind::grouped, AideChange::added, 0},
    {"Removed entries:", SectionKind::grouped, AideChange::removed, 1},
    {"Changed entries:", SectionKind::grouped, AideChange::changed, 2},
    {"Added, removed and changed entries:", SectionKind::mixed, AideChange::changed, 2},
    {"Added and removed entries:", SectionKind::mixed, AideChange::changed, 2},
    {"Added and changed entries:", SectionKind::mixed, AideChange::changed, 2},
    {"Removed and changed entries:", SectionKind::mixed, AideChange::changed, 2},
    {"Detailed information about changes:", SectionKind::details, AideChange::changed, 3},
    {"The attributes of the (uncompressed) database(s):", SectionKind::databases,
     AideChange::changed, 4},
}};

// report_summarize_changes=no lists "added: /path" and so on.
constexpr std::array<std::string_view, 3> k_word_prefixes = {"added: ", "removed: ", "changed: "};

constexpr std::array<std::string_view, 3> k_count_prefixes = {
    "  Added entries:\t\t", "  Removed entries:\t\t", "  Changed entries:\t\t"};

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
    std::optional<std::size_t> outline;
    std::array<bool, 3> counted{};
    for (std::size_t i = 0; i < (bounds.empty() ? n : bounds[0].start); ++i) {
        const std::string_view line = t->content(i);
        if (const auto known = std::find(k_outlines.begin(), k_outlines.end(), line);
            !outline && known != k_outlines.end()) {
            outline = static_cast<std::size_t>(known - k_outlines.begin());
        }
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

    // Sections come in aide's order, each once, and the end timestamp last: a file name holding
    // a newline (builds before 0.18.3-1+deb12u4 write names as they are) can make a line look
    // like a header, and this is what keeps it from moving entries out of their list.
    std::vector<std::string> block_paths;
    std::vector<AideRecorded> block_recorded;
    int last_rank = -1;
    for (std::size_t k = 0; k < bounds.size(); ++k) {
        Section section;
        section.span = {bounds[k].start, k + 1 < bounds.size() ? bounds[k + 1].start : n};
        if (!bounds[k].header) {
            if (k + 1 != bounds.size()) {
                throw ParseError(shown, bounds[k].line + 1, "end timestamp before the end");
            }
            for (std::size_t i = bounds[k].line + 1; i < n; ++i) {
                if (!t->content(i).empty()) {
                    throw ParseError(shown, i + 1, "text after the end timestamp");
                }
            }
            t->sections.push_back(section);
            continue;
        }
        const std::size_t header = bounds[k].line;
        const std::string_view title = t->content(header + 1);
        const auto known = std::find_if(k_titles.begin(), k_titles.end(),
                                        [&](const SectionTitle& s) { return s.title == title; });
        if (known == k_titles.end()) {
            throw ParseError(shown, header + 2, "unknown section \"" + escape_text(title) + "\"");
        }
        if (known->rank <= last_rank || (known->kind == SectionKind::mixed && last_rank >= 0)) {
            throw ParseError(shown, header + 2,
                             "section \"" + std::string(title) + "\" out of aide's order");
        }
        last_rank = known->rank;
        section.kind = known->kind;
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
            t->parse_details(section, header, shown, block_paths, block_recorded);
        }
        t->sections.push_back(std::move(section));
    }

    for (const Section& section : t->sections) {
        if (const auto twice = duplicate_path(section.entries, entries)) {
            throw ParseError(shown, t->entry_lines[*twice] + 1, "path listed twice in a section");
        }
    }
    // The list must be the one aide counted, entry for entry: a file name holding a newline
    // shows as more, fewer or other entries.
    std::array<std::size_t, 3> listed{};
    for (const AideReportEntry& entry : entries) {
        ++listed[index_of(entry.change)];
    }
    const bool differences = *outline == 0 || *outline == 2;
    if (!differences && !entries.empty()) {
        throw ParseError(shown, t->entry_lines[0] + 1, "entries listed, yet no differences found");
    }
    if (differences && !(counted[0] && counted[1] && counted[2])) {
        throw ParseError(shown, 1,
                         "differences found but not counted (report_level minimal?): the "
                         "filter needs report_level list_entries or higher");
    }
    for (std::size_t kind = 0; differences && kind < 3; ++kind) {
        if (listed[kind] != t->counts[kind]) {
            throw ParseError(shown, 1,
                             "the summary counts " + std::to_string(t->counts[kind]) + " " +
                                 std::string(k_kind_words[kind]) + " entries, the report lists " +
                                 std::to_string(listed[kind]) +
                                 (listed[kind] == 0 && entries.empty()
                                      ? " (report_level below list_entries?)"
                                      : ""));
        }
    }
    const PathIndex index(entries);
    std::vector<std::size_t> sorted_blocks(block_paths.size());
    for (std::size_t b = 0; b < t->blocks.size(); ++b) {
        t->blocks[b].entries = index.find(block_paths[b]);
        for (const std::size_t e : t->blocks[b].entries) {
            attach_details(entries[e], block_recorded[b]);
        }
        sorted_blocks[b] = b;
    }
    std::stable_sort(sorted_blocks.begin(), sorted_blocks.end(),
                     [&](std::size_t x, std::size_t y) { return block_paths[x] < block_paths[y]; });
    for (std::size_t k = 1; k < sorted_blocks.size(); ++k) {
        if (block_paths[sorted_blocks[k - 1]] == block_paths[sorted_blocks[k]]) {
            throw ParseError(shown, t->blocks[sorted_blocks[k]].span.begin + 2,
                             "detailed information about a path twice");
        }
    }
    return t;
}

void AideReport::Text::parse_entries(Section& section, std::size_t header,
                                     std::optional<AideChange> kind, std::string_view title,
                                     const std::string& shown,
                                     std::vector<AideReportEntry>& entries) {
    for (std::size_t i = header + 3; i < section.span.end; ++i) {
        const std::string_view line = content(i);
        auto fail = [&](const std::string& reason) {
            return ParseError(shown, i + 1, reason + " in \"" + std::string(title) + "\"");
        };
        // aide writes one blank line after the header and none among the entries: there, one
        // is a file name ending in a newline that a build before +deb12u4 wrote as it is.
        if (line.empty()) {
            if (i == header + 3) {
                continue;
            }
            throw fail("blank line among the entries");
        }
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
            if (entry.change == AideChange::changed) {
                entry.differing = differing_in_summary(summary);
                entry.differences_named = true;
            }
        }
        entry.path = decode_text_path(encoded, entry.exact);
        if (const char* problem = path_problem(entry.path)) {
            throw fail(problem);
        }
        section.entries.push_back(entries.size());
        entry_lines.push_back(i);
        entries.push_back(std::move(entry));
    }
}

void AideReport::Text::parse_details(Section& section, std::size_t header, const std::string& shown,
                                     std::vector<std::string>& block_paths,
                                     std::vector<AideRecorded>& block_recorded) {
    std::size_t i = header + 3;
    while (i < section.span.end) {
        // A block is a header line after a blank one (or right after the section's header) and
        // the lines up to the next blank one; aide writes nothing else here.
        std::size_t head = k_npos;
        if (content(i).empty() && i + 1 < section.span.end && block_path(content(i + 1))) {
            head = i + 1;
        } else if (i == header + 3 && block_path(content(i))) {
            head = i;
        }
        if (head == k_npos) {
            if (!content(i).empty()) {
                throw ParseError(shown, i + 1, "not a detailed block in \"Detailed information\"");
            }
            ++i;
            continue;
        }
        std::size_t end = head + 1;
        while (end < section.span.end && !content(end).empty()) {
            ++end;
        }
        bool exact = true;
        block_paths.push_back(decode_text_path(*block_path(content(head)), exact));
        block_recorded.push_back(recorded_values(head + 1, end));
        section.blocks.push_back(blocks.size());
        blocks.push_back({{i, end}, {}});
        i = end;
    }
}

// The attribute lines of a detailed block are " NAME      : OLD | NEW" in fixed columns (the
// name 10 wide, each value cut into 32-character pieces, one piece a line; report_plain.c,
// _print_attribute()); the new value starts at column 48.
AideRecorded AideReport::Text::recorded_values(std::size_t begin, std::size_t end) const {
    constexpr std::size_t k_name = 1;
    constexpr std::size_t k_name_width = 10;
    constexpr std::size_t k_new = 48;
    AideRecorded recorded;
    std::string name;
    std::string value;
    auto finish = [&] {
        if (!name.empty()) {
            record_value(recorded, name, value);
        }
    };
    for (std::size_t i = begin; i < end; ++i) {
        const std::string_view line = content(i);
        if (line.size() <= k_name + k_name_width + 1 || line[0] != ' ') {
            continue;
        }
        std::string_view field = line.substr(k_name, k_name_width);
        field = field.substr(0, field.find_last_not_of(' ') + 1);
        const char separator = line[k_name + k_name_width];
        if (separator == ':') {
            finish();
            name = std::string(field);
            value.clear();
        } else if (separator != ' ' || !field.empty()) {
            continue;
        }
        if (line.size() > k_new) {
            value += line.substr(k_new);
        }
    }
    finish();
    return recorded;
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

} // namespace pkgdesc
