// Reporters turn findings into output: text for people, rpm -V lines, JSON for programs, and
// bare path lists for backup excludes and HIDS allow-lists.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

enum class ReportFormat { text, rpm, json };
enum class ListSelection { pristine, deviating };

struct PKGDESC_EXPORT ReportOptions {
    ReportFormat format = ReportFormat::text;
    // --list: only bare paths of these files.
    std::optional<ListSelection> list;
    bool null_separated = false; // -0
    bool all = false;            // include pristine files
    bool verbose = false;        // expected and actual values, notes
    bool quiet = false;          // no summary
    std::string root = "/";      // for the JSON header
};

class PKGDESC_EXPORT Reporter : public FindingSink {
public:
    // Writes the summary (or closes the document). Returns false when the stream failed.
    virtual bool finish(const Summary& summary) = 0;
};

PKGDESC_EXPORT std::optional<ReportFormat> report_format_from_name(std::string_view name);
PKGDESC_EXPORT std::optional<ListSelection> list_selection_from_name(std::string_view name);

PKGDESC_EXPORT std::unique_ptr<Reporter> make_reporter(const ReportOptions& options,
                                                       std::ostream& out);

// Notes that name the packages without reference data when the report itself does not (text
// with -q, rpm, --list; JSON and the text summary list them), so that an exit status of 1 is
// never unexplained: "unreferenced package NAME VERSION: REASON", escaped as escape_text does,
// the first ten (all with -v), then "... and N more unreferenced packages (-v lists all)".
PKGDESC_EXPORT std::vector<std::string> unreferenced_notes(const ReportOptions& options,
                                                           const Summary& summary);

// What escape_text does with a backslash: escapes it, so that every escaped value reads back
// unambiguously (report lines); or keeps it, for messages that quote values escaped already.
enum class Backslashes { escape, keep };

// Text that is safe on a terminal and still readable: every byte of a control character
// (0x00..0x1F, 0x7F, and U+0080..U+009F encoded in UTF-8), of a bidirectional formatting
// character (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) or of a line or paragraph
// separator (U+2028, U+2029), every byte that is not part of valid UTF-8, and the backslash,
// become "\ooo" (three octal digits); the space and all other UTF-8 stay as they are. The one
// escaping of every value from the checked system or the reference data that text output
// prints, and of the messages that quote them.
PKGDESC_EXPORT std::string escape_text(std::string_view value,
                                       Backslashes backslashes = Backslashes::escape);

} // namespace pkgdesc
