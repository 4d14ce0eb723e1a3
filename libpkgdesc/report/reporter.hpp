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

} // namespace pkgdesc
