// What the two forms of an aide --check report share inside the library: their layouts
// (AideReport::Text, AideReport::Json) and the helpers both use. Not installed.
#pragma once

#include <libpkgdesc/integrate/aide_report.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc::aide_forms {

using Document = nlohmann::ordered_json;
// An object's members as the vector they are, to be indexed (ordered_map's [] takes a key).
using Members = Document::object_t::Container;

constexpr std::size_t k_npos = std::string_view::npos;
constexpr std::string_view k_dashes = "---------------------------------------------------";
constexpr std::string_view k_suppressed_title = "Suppressed by pkgdesc-verify:";
constexpr std::string_view k_suppressed_member = "suppressed_by_pkgdesc_verify";
constexpr std::array<std::string_view, 3> k_kind_words = {"added", "removed", "changed"};
// What aide says of a check (the first) or of a comparison of two databases (the third).
constexpr std::array<std::string_view, 4> k_outlines = {
    "AIDE found differences between database and filesystem!!",
    "AIDE found NO differences between database and filesystem. Looks okay!!",
    "AIDE found differences between the two databases!!",
    "AIDE found NO differences between the two databases. Looks okay!!"};

inline std::size_t index_of(AideChange change) {
    return static_cast<std::size_t>(change);
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The kind of an entry listed with its summary in a section of several kinds: added and removed
// entries have nothing but '+' or '-' after the type.
AideChange kind_from_summary(std::string_view summary);

// Sorts `indices` by their entries' paths (keeping the order of equal ones) and returns the
// index of a second entry with the same path as one before it, if any.
std::optional<std::size_t> duplicate_path(std::vector<std::size_t> indices,
                                          const std::vector<AideReportEntry>& entries);

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

// Records the new value of the attribute `name` ("Size", "SHA256", "Perm" as the text form
// names them, "size", "sha256", "perm" as the JSON form does) as aide wrote it: the size in
// decimal, the digest in base64 or (report_base16) hexadecimal. Every attribute is added to
// `recorded.named`.
void record_value(AideRecorded& recorded, std::string_view name, std::string_view value);

// The attributes a changed entry's summary string says differ (AideReportEntry::differing).
std::string differing_in_summary(std::string_view summary);
// Why aide cannot have written `path` (decoded) as an entry's path, or nullptr: aide names every
// file by its absolute, normalized path, which holds no NUL byte.
const char* path_problem(std::string_view path);
// Gives an entry what its detailed block says: the values recorded and, for a changed entry,
// the attributes named as different.
void attach_details(AideReportEntry& entry, const AideRecorded& recorded);

bool any_kept(const std::vector<std::size_t>& indices, const std::vector<char>& kept);
bool any_nonzero(const std::vector<std::pair<std::string, std::size_t>>& suppressed);

// What a section of the text form holds: entries of one kind (report_grouped=yes), entries of
// several kinds, the detailed information about entries, or something else.
enum class SectionKind { grouped, mixed, details, databases, other };

} // namespace pkgdesc::aide_forms

namespace pkgdesc {

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
        aide_forms::SectionKind kind = aide_forms::SectionKind::other;
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
    void parse_details(Section& section, std::size_t header, const std::string& shown,
                       std::vector<std::string>& block_paths,
                       std::vector<AideRecorded>& block_recorded);
    AideRecorded recorded_values(std::size_t begin, std::size_t end) const;
};

// The JSON form: the document, where each entry sits in it, and the entries each detailed
// member is about.
struct AideReport::Json {
    aide_forms::Document document;
    struct Place {
        std::size_t member; // among the document's members
        std::size_t index;  // within that member's object or array
    };
    std::vector<Place> places;
    std::vector<char> lists; // per member: whether it lists entries
    std::size_t details = aide_forms::k_npos;
    std::size_t counts = aide_forms::k_npos;
    std::vector<std::vector<std::size_t>> detail_entries;

    static std::shared_ptr<const Json> parse(std::string_view report, const std::string& shown,
                                             std::vector<AideReportEntry>& entries);
    void write(std::ostream& out, const std::vector<char>& kept,
               const std::array<std::size_t, 3>& dropped,
               const std::vector<std::pair<std::string, std::size_t>>& suppressed) const;
};

} // namespace pkgdesc
