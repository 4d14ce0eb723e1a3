// The text, rpm, JSON and list reporters.
#include <libpkgdesc/report/reporter.hpp>

#include <libpkgdesc/format/path.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace pkgdesc {

namespace {

// One line per path, so names are written with mtree escapes (spaces stay readable as \040).
std::string line_path(const std::string& path) {
    return escape(path);
}

// Control characters and backslashes as \ooo, everything else (spaces, UTF-8) as it is.
std::string printable(std::string_view value) {
    std::string out;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '\\') {
            char octal[8];
            std::snprintf(octal, sizeof(octal), "\\%03o", byte);
            out += octal;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            min = 0x10000;
        } else {
            return false;
        }
        if (i + extra >= text.size()) {
            return false;
        }
        std::uint32_t code = c & (0x3F >> extra);
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) {
                return false;
            }
            code = (code << 6) | (next & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

// JSON strings must be UTF-8: other names are given mtree-escaped, and flagged.
void put_path(nlohmann::json& object, const char* key, const std::string& path) {
    if (valid_utf8(path)) {
        object[key] = path;
    } else {
        object[key] = escape(path);
        object[std::string(key) + "_escaped"] = true;
    }
}

bool deviating(const Finding& finding) {
    return finding.status != FileStatus::pristine;
}

class TextReporter : public Reporter {
public:
    TextReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {}

    void finding(const Finding& f) override {
        if (!m_opts.all && !deviating(f)) {
            return;
        }
        std::string line(status_name(f.status));
        line.resize(13, ' ');
        line += line_path(f.path);
        std::string owner = f.package;
        if (f.conffile) {
            owner += owner.empty() ? "conffile" : ", conffile";
        }
        if (f.status == FileStatus::unowned) {
            owner = f.reason; // the type of the unowned file
        }
        if (!owner.empty()) {
            line += " (" + owner + ")";
        }
        std::string details;
        for (const FailedAttribute& attribute : f.failed) {
            details += details.empty() ? ": " : ", ";
            details += attribute.name;
            if (attribute.name != "sha256" || m_opts.verbose) {
                // Link targets and names come from the checked system: escaped like paths, so
                // that no value can start a line of its own or reach the terminal raw.
                details +=
                    " " + printable(attribute.expected) + " -> " + printable(attribute.actual);
            }
        }
        line += details;
        if (f.status != FileStatus::unowned && !f.reason.empty() &&
            (f.status != FileStatus::pristine || m_opts.verbose)) {
            line += (details.empty() ? ": " : "; ") + f.reason;
        }
        if (m_opts.verbose) {
            if (!f.listed_path.empty()) {
                line += "; listed as " + line_path(f.listed_path);
            }
            if (!f.diverted_by.empty()) {
                line += "; diverted by " + f.diverted_by;
            }
            if (!f.statoverride.empty()) {
                line += "; statoverride " + f.statoverride;
            }
        }
        m_out << line << '\n';
    }

    bool finish(const Summary& s) override {
        if (!m_opts.quiet) {
            auto row = [&](FileStatus status, const std::string& extra = {}) {
                std::string label(status_name(status));
                label += ":";
                label.resize(14, ' ');
                m_out << "  " << label << s.count(status) << extra << '\n';
            };
            m_out << "Packages checked: " << s.packages_checked << '\n';
            m_out << "Total files checked: " << s.total() << '\n';
            row(FileStatus::pristine);
            row(FileStatus::modified,
                s.modified_conffiles > 0 ? " (" + std::to_string(s.modified_conffiles) +
                                               " conffile" + (s.modified_conffiles > 1 ? "s)" : ")")
                                         : std::string());
            row(FileStatus::metadata);
            row(FileStatus::missing);
            row(FileStatus::unowned);
            row(FileStatus::unverifiable);
            if (s.diverted > 0 || s.statoverridden > 0) {
                m_out << "Diverted files: " << s.diverted
                      << ", files with a statoverride: " << s.statoverridden << '\n';
            }
            // Each with the reason: all of them with -v, the first ten otherwise.
            m_out << "Unreferenced packages: " << s.unreferenced.size() << '\n';
            std::size_t shown = 0;
            for (const Summary::Package& pkg : s.unreferenced) {
                if (!m_opts.verbose && shown++ == 10) {
                    m_out << "  ... and " << s.unreferenced.size() - 10 << " more (-v lists all)\n";
                    break;
                }
                m_out << "  " << printable(pkg.name) << ' ' << printable(pkg.version) << ": "
                      << printable(pkg.reason) << '\n';
            }
        }
        m_out.flush();
        return static_cast<bool>(m_out);
    }

private:
    ReportOptions m_opts;
    std::ostream& m_out;
};

class RpmReporter : public Reporter {
public:
    RpmReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {}

    void finding(const Finding& f) override {
        if (!m_opts.all && !deviating(f)) {
            return;
        }
        const char marker = f.conffile ? 'c' : ' ';
        std::string prefix;
        switch (f.status) {
        case FileStatus::missing:
            prefix = "missing  ";
            break;
        case FileStatus::unowned:
            prefix = "unowned  ";
            break;
        default:
            prefix = flags(f);
        }
        m_out << prefix << "  " << marker << ' ' << line_path(f.path) << '\n';
    }

    bool finish(const Summary&) override {
        m_out.flush();
        return static_cast<bool>(m_out);
    }

private:
    // rpm -V's SM5DLUGTP columns: '.' passed, the letter failed, '?' could not be tested.
    static std::string flags(const Finding& f) {
        std::string out = ".........";
        const bool unknown = f.status == FileStatus::unverifiable;
        for (const FailedAttribute& a : f.failed) {
            const std::string& n = a.name;
            const std::size_t col = n == "size"                                     ? 0
                                    : n == "mode" || n == "type"                    ? 1
                                    : n == "sha256"                                 ? 2
                                    : n == "device"                                 ? 3
                                    : n == "link" || n == "hardlink" || n == "path" ? 4
                                    : n == "owner"                                  ? 5
                                    : n == "group"                                  ? 6
                                    : n == "mtime"                                  ? 7
                                                                                    : 8;
            out[col] = "SM5DLUGTP"[col];
        }
        if (unknown) {
            // Nothing that did not fail was proven.
            for (char& c : out) {
                c = c == '.' ? '?' : c;
            }
        }
        return out;
    }

    ReportOptions m_opts;
    std::ostream& m_out;
};

class JsonReporter : public Reporter {
public:
    JsonReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {}

    void finding(const Finding& f) override {
        if (!m_opts.all && !deviating(f)) {
            return;
        }
        nlohmann::json object;
        put_path(object, "path", f.path);
        if (!f.listed_path.empty()) {
            put_path(object, "listed_path", f.listed_path);
        }
        object["package"] = f.package.empty() ? nlohmann::json() : nlohmann::json(f.package);
        object["status"] = status_name(f.status);
        object["conffile"] = f.conffile;
        nlohmann::json failed = nlohmann::json::array();
        nlohmann::json expected = nlohmann::json::object();
        nlohmann::json actual = nlohmann::json::object();
        for (const FailedAttribute& attribute : f.failed) {
            failed.push_back(attribute.name);
            expected[attribute.name] = attribute.expected;
            actual[attribute.name] = attribute.actual;
        }
        object["failed"] = std::move(failed);
        object["expected"] = std::move(expected);
        object["actual"] = std::move(actual);
        if (!f.reason.empty()) {
            object[f.status == FileStatus::unowned ? "type" : "reason"] = f.reason;
        }
        if (!f.diverted_by.empty()) {
            object["diverted_by"] = f.diverted_by;
        }
        if (!f.statoverride.empty()) {
            object["statoverride"] = f.statoverride;
        }
        header();
        m_out << (m_first ? "\n" : ",\n")
              << object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        m_first = false;
    }

    bool finish(const Summary& s) override {
        nlohmann::json unreferenced = nlohmann::json::array();
        for (const Summary::Package& pkg : s.unreferenced) {
            unreferenced.push_back({{"package", pkg.name},
                                    {"version", pkg.version},
                                    {"architecture", pkg.architecture},
                                    {"reason", pkg.reason}});
        }
        nlohmann::json summary = {
            {"checked", s.total()},
            {"packages_checked", s.packages_checked},
            {"unreferenced", s.unreferenced.size()},
            {"modified_conffiles", s.modified_conffiles},
            {"diverted", s.diverted},
            {"statoverridden", s.statoverridden},
            {"bytes_hashed", s.bytes_hashed},
        };
        for (const FileStatus status : k_file_statuses) {
            summary[std::string(status_name(status))] = s.count(status);
        }
        header();
        m_out << "\n],\"unreferenced\":"
              << unreferenced.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << ",\"summary\":" << summary.dump() << "}\n";
        m_out.flush();
        return static_cast<bool>(m_out);
    }

private:
    // Written with the first finding or the summary: a run that fails before either leaves
    // standard output empty rather than holding half a document.
    void header() {
        if (m_header_written) {
            return;
        }
        m_header_written = true;
        m_out << "{\"version\":1,\"root\":"
              << nlohmann::json(m_opts.root)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << ",\"files\":[";
    }

    ReportOptions m_opts;
    std::ostream& m_out;
    bool m_first = true;
    bool m_header_written = false;
};

class ListReporter : public Reporter {
public:
    ListReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {}

    void finding(const Finding& f) override {
        const bool pristine = f.status == FileStatus::pristine;
        if (pristine != (*m_opts.list == ListSelection::pristine)) {
            return;
        }
        m_out << f.path << (m_opts.null_separated ? '\0' : '\n');
    }

    bool finish(const Summary&) override {
        m_out.flush();
        return static_cast<bool>(m_out);
    }

private:
    ReportOptions m_opts;
    std::ostream& m_out;
};

} // namespace

std::optional<ReportFormat> report_format_from_name(std::string_view name) {
    if (name == "text") {
        return ReportFormat::text;
    }
    if (name == "rpm") {
        return ReportFormat::rpm;
    }
    if (name == "json") {
        return ReportFormat::json;
    }
    return std::nullopt;
}

std::optional<ListSelection> list_selection_from_name(std::string_view name) {
    if (name == "pristine") {
        return ListSelection::pristine;
    }
    if (name == "deviating") {
        return ListSelection::deviating;
    }
    return std::nullopt;
}

std::unique_ptr<Reporter> make_reporter(const ReportOptions& options, std::ostream& out) {
    if (options.list) {
        return std::make_unique<ListReporter>(options, out);
    }
    switch (options.format) {
    case ReportFormat::rpm:
        return std::make_unique<RpmReporter>(options, out);
    case ReportFormat::json:
        return std::make_unique<JsonReporter>(options, out);
    case ReportFormat::text:
        break;
    }
    return std::make_unique<TextReporter>(options, out);
}

} // namespace pkgdesc
