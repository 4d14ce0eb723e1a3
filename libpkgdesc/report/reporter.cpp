// The text, rpm, JSON and list reporters.
#include <libpkgdesc/report/reporter.hpp>

#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/verify/file_check.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>

namespace pkgdesc {

namespace {

// The summary and the notes name this many unreferenced packages, all of them with -v.
constexpr std::size_t k_unreferenced_shown = 10;

// The length of the valid UTF-8 sequence that starts TEXT, with the code point it encodes; 0
// for none: a stray continuation byte, a truncated sequence, an overlong form, a surrogate, or
// a value beyond U+10FFFF.
std::size_t utf8_sequence(std::string_view text, std::uint32_t& code) {
    const auto c = static_cast<unsigned char>(text.front());
    std::size_t extra = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
        code = c;
        return 1;
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
        return 0;
    }
    if (extra >= text.size()) {
        return 0;
    }
    code = c & (0x3F >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
        const auto next = static_cast<unsigned char>(text[k]);
        if ((next & 0xC0) != 0x80) {
            return 0;
        }
        code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return 0;
    }
    return extra + 1;
}

// Characters that act on a terminal (C0 and C1 controls, DEL), or change how the rest of the
// line reads (bidirectional formatting, line and paragraph separators).
bool unsafe_character(std::uint32_t code) {
    return code < 0x20 || (code >= 0x7F && code <= 0x9F) || code == 0x061C || code == 0x200E ||
           code == 0x200F || (code >= 0x2028 && code <= 0x202E) ||
           (code >= 0x2066 && code <= 0x2069);
}

void put_octal(std::string& out, char c) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('\\');
    out.push_back(static_cast<char>('0' + (byte >> 6)));
    out.push_back(static_cast<char>('0' + ((byte >> 3) & 7)));
    out.push_back(static_cast<char>('0' + (byte & 7)));
}

bool valid_utf8(std::string_view text) {
    std::uint32_t code = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence(text.substr(i), code);
        if (length == 0) {
            return false;
        }
        i += length;
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
    return is_deviation(finding.status);
}

// Whether a finding is printed: deviations always; pristine and unproven files with --all;
// allowed files with --all, and where the format shows details anyway (-v text, JSON).
bool shown(const ReportOptions& options, const Finding& finding, bool details) {
    if (options.all || deviating(finding)) {
        return true;
    }
    return (finding.status == FileStatus::allowed || !finding.explained_by.empty()) && details;
}

void add_owner_note(std::string& owner, const char* note) {
    owner += owner.empty() ? note : std::string(", ") + note;
}

// "file 4755 root:root, 8 bytes, setuid": what is on disk, for files without a reference entry.
std::string observed_text(const Finding::Observed& seen) {
    std::string text = seen.type + " " + mode_text(seen.mode) + " " + seen.owner + ":" + seen.group;
    if (seen.type == "file") {
        text += ", " + std::to_string(seen.size) + (seen.size == 1 ? " byte" : " bytes");
    }
    if (seen.type == "link") {
        text += ", -> " + seen.link;
    }
    for (const std::string& flag : seen.flags) {
        text += ", " + flag;
    }
    return text;
}

// The "actual" object of such a finding: strings, like the actual values of failed attributes.
nlohmann::json observed_json(const Finding::Observed& seen) {
    nlohmann::json actual = {{"type", seen.type},
                             {"mode", mode_text(seen.mode)},
                             {"owner", seen.owner},
                             {"group", seen.group}};
    if (seen.type == "file") {
        actual["size"] = std::to_string(seen.size);
        if (!seen.sha256.empty()) {
            actual["sha256"] = seen.sha256;
        }
    }
    if (seen.type == "link") {
        actual["link"] = seen.link;
    }
    return actual;
}

class TextReporter : public Reporter {
public:
    TextReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {}

    // Paths, package names, reasons, attribute names and values, diversions and statoverrides
    // come from the checked system or the reference data: every one is escaped, so that none
    // can start a line of its own or reach the terminal raw.
    void finding(const Finding& f) override {
        if (!shown(m_opts, f, m_opts.verbose)) {
            return;
        }
        std::string line(status_name(f.status));
        line.resize(13, ' ');
        line += escape_text(f.path);
        std::string owner = f.package;
        if (f.conffile) {
            add_owner_note(owner, "conffile");
        }
        if (f.control) {
            add_owner_note(owner, "control member");
        }
        if (f.md5sums) {
            add_owner_note(owner, "md5sums only");
        }
        if (f.observed) {
            owner = observed_text(*f.observed); // no package: what is on disk instead
        }
        if (!owner.empty()) {
            line += " (" + escape_text(owner) + ")";
        }
        std::string details;
        for (const FailedAttribute& attribute : f.failed) {
            details += details.empty() ? ": " : ", ";
            details += escape_text(attribute.name);
            if ((attribute.name != "sha256" && attribute.name != "md5") || m_opts.verbose) {
                details +=
                    " " + escape_text(attribute.expected) + " -> " + escape_text(attribute.actual);
            }
        }
        // "mode 0755 -> 4755 set by postinst line 23 (chmod 4755)"
        for (const Finding::Explanation& e : f.explained_by) {
            details += details.empty() ? ": " : ", ";
            details += escape_text(e.attribute) + " " + escape_text(e.expected) + " -> " +
                       escape_text(e.actual) + " set by " + escape_text(e.script) + " line " +
                       std::to_string(e.line) + " (" + escape_text(e.command) + ")";
        }
        line += details;
        if (!f.reason.empty() && (f.status != FileStatus::pristine || m_opts.verbose)) {
            line += (details.empty() ? ": " : "; ") + escape_text(f.reason);
        }
        if (m_opts.verbose) {
            if (!f.listed_path.empty()) {
                line += "; listed as " + escape_text(f.listed_path);
            }
            if (!f.diverted_by.empty()) {
                line += "; diverted by " + escape_text(f.diverted_by);
            }
            if (!f.statoverride.empty()) {
                line += "; statoverride " + escape_text(f.statoverride);
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
            if (s.count(FileStatus::allowed) > 0) {
                row(FileStatus::allowed);
            }
            // Counted apart: the checked system's own digests prove nothing.
            if (s.md5sums_total() > 0) {
                m_out << "Checked against the system's own md5sums only (no reference data): "
                      << s.md5sums_total() << '\n';
                for (const FileStatus status : {FileStatus::unproven, FileStatus::modified,
                                                FileStatus::missing, FileStatus::unverifiable}) {
                    std::string label(status_name(status));
                    label += ":";
                    label.resize(14, ' ');
                    m_out << "  " << label << s.md5sums_count(status) << '\n';
                }
            }
            if (s.explained > 0) {
                m_out << "Metadata set by the packages' own postinst or tmpfiles.d: " << s.explained
                      << (m_opts.verbose ? "\n" : " files (-v lists them)\n");
            }
            if (s.diverted > 0 || s.statoverridden > 0) {
                m_out << "Diverted files: " << s.diverted
                      << ", files with a statoverride: " << s.statoverridden << '\n';
            }
            // No deviation by themselves, but they change what runs without a package's word.
            if (!s.local_diversions.empty()) {
                m_out << "Local diversions: " << s.local_diversions.size() << '\n';
                for (const Summary::UnvouchedDiversion& d : s.local_diversions) {
                    m_out << "  " << escape_text(d.from) << " -> " << escape_text(d.to) << " ("
                          << escape_text(d.reason) << ")\n";
                }
            }
            // Each with the reason: all of them with -v, the first ten otherwise.
            m_out << "Unreferenced packages: " << s.unreferenced.size() << '\n';
            std::size_t shown = 0;
            for (const Summary::Package& pkg : s.unreferenced) {
                if (!m_opts.verbose && shown++ == k_unreferenced_shown) {
                    m_out << "  ... and " << s.unreferenced.size() - k_unreferenced_shown
                          << " more (-v lists all)\n";
                    break;
                }
                m_out << "  " << escape_text(pkg.name) << ' ' << escape_text(pkg.version) << ": "
                      << escape_text(pkg.reason) << '\n';
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
        if (!shown(m_opts, f, false)) {
            return;
        }
        const char marker = f.conffile ? 'c' : ' ';
        std::string prefix;
        switch (f.status) {
        // dpkg's word, padded to the nine columns; an unowned file (dpkg knows of none) reads
        // the same way, so that no parser takes a word for flags that passed.
        case FileStatus::missing:
            prefix = "missing  ";
            break;
        case FileStatus::unowned:
            prefix = "unowned  ";
            break;
        case FileStatus::allowed:
            prefix = "allowed  ";
            break;
        default:
            prefix = flags(f);
        }
        // dpkg --verify's layout exactly ("%.9s %c %s\n"): nine columns, a space, the conffile
        // marker, a space, the path.
        m_out << prefix << ' ' << marker << ' ' << escape_text(f.path) << '\n';
    }

    bool finish(const Summary&) override {
        m_out.flush();
        return static_cast<bool>(m_out);
    }

private:
    // rpm -V's SM5DLUGTP columns: '.' passed, the letter failed, '?' could not be tested.
    // Against md5sums only the digest is checked, as by dpkg itself: '?' everywhere else.
    static std::string flags(const Finding& f) {
        std::string out = f.md5sums ? "??.??????" : ".........";
        const bool unknown = f.status == FileStatus::unverifiable;
        for (const FailedAttribute& a : f.failed) {
            const std::string& n = a.name;
            const std::size_t col = n == "size"                   ? 0
                                    : n == "mode" || n == "type"  ? 1
                                    : n == "sha256" || n == "md5" ? 2
                                    : n == "device"               ? 3
                                    : n == "link" || n == "hardlink" || n == "links" || n == "path"
                                        ? 4
                                    : n == "owner" ? 5
                                    : n == "group" ? 6
                                    : n == "mtime" ? 7
                                                   : 8;
            out[col] = "SM5DLUGTP"[col];
        }
        // Content of another size cannot have the same digest (and is not read for it).
        if (f.has_failed("size")) {
            out[2] = '5';
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
        if (!shown(m_opts, f, true)) {
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
        object["control"] = f.control;
        object["md5sums"] = f.md5sums;
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
        if (f.observed) {
            actual = observed_json(*f.observed);
            object["flags"] = f.observed->flags;
        }
        object["actual"] = std::move(actual);
        if (!f.reason.empty()) {
            object["reason"] = f.reason;
        }
        if (!f.diverted_by.empty()) {
            object["diverted_by"] = f.diverted_by;
        }
        if (!f.explained_by.empty()) {
            nlohmann::json explained = nlohmann::json::array();
            for (const Finding::Explanation& e : f.explained_by) {
                explained.push_back({{"attribute", e.attribute},
                                     {"expected", e.expected},
                                     {"actual", e.actual},
                                     {"script", e.script},
                                     {"line", e.line},
                                     {"command", e.command}});
            }
            object["explained_by"] = std::move(explained);
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
            {"explained", s.explained},
            {"bytes_hashed", s.bytes_hashed},
        };
        nlohmann::json md5sums = {{"checked", s.md5sums_total()}};
        for (const FileStatus status : k_file_statuses) {
            summary[std::string(status_name(status))] = s.count(status);
            if (status != FileStatus::pristine && status != FileStatus::unowned &&
                status != FileStatus::allowed && status != FileStatus::metadata) {
                md5sums[std::string(status_name(status))] = s.md5sums_count(status);
            }
        }
        summary["md5sums"] = std::move(md5sums);
        nlohmann::json diversions = nlohmann::json::array();
        for (const Summary::UnvouchedDiversion& d : s.local_diversions) {
            nlohmann::json entry;
            put_path(entry, "from", d.from);
            put_path(entry, "to", d.to);
            entry["by"] = d.by.empty() ? nlohmann::json() : nlohmann::json(d.by);
            entry["reason"] = d.reason;
            diversions.push_back(std::move(entry));
        }
        header();
        m_out << "\n],\"unreferenced\":"
              << unreferenced.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << ",\"local_diversions\":"
              << diversions.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
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
    ListReporter(const ReportOptions& options, std::ostream& out) : m_opts(options), m_out(out) {
        if (m_opts.list_format == ListFormat::fapolicyd) {
            m_out << k_fapolicyd_header;
        }
    }

    // Allowed files are in neither list: not proven pristine, and no deviation.
    void finding(const Finding& f) override {
        const bool wanted = *m_opts.list == ListSelection::pristine
                                ? f.status == FileStatus::pristine
                                : deviating(f);
        if (!wanted) {
            return;
        }
        switch (m_opts.list_format) {
        case ListFormat::paths:
            m_out << f.path << (m_opts.null_separated ? '\0' : '\n');
            break;
        case ListFormat::fapolicyd:
            // Only regular files proven by content; a path the grammar cannot carry is left
            // out (an allow-list that misses a file denies it, never the reverse).
            if (!f.proven_sha256.empty()) {
                if (const auto line =
                        fapolicyd_trust_line(f.path, f.proven_size, f.proven_sha256)) {
                    m_out << *line << '\n';
                }
            }
            break;
        case ListFormat::sha256sum:
            if (!f.proven_sha256.empty()) {
                m_out << sha256sum_line(f.path, f.proven_sha256) << '\n';
            }
            break;
        }
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

std::optional<ListFormat> list_format_from_name(std::string_view name) {
    if (name == "paths") {
        return ListFormat::paths;
    }
    if (name == "fapolicyd") {
        return ListFormat::fapolicyd;
    }
    if (name == "sha256sum") {
        return ListFormat::sha256sum;
    }
    return std::nullopt;
}

std::optional<std::string> fapolicyd_trust_line(std::string_view path, std::uint64_t size,
                                                std::string_view sha256_hex) {
    // fapolicyd reads "%4096s %lu %64s": the path ends at any white space, so '%', control
    // characters and spaces are written "%XX" (upper-case hex, which it decodes in files that
    // start with k_fapolicyd_header), and the escaped path fits in 4096 bytes.
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string escaped;
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f || c == '%') {
            escaped += '%';
            escaped += k_hex[byte >> 4];
            escaped += k_hex[byte & 0xf];
        } else {
            escaped += c;
        }
    }
    if (escaped.size() > 4096 || sha256_hex.size() != 64) {
        return std::nullopt;
    }
    return escaped + " " + std::to_string(size) + " " + std::string(sha256_hex);
}

std::string sha256sum_line(std::string_view path, std::string_view sha256_hex) {
    const bool escaped = path.find_first_of("\\\n\r") != std::string_view::npos;
    std::string line;
    if (escaped) {
        line += '\\';
    }
    line.append(sha256_hex);
    line += "  ";
    for (const char c : path) {
        if (escaped && c == '\\') {
            line += "\\\\";
        } else if (escaped && c == '\n') {
            line += "\\n";
        } else if (escaped && c == '\r') {
            line += "\\r";
        } else {
            line += c;
        }
    }
    return line;
}

std::string escape_text(std::string_view value, Backslashes backslashes) {
    std::string out;
    out.reserve(value.size());
    std::uint32_t code = 0;
    for (std::size_t i = 0; i < value.size();) {
        if (value[i] == '\\') {
            if (backslashes == Backslashes::escape) {
                put_octal(out, value[i]);
            } else {
                out.push_back(value[i]);
            }
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence(value.substr(i), code);
        if (length == 0) {
            put_octal(out, value[i]);
            ++i;
            continue;
        }
        for (std::size_t k = 0; k < length; ++k) {
            if (unsafe_character(code)) {
                put_octal(out, value[i + k]);
            } else {
                out.push_back(value[i + k]);
            }
        }
        i += length;
    }
    return out;
}

std::vector<std::string> unreferenced_notes(const ReportOptions& options, const Summary& summary) {
    const bool reported =
        !options.list && (options.format == ReportFormat::json ||
                          (options.format == ReportFormat::text && !options.quiet));
    std::vector<std::string> notes;
    if (reported) {
        return notes;
    }
    for (const Summary::Package& pkg : summary.unreferenced) {
        if (!options.verbose && notes.size() == k_unreferenced_shown) {
            notes.push_back("... and " +
                            std::to_string(summary.unreferenced.size() - k_unreferenced_shown) +
                            " more unreferenced packages (-v lists all)");
            break;
        }
        notes.push_back("unreferenced package " + escape_text(pkg.name) + " " +
                        escape_text(pkg.version) + ": " + escape_text(pkg.reason));
    }
    return notes;
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
