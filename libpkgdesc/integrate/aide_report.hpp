// The report of Debian 12's AIDE 0.18.3 `aide --check`, in its text and its JSON form, read and
// written back with some of its entries left out: pkgdesc-verify --aide-report leaves out the
// differences that pristine package files explain, so that what remains is worth a human's look.
// This component knows nothing of verification: the caller says which entries to keep.
#pragma once

#include <libpkgdesc/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

enum class AideChange { added, removed, changed };

// What aide saw at a path when it wrote the report, as the report's detailed information says
// (report_level changed_attributes and above, for changed entries; added_removed_entries for
// added ones): only the attributes it names there.
struct AideRecorded {
    std::optional<std::uint64_t> size;
    std::optional<std::array<std::uint8_t, 32>> sha256;
    std::optional<std::string> perm; // as aide writes it: "-rwsr-xr-x"
    // One of these attributes was named without a new value, or with one this parser cannot
    // read: what aide saw is unknown.
    bool unclear = false;
    // Every attribute the detailed information names, as its summary character (see
    // AideReportEntry::differing).
    std::string named;
};

struct AideReportEntry {
    AideChange change = AideChange::changed;
    std::string path; // the file's absolute path, decoded
    // False when the report cannot name the path unambiguously. The text form of aide 0.18.3-1
    // +deb12u4 and later writes a control character as \ooo and a backslash before three digits
    // as \134, earlier builds write both as they are; so a text path holding a backslash and
    // three digits may be either. The JSON form of those builds writes a control character as
    // \u00DD with the code in decimal ("\u0027" for ESC), so a JSON path spelt with \u may be
    // another file. The caller never drops such an entry.
    bool exact = true;
    // The first character of the entry's summary string ('f', 'd', 'l', ...), 0 when the form
    // has none.
    char type = 0;
    AideRecorded recorded;
    // For a changed entry, the attributes aide says differ, by their summary characters
    // (k_aide_attributes; '>' for the size, also when it shrank), from the summary string and
    // the detailed information; '?' for one that cannot be told (an attribute added or removed
    // in a summary string of another length than Debian's, a name this parser does not know).
    std::string differing;
    // Whether the report says which attributes differ at all: a summary string, or a detailed
    // block (report_summarize_changes=no and report_level list_entries give neither).
    bool differences_named = false;
};

// The attributes of aide 0.18's summary string, in its order, as Debian's build writes them
// (with ACL, xattr, SELinux, e2fsattrs and capabilities support): file type, link name, size,
// block count, permissions, uid, gid, atime, mtime, ctime, inode, link count, hashsums, ACL,
// extended attributes, SELinux context, ext2 attributes, capabilities.
inline constexpr std::string_view k_aide_attributes = "!l>bpugamcinHAXSEC";

class PKGDESC_EXPORT AideReport {
public:
    enum class Form { text, json };

    // Parses an aide --check report (text or JSON, recognised by its first non-blank byte '{').
    // Throws ParseError(shown, line, reason) for input that is not such a report (JSON: line 0
    // when no byte is to blame, else the byte offset in the reason), e.g. not valid JSON, JSON
    // whose "added"/"removed"/"changed" are not objects (or, as report_summarize_changes=no
    // writes them, arrays) of strings, a text report with an entry line in a section that it
    // cannot parse, the same path twice in one section, a path that is not absolute, more
    // entries of a kind than the report's summary counts (what a file name holding a newline
    // does to the reports of builds before +deb12u4). Never crashes; O(n log n) work, JSON
    // nesting limited to 64 levels.
    static AideReport parse(std::string_view report, const std::string& shown);

    Form form() const { return m_form; }
    // In the order of the report.
    const std::vector<AideReportEntry>& entries() const { return m_entries; }

    // Writes the report again, in its own form, with only the entries keep(index into entries())
    // accepts, then the nonzero suppression counts (reason, count), in the order given, when
    // there are any: a last section "Suppressed by pkgdesc-verify:" of lines "  REASON:\tCOUNT",
    // or a last member "suppressed_by_pkgdesc_verify": {REASON: COUNT, ...}. The summary counts
    // become those of the entries kept; a section, list or "details" left empty goes, as aide
    // leaves out an empty one; the outline and all it does not recognise stay as they were.
    // Returns false when the stream failed.
    bool write(std::ostream& out, const std::function<bool(std::size_t)>& keep,
               const std::vector<std::pair<std::string, std::size_t>>& suppressed) const;

private:
    // The layout of the report, form by form (in the .cpp, which alone sees nlohmann-json).
    struct Text;
    struct Json;

    AideReport() = default;

    Form m_form = Form::text;
    std::vector<AideReportEntry> m_entries;
    std::shared_ptr<const Text> m_text;
    std::shared_ptr<const Json> m_json;
};

} // namespace pkgdesc
