// The strict pkgdesc parser.
#include <libpkgdesc/format/pkgdesc_parser.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <sstream>
#include <unordered_map>

namespace pkgdesc {

namespace {

class StanzaParser {
public:
    StanzaParser(const Deb822Stanza& stanza, const std::string& file)
        : m_stanza(stanza), m_file(file) {}

    Pkgdesc parse() {
        Pkgdesc d;
        if (const auto* f = m_stanza.find("Format")) {
            const std::string_view v = f->value;
            if (v != k_format_version && v.substr(0, v.find('.')) != k_format_version) {
                fail(f->line, "unsupported format version \"" + f->value + "\"");
            }
        }
        d.package = identity("Package", check_package_name);
        d.architecture = identity("Architecture", check_architecture);
        d.version = identity("Version", check_version);
        if (const auto* f = m_stanza.find("Description")) {
            d.description = f->value;
        }
        parse_control(d);
        parse_metadata(d);
        parse_content(d);
        d.sort();
        return d;
    }

private:
    [[noreturn]] void fail(std::size_t line, const std::string& reason) const {
        throw ParseError(m_file, line, reason);
    }

    const Deb822Field& mandatory(std::string_view name) const {
        const auto* f = m_stanza.find(name);
        if (f == nullptr) {
            fail(m_stanza.line, "missing mandatory field " + std::string(name));
        }
        return *f;
    }

    std::string single_line(std::string_view name) const {
        const auto& f = mandatory(name);
        if (f.value.empty()) {
            fail(f.line, "empty field " + std::string(name));
        }
        if (!f.lines.empty()) {
            fail(f.line_of(0), "field " + std::string(name) + " must be a single line");
        }
        if (f.value.find_first_of(" \t") != std::string::npos) {
            fail(f.line, "field " + std::string(name) + " contains white space");
        }
        return f.value;
    }

    std::string identity(std::string_view name, std::string (*check)(std::string_view)) const {
        std::string value = single_line(name);
        const std::string reason = check(value);
        if (!reason.empty()) {
            fail(mandatory(name).line, "field " + std::string(name) + " " + reason);
        }
        return value;
    }

    const Deb822Field& multiline(std::string_view name) const {
        const auto& f = mandatory(name);
        if (!f.value.empty()) {
            fail(f.line, "field " + std::string(name) + " must start on the next line");
        }
        return f;
    }

    // "<64 hex>  <escaped name>" -> digest and raw name (a view of the line, or of `scratch`
    // when the name has escapes).
    std::pair<Sha256Digest, std::string_view> hash_line(const Deb822Field& f, std::size_t i,
                                                        std::string& scratch) const {
        const std::string_view line = f.lines[i];
        const std::size_t n = f.line_of(i);
        const auto space = line.find(' ');
        if (space == std::string_view::npos) {
            fail(n, "expected \"SHA256  NAME\"");
        }
        const auto digest = sha256_from_hex(line.substr(0, space));
        if (!digest) {
            fail(n, "bad SHA-256 (need 64 hex digits): \"" +
                        std::string(line.substr(0, std::min<std::size_t>(space, 80))) + "\"");
        }
        const auto name_start = line.find_first_not_of(' ', space);
        if (name_start == std::string_view::npos) {
            fail(n, "missing name after the SHA-256");
        }
        const auto name = unescape_view(line.substr(name_start), scratch);
        if (!name) {
            fail(n, "bad escape or white space in name");
        }
        return {*digest, *name};
    }

    void parse_control(Pkgdesc& d) const {
        const auto& f = multiline("Control-SHA256");
        std::set<std::string> seen;
        std::string scratch;
        for (std::size_t i = 0; i < f.lines.size(); ++i) {
            const auto [digest, view] = hash_line(f, i, scratch);
            std::string name(view);
            if (name.empty() || name.find('/') != std::string::npos || name == "." ||
                name == "..") {
                fail(f.line_of(i), "bad control member name \"" + escape(name) + "\"");
            }
            if (name == "pkgdesc") {
                fail(f.line_of(i), "the pkgdesc member must not describe itself");
            }
            if (!seen.insert(name).second) {
                fail(f.line_of(i), "duplicate control member " + escape(name));
            }
            d.control.push_back({std::move(name), digest});
        }
    }

    void parse_metadata(Pkgdesc& d) {
        const auto& f = multiline("Content-Metadata");
        // Reserved: the index views the entries' paths, which must not move.
        d.entries.reserve(f.lines.size());
        m_entry_lines.reserve(f.lines.size());
        m_by_path.reserve(f.lines.size());
        for (std::size_t i = 0; i < f.lines.size(); ++i) {
            d.entries.push_back(parse_entry(f.lines[i], f.line_of(i)));
            m_entry_lines.push_back(f.line_of(i));
            const Entry& e = d.entries.back();
            if (!m_by_path.emplace(e.path, &d.entries.back()).second) {
                fail(f.line_of(i), "duplicate path " + escape(e.path));
            }
        }
        // Hard links must name another entry that holds data.
        for (const auto& e : d.entries) {
            if (e.type != EntryType::hardlink) {
                continue;
            }
            const auto it = m_by_path.find(e.link);
            if (it == m_by_path.end() || it->second->type == EntryType::hardlink ||
                it->second->type == EntryType::directory || it->second == &e) {
                fail(line_of(d, e),
                     "hard link target " + escape(e.link) + " is not a non-directory entry");
            }
        }
    }

    std::size_t line_of(const Pkgdesc& d, const Entry& e) const {
        return m_entry_lines[static_cast<std::size_t>(&e - d.entries.data())];
    }

    void parse_content(Pkgdesc& d) const {
        const auto& f = multiline("Content-SHA256");
        std::string scratch;
        for (std::size_t i = 0; i < f.lines.size(); ++i) {
            const auto [digest, path] = hash_line(f, i, scratch);
            check_path(path, f.line_of(i));
            const auto it = m_by_path.find(path);
            if (it == m_by_path.end() || it->second->type != EntryType::file) {
                fail(f.line_of(i), "Content-SHA256 path " + escape(path) +
                                       " is not a type=file entry of Content-Metadata");
            }
            if (it->second->sha256) {
                fail(f.line_of(i), "duplicate path " + escape(path));
            }
            it->second->sha256 = digest;
        }
        for (const Entry& entry : d.entries) {
            if (entry.type == EntryType::file && !entry.sha256) {
                fail(line_of(d, entry),
                     "file " + escape(entry.path) + " has no Content-SHA256 line");
            }
        }
    }

    void check_path(std::string_view path, std::size_t line) const {
        if (path.empty() || path.front() != '/') {
            fail(line, "relative path " + escape(path));
        }
        if (!is_normalized_path(path)) {
            fail(line, "path is not normalized: " + escape(path));
        }
    }

    template <typename T>
    T number(std::string_view text, int base, std::size_t line, std::string_view key) const {
        T value{};
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
        if (text.empty() || ec != std::errc() || ptr != end) {
            fail(line,
                 "bad " + std::string(key) + " value \"" + std::string(text.substr(0, 40)) + "\"");
        }
        return value;
    }

    Entry parse_entry(std::string_view line, std::size_t n) {
        std::vector<std::string_view>& words = m_words;
        words.clear();
        std::size_t pos = 0;
        while (pos < line.size()) {
            const auto start = line.find_first_not_of(' ', pos);
            if (start == std::string_view::npos) {
                break;
            }
            const auto end = std::min(line.find(' ', start), line.size());
            words.push_back(line.substr(start, end - start));
            pos = end;
        }
        if (words.empty()) {
            fail(n, "empty Content-Metadata line");
        }
        Entry e;
        if (!unescape_to(words[0], e.path)) {
            fail(n, "bad escape in path");
        }
        check_path(e.path, n);

        // The keywords seen: the known ones as bits, the others in a set (a line may hold
        // thousands of them).
        unsigned known = 0;
        std::set<std::string_view> unknown_seen;
        auto first_time = [&](std::string_view key) {
            static constexpr std::array<std::string_view, 10> k_known{
                "type", "mode", "uname", "gname", "uid", "gid", "size", "link", "device", "time"};
            for (std::size_t k = 0; k < k_known.size(); ++k) {
                if (key == k_known[k]) {
                    const bool first = (known & (1u << k)) == 0;
                    known |= 1u << k;
                    return first;
                }
            }
            return unknown_seen.insert(key).second;
        };
        std::optional<EntryType> type;
        bool have_mode = false, have_size = false, have_link = false, have_device = false,
             have_time = false;
        for (std::size_t i = 1; i < words.size(); ++i) {
            const auto eq = words[i].find('=');
            if (eq == std::string_view::npos || eq == 0) {
                fail(n,
                     "expected keyword=value, got \"" + std::string(words[i].substr(0, 40)) + "\"");
            }
            const std::string_view key = words[i].substr(0, eq);
            const std::string_view value = words[i].substr(eq + 1);
            if (!first_time(key)) {
                fail(n, "duplicate keyword " + std::string(key));
            }
            if (key == "type") {
                type = type_from_keyword(value);
                if (!type) {
                    fail(n, "unknown type \"" + std::string(value.substr(0, 40)) + "\"");
                }
                e.type = *type;
            } else if (key == "mode") {
                if (value.size() != 4) {
                    fail(n, "bad mode \"" + std::string(value.substr(0, 40)) +
                                "\" (need 4 octal digits)");
                }
                e.mode = number<std::uint32_t>(value, 8, n, "mode");
                have_mode = true;
            } else if (key == "uname" || key == "gname") {
                std::string& name = key == "uname" ? e.uname : e.gname;
                if (!unescape_to(value, name) || name.empty()) {
                    fail(n, "bad " + std::string(key));
                }
            } else if (key == "uid") {
                e.uid = number<std::uint64_t>(value, 10, n, key);
            } else if (key == "gid") {
                e.gid = number<std::uint64_t>(value, 10, n, key);
            } else if (key == "size") {
                e.size = number<std::uint64_t>(value, 10, n, key);
                have_size = true;
            } else if (key == "link") {
                if (!unescape_to(value, e.link)) {
                    fail(n, "bad escape in link");
                }
                have_link = true;
            } else if (key == "device") {
                parse_device(value, e, n);
                have_device = true;
            } else if (key == "time") {
                parse_time(value, e, n);
                have_time = true;
            } else {
                if (!std::all_of(key.begin(), key.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                               c == '_' || c == '-';
                    })) {
                    fail(n, "bad keyword \"" + std::string(key.substr(0, 40)) + "\"");
                }
                const auto v = unescape(value);
                if (!v) {
                    fail(n, "bad escape in " + std::string(key));
                }
                e.unknown.emplace_back(std::string(key), *v);
            }
        }
        if (!type) {
            fail(n, "missing type= for " + escape(e.path));
        }
        if (!have_mode) {
            fail(n, "missing mode= for " + escape(e.path));
        }
        if (e.uname.empty() && !e.uid) {
            fail(n, "missing uname= or uid= for " + escape(e.path));
        }
        if (e.gname.empty() && !e.gid) {
            fail(n, "missing gname= or gid= for " + escape(e.path));
        }
        if (!have_time) {
            fail(n, "missing time= for " + escape(e.path));
        }
        const bool is_file = e.type == EntryType::file;
        const bool is_link = e.type == EntryType::symlink || e.type == EntryType::hardlink;
        const bool is_device =
            e.type == EntryType::char_device || e.type == EntryType::block_device;
        if (is_file != have_size) {
            fail(n, is_file ? "missing size= for file " + escape(e.path)
                            : "size= is only for type=file");
        }
        if (is_link != have_link) {
            fail(n, is_link ? "missing link= for " + escape(e.path)
                            : "link= is only for type=link and type=hardlink");
        }
        if (is_device != have_device) {
            fail(n, is_device ? "missing device= for " + escape(e.path)
                              : "device= is only for type=char and type=block");
        }
        if (e.type == EntryType::hardlink) {
            if (!is_normalized_path(e.link)) {
                fail(n, "hard link target is not an absolute normalized path");
            }
        }
        if (e.type == EntryType::symlink && e.link.empty()) {
            fail(n, "empty symlink target");
        }
        std::sort(e.unknown.begin(), e.unknown.end());
        return e;
    }

    void parse_device(std::string_view value, Entry& e, std::size_t n) const {
        // "linux,MAJOR,MINOR"
        constexpr std::string_view prefix = "linux,";
        if (value.substr(0, prefix.size()) != prefix) {
            fail(n, "bad device \"" + std::string(value.substr(0, 40)) +
                        "\" (need linux,MAJOR,MINOR)");
        }
        const auto rest = value.substr(prefix.size());
        const auto comma = rest.find(',');
        if (comma == std::string_view::npos) {
            fail(n, "bad device (need linux,MAJOR,MINOR)");
        }
        e.dev_major = number<std::uint32_t>(rest.substr(0, comma), 10, n, "device");
        e.dev_minor = number<std::uint32_t>(rest.substr(comma + 1), 10, n, "device");
    }

    void parse_time(std::string_view value, Entry& e, std::size_t n) const {
        const auto dot = value.find('.');
        if (dot == std::string_view::npos || value.size() - dot - 1 != 9) {
            fail(n,
                 "bad time \"" + std::string(value.substr(0, 40)) + "\" (need SECONDS.NNNNNNNNN)");
        }
        e.mtime.seconds = number<std::int64_t>(value.substr(0, dot), 10, n, "time");
        e.mtime.nanoseconds = number<std::uint32_t>(value.substr(dot + 1), 10, n, "time");
    }

    const Deb822Stanza& m_stanza;
    const std::string& m_file;
    std::vector<std::size_t> m_entry_lines; // the line of each entry, for later errors
    std::unordered_map<std::string_view, Entry*> m_by_path; // views the entries' paths
    std::vector<std::string_view> m_words;                  // of the line being parsed
};

} // namespace

Pkgdesc pkgdesc_from_stanza(const Deb822Stanza& stanza, const std::string& file) {
    return StanzaParser(stanza, file).parse();
}

std::vector<Pkgdesc> parse_pkgdesc_stream(std::istream& in, const std::string& file) {
    Deb822Reader reader(in, file);
    std::vector<Pkgdesc> out;
    while (auto stanza = reader.next()) {
        out.push_back(pkgdesc_from_stanza(*stanza, file));
    }
    return out;
}

Pkgdesc parse_pkgdesc(std::string_view text, const std::string& file) {
    Deb822Reader reader(text, file);
    auto stanza = reader.next();
    if (!stanza) {
        throw ParseError(file, 1, "no stanza (empty document)");
    }
    return pkgdesc_from_stanza(*stanza, file);
}

} // namespace pkgdesc
