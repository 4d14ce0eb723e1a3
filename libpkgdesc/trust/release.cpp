// Release files: parsing, writing, expiry and rollback checks.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/release.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <apt-pkg/strutl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <sstream>

namespace pkgdesc {

namespace {

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string word; in >> word;) {
        out.push_back(word);
    }
    return out;
}

std::time_t parse_date(const Deb822Field& field, const std::string& origin) {
    std::time_t time = 0;
    if (!RFC1123StrToTime(field.value, time)) {
        throw TrustError(origin, "line " + std::to_string(field.line) + ": " + field.name +
                                     " is not an RFC 1123 date: '" + field.value + "'");
    }
    return time;
}

// A number that took the whole text and fits its type.
bool parses_fully(std::from_chars_result result, const char* end) {
    return result.ec == std::errc() && result.ptr == end;
}

bool safe_index_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.back() == '/') {
        return false;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") {
            return false;
        }
        start = end + 1;
    }
    return true;
}

} // namespace

const ReleaseEntry* Release::find(const std::string& path) const {
    const auto it = sha256.find(path);
    return it == sha256.end() ? nullptr : &it->second;
}

Release parse_release(std::string_view text, const std::string& origin) {
    std::vector<Deb822Stanza> stanzas;
    try {
        stanzas = parse_deb822(text, origin);
    } catch (const ParseError& e) {
        throw TrustError(origin, "malformed Release: " + std::string(e.what()));
    }
    if (stanzas.size() != 1) {
        throw TrustError(origin, "a Release must be exactly one stanza, not " +
                                     std::to_string(stanzas.size()));
    }
    const Deb822Stanza& stanza = stanzas.front();
    Release release;
    auto value = [&](const char* name) {
        const Deb822Field* field = stanza.find(name);
        return field != nullptr ? field->value : std::string();
    };
    release.origin = value("Origin");
    release.label = value("Label");
    release.suite = value("Suite");
    release.codename = value("Codename");
    release.description = value("Description");
    release.architectures = words(value("Architectures"));
    release.components = words(value("Components"));
    const Deb822Field* date = stanza.find("Date");
    if (date == nullptr) {
        throw TrustError(origin, "the Release has no Date");
    }
    release.date = parse_date(*date, origin);
    if (const Deb822Field* until = stanza.find("Valid-Until")) {
        release.valid_until = parse_date(*until, origin);
    }
    if (const Deb822Field* hashes = stanza.find("SHA256")) {
        for (std::size_t i = 0; i < hashes->lines.size(); ++i) {
            const std::vector<std::string> parts = words(hashes->lines[i]);
            const std::string where = "line " + std::to_string(hashes->line_of(i)) + ": ";
            ReleaseEntry entry;
            const char* end = parts.size() == 3 ? parts[1].data() + parts[1].size() : nullptr;
            if (parts.size() != 3 || !sha256_from_hex(parts[0]) ||
                !parses_fully(std::from_chars(parts[1].data(), end, entry.size), end)) {
                throw TrustError(origin,
                                 where + "malformed SHA256 line '" + hashes->lines[i] + "'");
            }
            if (!safe_index_path(parts[2])) {
                throw TrustError(origin, where + "unsafe index path '" + parts[2] + "'");
            }
            entry.sha256 = parts[0];
            std::transform(entry.sha256.begin(), entry.sha256.end(), entry.sha256.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (!release.sha256.emplace(parts[2], entry).second) {
                throw TrustError(origin, where + "'" + parts[2] + "' is listed twice");
            }
        }
    }
    return release;
}

std::string release_date(std::time_t time) {
    std::string text = TimeRFC1123(time, false);
    if (text.size() > 4 && text.compare(text.size() - 4, 4, " GMT") == 0) {
        text.replace(text.size() - 3, 3, "UTC");
    }
    return text;
}

std::string write_release(const Release& release) {
    std::string out;
    auto field = [&](const char* name, const std::string& value) {
        if (!value.empty()) {
            out += std::string(name) + ": " + value + "\n";
        }
    };
    auto joined = [](const std::vector<std::string>& items) {
        std::string text;
        for (const std::string& item : items) {
            text += (text.empty() ? "" : " ") + item;
        }
        return text;
    };
    field("Origin", release.origin);
    field("Label", release.label);
    field("Suite", release.suite);
    field("Codename", release.codename);
    field("Date", release_date(release.date));
    if (release.valid_until) {
        field("Valid-Until", release_date(*release.valid_until));
    }
    field("Architectures", joined(release.architectures));
    field("Components", joined(release.components));
    field("Description", release.description);
    out += "SHA256:\n";
    for (const auto& [path, entry] : release.sha256) {
        const std::string size = std::to_string(entry.size);
        out += " " + entry.sha256 + " " +
               std::string(size.size() < 16 ? 16 - size.size() : 0, ' ') + size + " " + path + "\n";
    }
    return out;
}

void check_release_time(const Release& release, std::time_t now, const std::string& origin) {
    if (release.valid_until && *release.valid_until < now) {
        throw TrustError(origin, "the Release expired on " + release_date(*release.valid_until) +
                                     " (Valid-Until): its data may be stale, a freeze attack "
                                     "serves old data forever");
    }
    constexpr std::time_t k_future_tolerance = 3600;
    if (release.date > now + k_future_tolerance) {
        throw TrustError(origin, "the Release is dated " + release_date(release.date) +
                                     ", in the future (check the clocks)");
    }
}

ReleaseHistory::ReleaseHistory(std::string path) : m_path(std::move(path)) {
    if (m_path.empty()) {
        return;
    }
    const std::optional<std::string> data = read_file_if_exists(m_path);
    if (!data) {
        return;
    }
    const std::string& text = *data;
    std::size_t number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++number;
        const std::size_t space = line.find(' ');
        std::time_t date = 0;
        const char* end = line.data() + (space == std::string_view::npos ? 0 : space);
        if (space == std::string_view::npos ||
            !parses_fully(std::from_chars(line.data(), end, date), end) ||
            line.size() == space + 1) {
            throw ParseError(m_path, number, "expected 'DATE ARCHIVE'");
        }
        std::time_t& newest = m_newest[std::string(line.substr(space + 1))];
        newest = std::max(newest, date);
    }
}

void ReleaseHistory::check_and_record(const Release& release, const std::string& signer,
                                      const std::string& origin) {
    if (m_path.empty()) {
        return;
    }
    // Printable, one line: the fields are signed text, but keep the file line-based.
    std::string key = signer + "|" + release.origin + "|" + release.label + "|" + release.suite +
                      "|" + release.codename;
    std::replace_if(
        key.begin(), key.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, '?');
    const auto it = m_newest.find(key);
    if (it != m_newest.end() && release.date < it->second) {
        throw TrustError(origin, "rollback: this Release is dated " + release_date(release.date) +
                                     ", older than the one seen before, dated " +
                                     release_date(it->second) + " (recorded in " + m_path + ")");
    }
    if (it == m_newest.end() || release.date > it->second) {
        m_newest[key] = release.date;
        m_dirty = true;
    }
}

void ReleaseHistory::save() const {
    if (m_path.empty() || !m_dirty) {
        return;
    }
    std::string text;
    for (const auto& [key, date] : m_newest) {
        text += std::to_string(date) + " " + key + "\n";
    }
    const std::size_t slash = m_path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        make_directories(m_path.substr(0, slash));
    }
    AtomicFile out(m_path);
    out.write(text);
    out.commit();
}

} // namespace pkgdesc
