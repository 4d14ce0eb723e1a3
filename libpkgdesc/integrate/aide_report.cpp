// Reading and rewriting aide --check reports: what both forms share, and the choice of form
// (the text form in aide_report_text.cpp, the JSON form in aide_report_json.cpp).
#include <libpkgdesc/integrate/aide_report.hpp>

#include <libpkgdesc/integrate/aide_report_forms.hpp>

#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/util/base64.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace pkgdesc {

namespace aide_forms {

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

bool any_kept(const std::vector<std::size_t>& indices, const std::vector<char>& kept) {
    return std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return kept[i]; });
}

bool any_nonzero(const std::vector<std::pair<std::string, std::size_t>>& suppressed) {
    return std::any_of(suppressed.begin(), suppressed.end(),
                       [](const auto& reason) { return reason.second != 0; });
}

namespace {

// An attribute of the detailed information, as the text form and the JSON form name it, and its
// summary character (attributes.c).
struct AttributeName {
    std::string_view text;
    std::string_view json;
    char summary;
};

constexpr std::array<AttributeName, 31> k_attribute_names = {{
    {"File type", "file_type", '!'},
    {"Lname", "link_name", 'l'},
    {"Size", "size", '>'},
    {"Size (>)", "growing_size", '>'},
    {"Bcount", "block_count", 'b'},
    {"Perm", "perm", 'p'},
    {"Uid", "uid", 'u'},
    {"Gid", "gid", 'g'},
    {"Atime", "access_time", 'a'},
    {"Mtime", "modify_time", 'm'},
    {"Ctime", "change_time", 'c'},
    {"Inode", "inode", 'i'},
    {"Linkcount", "link_count", 'n'},
    {"MD5", "md5", 'H'},
    {"SHA1", "sha1", 'H'},
    {"SHA256", "sha256", 'H'},
    {"SHA512", "sha512", 'H'},
    {"RMD160", "rmd160", 'H'},
    {"TIGER", "tiger", 'H'},
    {"CRC32", "crc32", 'H'},
    {"CRC32B", "crc32b", 'H'},
    {"HAVAL", "haval", 'H'},
    {"GOST", "gost", 'H'},
    {"WHIRLPOOL", "whirlpool", 'H'},
    {"STRIBOG256", "stribog256", 'H'},
    {"STRIBOG512", "stribog512", 'H'},
    {"ACL", "acl", 'A'},
    {"XAttrs", "xattrs", 'X'},
    {"SELinux", "selinux", 'S'},
    {"E2FSAttrs", "e2fsattrs", 'E'},
    {"Caps", "capabilities", 'C'},
}};

} // namespace

std::string differing_in_summary(std::string_view summary) {
    std::string differing;
    for (std::size_t i = 1; i < summary.size(); ++i) {
        const char c = summary[i];
        if (c == '+' || c == '-') {
            // An attribute aide recorded on one side only: which one, only the position says.
            differing += summary.size() == k_aide_attributes.size() ? k_aide_attributes[i] : '?';
        } else if (c == '<') {
            differing += '>';
        } else if (k_aide_attributes.find(c, 1) != k_npos) {
            differing += c;
        }
    }
    return differing;
}

const char* path_problem(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return "path not absolute";
    }
    if (path.find('\0') != k_npos) {
        return "NUL byte in a path";
    }
    if (!is_normalized_path(path)) {
        return "path not normalized (an empty, \".\" or \"..\" component, or a trailing "
               "slash)";
    }
    return nullptr;
}

void attach_details(AideReportEntry& entry, const AideRecorded& recorded) {
    entry.recorded = recorded;
    if (entry.change == AideChange::changed) {
        entry.differing += recorded.named;
        entry.differences_named = true;
    }
}

void record_value(AideRecorded& recorded, std::string_view name, std::string_view value) {
    const auto known =
        std::find_if(k_attribute_names.begin(), k_attribute_names.end(),
                     [&](const AttributeName& a) { return a.text == name || a.json == name; });
    recorded.named += known != k_attribute_names.end() ? known->summary : '?';
    auto is = [&](std::string_view text_name, std::string_view json_name) {
        return name == text_name || name == json_name;
    };
    if (is("Size", "size")) {
        std::uint64_t size = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
        if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
            recorded.unclear = true;
        } else {
            recorded.size = size;
        }
    } else if (is("SHA256", "sha256")) {
        std::optional<Sha256Digest> digest;
        if (value.size() == 64) {
            digest = sha256_from_hex(value);
        } else if (const auto bytes = base64_decode(value); bytes && bytes->size() == 32) {
            digest.emplace();
            std::copy(bytes->begin(), bytes->end(), digest->begin());
        }
        if (digest) {
            recorded.sha256 = *digest;
        } else {
            recorded.unclear = true;
        }
    } else if (is("Perm", "perm")) {
        if (value.size() == 10) {
            recorded.perm = std::string(value);
        } else {
            recorded.unclear = true;
        }
    }
}

} // namespace aide_forms

using namespace aide_forms;

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
