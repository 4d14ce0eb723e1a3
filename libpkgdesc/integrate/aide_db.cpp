// Reading AIDE 0.18's database: "@@begin_db", "@@db_spec FIELD...", one line of space-separated
// fields per path, "@@end_db". Names are URL-encoded ("%20"), numbers decimal (perm octal),
// times base64 of their decimal text, digests base64, "0" an attribute not recorded
// (AIDE's db_file.c, db_writeline_file()).
#include <libpkgdesc/integrate/aide_db.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/util/base64.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>

namespace pkgdesc {

namespace {

constexpr std::size_t k_max_entries = 8'000'000;
constexpr std::size_t k_max_line = 1u << 20;
constexpr std::uint64_t k_max_decompressed = std::uint64_t{4} << 30;
// What Linux allows: PATH_MAX for a symlink's target, XATTR_NAME_MAX and XATTR_SIZE_MAX.
constexpr std::size_t k_max_link = 4096;
constexpr std::size_t k_max_xattr_name = 255;
constexpr std::size_t k_max_xattr_value = 65536;
// Names (and capabilities) of extended attributes kept from the whole database.
constexpr std::size_t k_max_xattr_total = std::size_t{256} << 20;

// AIDE's attribute numbers (include/attributes.h), for the per-entry "attr" bit mask.
enum Attr : unsigned {
    a_linkname = 1,
    a_perm = 2,
    a_uid = 3,
    a_gid = 4,
    a_size = 5,
    a_mtime = 8,
    a_inode = 9,
    a_acl = 21,
    a_sha256 = 30,
    a_xattrs = 33,
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// A string field as db_writechar() writes it: "0" none, "0-" empty, "00..." a leading '0'.
std::optional<std::optional<std::string>> decode_string(std::string_view field) {
    if (field == "0") {
        return std::optional<std::string>();
    }
    if (field == "0-") {
        return std::optional<std::string>(std::string());
    }
    std::string out;
    if (field.starts_with("00")) {
        out = "0";
        field.remove_prefix(2);
    }
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '%') {
            out += field[i];
            continue;
        }
        if (i + 2 >= field.size()) {
            return std::nullopt;
        }
        const int hi = hex_value(field[i + 1]);
        const int lo = hex_value(field[i + 2]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return std::optional<std::string>(std::move(out));
}

template <typename T> std::optional<T> number(std::string_view field, int base = 10) {
    T value{};
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, value, base);
    if (field.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split(std::string_view line, char separator) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = line.find(separator, start);
        fields.push_back(line.substr(start, end - start));
        if (end == std::string_view::npos) {
            return fields;
        }
        start = end + 1;
    }
}

// Whether an ACL text (acl_to_text) holds more than the owner, group and other entries that the
// mode already says.
bool acl_extends_mode(std::string_view text) {
    for (std::string_view entry : split(text, '\n')) {
        if (!entry.empty() && !entry.starts_with("user::") && !entry.starts_with("group::") &&
            !entry.starts_with("other::")) {
            return true;
        }
    }
    return false;
}

class Parser {
public:
    explicit Parser(std::string shown) : m_shown(std::move(shown)) {}

    void line(std::string_view text) {
        ++m_line;
        if (m_state == State::done) {
            if (!text.empty() && text.front() != '#') {
                fail("text after @@end_db");
            }
            return;
        }
        if (text.empty() || text.front() == '#') {
            return;
        }
        if (m_state == State::start) {
            if (text != "@@begin_db") {
                fail("not an AIDE database: no @@begin_db");
            }
            m_state = State::spec;
            return;
        }
        if (m_state == State::spec) {
            if (!text.starts_with("@@db_spec ")) {
                fail("no @@db_spec after @@begin_db");
            }
            for (std::string_view name : split(text.substr(10), ' ')) {
                if (!name.empty()) {
                    m_fields.emplace_back(name);
                }
            }
            if (m_fields.empty() || m_fields.front() != "name") {
                fail("@@db_spec does not start with the name field");
            }
            for (const char* needed : {"perm", "uid", "gid", "size", "sha256"}) {
                if (std::find(m_fields.begin(), m_fields.end(), needed) == m_fields.end()) {
                    fail(std::string("the database records no ") + needed +
                         " attribute: a baseline check needs perm, uid, gid, size and sha256 "
                         "(add them to the rules, e.g. p+u+g+s+sha256)");
                }
            }
            m_state = State::entries;
            return;
        }
        if (text == "@@end_db") {
            m_state = State::done;
            return;
        }
        entry(text);
    }

    std::vector<AideDbEntry> finish() {
        if (m_state != State::done) {
            fail(m_state == State::start ? "not an AIDE database: no @@begin_db"
                                         : "truncated: no @@end_db");
        }
        return std::move(m_entries);
    }

    [[noreturn]] void fail(const std::string& reason) const {
        throw ParseError(m_shown, m_line, reason);
    }

private:
    enum class State { start, spec, entries, done };

    void entry(std::string_view text) {
        if (m_entries.size() >= k_max_entries) {
            fail("more than " + std::to_string(k_max_entries) + " entries: refused");
        }
        // The name field is written without a following space escape, but never holds one.
        const std::vector<std::string_view> values = split(text, ' ');
        if (values.size() != m_fields.size()) {
            fail("expected " + std::to_string(m_fields.size()) +
                 " fields as @@db_spec says, found " + std::to_string(values.size()));
        }
        AideDbEntry entry;
        std::optional<std::uint64_t> attr;
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (m_fields[i] == "attr") {
                attr = number<std::uint64_t>(values[i]);
                if (!attr) {
                    fail("attr field '" + std::string(values[i]) + "' is not a number");
                }
            }
        }
        auto recorded = [&](unsigned bit) { return !attr || ((*attr >> bit) & 1u) != 0; };
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string& field = m_fields[i];
            const std::string_view value = values[i];
            auto bad = [&]() {
                fail(field + " field '" +
                     (value.size() > 64 ? std::string(value.substr(0, 64)) + "..."
                                        : std::string(value)) +
                     "' does not decode");
            };
            if (field == "name") {
                const auto name = decode_string(value);
                if (!name || !*name || !is_normalized_path(**name) ||
                    (*name)->find('\0') != std::string::npos) {
                    fail("name field '" + std::string(value) +
                         "' is not an absolute, normalized path");
                }
                entry.path = **name;
            } else if (field == "lname") {
                const auto link = decode_string(value);
                if (!link || (*link && (*link)->size() > k_max_link)) {
                    bad();
                }
                if (recorded(a_linkname)) {
                    entry.link = *link;
                }
            } else if (field == "perm" || field == "uid" || field == "gid" || field == "size" ||
                       field == "inode") {
                const auto n = number<std::uint64_t>(value, field == "perm" ? 8 : 10);
                if (!n) {
                    bad();
                }
                if ((field == "perm" || field == "uid" || field == "gid") && *n > 0xFFFFFFFFu) {
                    bad();
                }
                if (field == "perm" && recorded(a_perm)) {
                    entry.perm = static_cast<std::uint32_t>(*n);
                } else if (field == "uid" && recorded(a_uid)) {
                    entry.uid = static_cast<std::uint32_t>(*n);
                } else if (field == "gid" && recorded(a_gid)) {
                    entry.gid = static_cast<std::uint32_t>(*n);
                } else if (field == "size" && recorded(a_size)) {
                    entry.size = *n;
                } else if (field == "inode" && recorded(a_inode)) {
                    entry.inode = *n;
                }
            } else if (field == "mtime") {
                if (value != "0" && recorded(a_mtime)) {
                    const auto decoded = base64_decode(value);
                    const auto seconds = decoded ? number<std::int64_t>(*decoded) : std::nullopt;
                    if (!seconds) {
                        bad();
                    }
                    entry.mtime = *seconds;
                } else if (recorded(a_mtime)) {
                    entry.mtime = 0;
                }
            } else if (field == "sha256") {
                if (value != "0" && recorded(a_sha256)) {
                    const auto raw = base64_decode(value);
                    if (!raw || raw->size() != 32) {
                        bad();
                    }
                    Sha256Digest digest{};
                    std::copy(raw->begin(), raw->end(), digest.begin());
                    entry.sha256 = digest;
                }
            } else if (field == "xattrs") {
                const std::vector<std::string_view> parts = split(value, ',');
                const auto count = number<std::size_t>(parts.front());
                if (!count || *count > parts.size() || parts.size() != 1 + 2 * *count) {
                    bad();
                }
                std::vector<std::pair<std::string, std::string>> xattrs;
                for (std::size_t k = 1; k < parts.size(); k += 2) {
                    const auto name = decode_string(parts[k]);
                    const auto raw = parts[k + 1] == "0" ? std::optional<std::string>(std::string())
                                                         : base64_decode(parts[k + 1]);
                    if (!name || !*name || !raw || (*name)->size() > k_max_xattr_name ||
                        raw->size() > k_max_xattr_value) {
                        bad();
                    }
                    // Only a capability's value is ever compared: the others are not kept.
                    const bool kept = **name == "security.capability";
                    m_xattr_bytes +=
                        sizeof(xattrs.front()) + (*name)->size() + (kept ? raw->size() : 0);
                    if (m_xattr_bytes > k_max_xattr_total) {
                        fail("extended attributes of more than " +
                             std::to_string(k_max_xattr_total) + " bytes in all: refused");
                    }
                    xattrs.emplace_back(**name, kept ? *raw : std::string());
                }
                if (recorded(a_xattrs)) {
                    entry.xattrs = std::move(xattrs);
                }
            } else if (field == "acl") {
                if (value == "0") {
                    entry.acl_recorded = recorded(a_acl);
                    continue;
                }
                const std::vector<std::string_view> parts = split(value, ',');
                if (parts.size() != 3 || parts[0] != "POSIX") {
                    bad();
                }
                const auto access = parts[1] == "0" ? std::optional<std::string>(std::string())
                                                    : base64_decode(parts[1]);
                if (!access || (parts[2] != "0" && !base64_decode(parts[2]))) {
                    bad();
                }
                entry.acl_recorded = recorded(a_acl);
                entry.acl_extended = acl_extends_mode(*access);
                entry.default_acl = parts[2] != "0";
            }
        }
        m_entries.push_back(std::move(entry));
    }

    std::string m_shown;
    std::size_t m_line = 0;
    State m_state = State::start;
    std::vector<std::string> m_fields;
    std::vector<AideDbEntry> m_entries;
    std::size_t m_xattr_bytes = 0;
};

} // namespace

AideDatabase AideDatabase::load(const std::string& path_arg) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                             &archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_raw(a.get());
    archive_entry* header = nullptr;
    const bool stdin_input = path_arg == "-";
    const std::string path = stdin_input ? std::string("standard input") : path_arg;
    if (!stdin_input) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            throw IoError::from_errno(path, "cannot open", errno);
        }
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            throw ParseError(path, 0, "empty: not an AIDE database");
        }
    }
    const int opened = stdin_input ? archive_read_open_fd(a.get(), STDIN_FILENO, 1 << 16)
                                   : archive_read_open_filename(a.get(), path.c_str(), 1 << 16);
    if (opened != ARCHIVE_OK) {
        throw IoError(path, std::string("cannot open: ") + archive_error_string(a.get()));
    }
    const int status = archive_read_next_header(a.get(), &header);
    if (status == ARCHIVE_EOF) {
        throw ParseError(path, 0, "empty: not an AIDE database");
    }
    if (status != ARCHIVE_OK) {
        throw IoError(path, std::string("cannot read: ") + archive_error_string(a.get()));
    }
    Parser parser(path);
    std::string pending;
    std::vector<char> buffer(1 << 16);
    std::uint64_t total = 0;
    for (;;) {
        const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
        if (n < 0) {
            throw IoError(path, std::string("cannot decompress: ") + archive_error_string(a.get()));
        }
        if (n == 0) {
            break;
        }
        total += static_cast<std::uint64_t>(n);
        if (total > k_max_decompressed) {
            throw ParseError(path, 0,
                             "larger than " + std::to_string(k_max_decompressed) +
                                 " bytes decompressed: refused");
        }
        std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
        for (;;) {
            const std::size_t newline = chunk.find('\n');
            if (newline == std::string_view::npos) {
                pending.append(chunk);
                if (pending.size() > k_max_line) {
                    parser.fail("a line longer than " + std::to_string(k_max_line) + " bytes");
                }
                break;
            }
            pending.append(chunk.substr(0, newline));
            if (pending.size() > k_max_line) {
                parser.fail("a line longer than " + std::to_string(k_max_line) + " bytes");
            }
            parser.line(pending);
            pending.clear();
            chunk.remove_prefix(newline + 1);
        }
    }
    if (!pending.empty()) {
        parser.line(pending);
    }
    AideDatabase db;
    db.m_shown = path;
    db.m_entries = parser.finish();
    db.m_index.reserve(db.m_entries.size());
    for (std::size_t i = 0; i < db.m_entries.size(); ++i) {
        if (!db.m_index.emplace(db.m_entries[i].path, i).second) {
            throw ParseError(path, 0,
                             "the path " + escape(db.m_entries[i].path) + " is recorded twice");
        }
    }
    return db;
}

std::vector<std::string> AideDatabase::paths() const {
    std::vector<std::string> paths;
    paths.reserve(m_entries.size());
    for (const AideDbEntry& entry : m_entries) {
        paths.push_back(entry.path);
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

const AideDbEntry* AideDatabase::find(const std::string& path) const {
    const auto it = m_index.find(path);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

Observation AideDatabase::observe(const CheckContext& context, const std::string& path,
                                  const HashPolicy& /*worth_hashing*/, Digest digest) const {
    Observation obs;
    const AideDbEntry* entry = find(path);
    if (entry == nullptr) {
        obs.failure = FileStatus::missing;
        obs.reason = "not in the AIDE database";
        return obs;
    }
    if (!entry->perm || !entry->uid || !entry->gid) {
        obs.failure = FileStatus::unverifiable;
        obs.reason = "the AIDE database records no perm, uid or gid for it";
        return obs;
    }
    obs.found = true;
    obs.st.st_mode = *entry->perm;
    obs.st.st_uid = *entry->uid;
    obs.st.st_gid = *entry->gid;
    obs.st.st_ino = entry->inode.value_or(0);
    obs.mtime_known = entry->mtime.has_value();
    obs.st.st_mtim.tv_sec = entry->mtime.value_or(0);
    if (S_ISREG(*entry->perm)) {
        if (!entry->size) {
            obs.failure = FileStatus::unverifiable;
            obs.found = false;
            obs.reason = "the AIDE database records no size for it";
            return obs;
        }
        obs.st.st_size = static_cast<off_t>(*entry->size);
        if (digest == Digest::md5) {
            obs.hash_error = "the baseline check compares SHA-256 only";
        } else if (entry->sha256) {
            obs.sha256 = entry->sha256;
        } else {
            obs.hash_error = "the AIDE database records no sha256 for it";
        }
    } else if (S_ISLNK(*entry->perm)) {
        if (entry->link) {
            obs.link = *entry->link;
        } else {
            obs.hash_error = "the AIDE database records no link target for it";
        }
    } else if (S_ISCHR(*entry->perm) || S_ISBLK(*entry->perm)) {
        obs.hash_error = "AIDE records no device numbers";
    }
    if (entry->xattrs) {
        for (const auto& [name, value] : *entry->xattrs) {
            if (is_reportable_xattr(name, context.ignore_xattrs)) {
                obs.xattrs.push_back(name);
                if (name == "security.capability") {
                    obs.capability = value;
                }
            }
        }
    }
    for (const auto& [present, name] :
         {std::pair{entry->acl_extended, "system.posix_acl_access"},
          std::pair{entry->default_acl, "system.posix_acl_default"}}) {
        if (present && is_reportable_xattr(name, context.ignore_xattrs) &&
            std::find(obs.xattrs.begin(), obs.xattrs.end(), name) == obs.xattrs.end()) {
            obs.xattrs.emplace_back(name);
        }
    }
    std::sort(obs.xattrs.begin(), obs.xattrs.end());
    if (!entry->xattrs && obs.hash_error.empty()) {
        // Without the record, a capability or other security attribute cannot be ruled out.
        obs.hash_error = "the AIDE database records no xattrs for it";
    }
    if (!entry->acl_recorded && obs.hash_error.empty()) {
        // Nor an ACL (AIDE's xattrs record leaves POSIX ACLs to its acl attribute).
        obs.hash_error = "the AIDE database records no acl for it";
    }
    return obs;
}

bool AideDatabase::same_file(const CheckContext& /*context*/, const Observation& observation,
                             const std::string& other) const {
    const AideDbEntry* entry = find(other);
    return entry != nullptr && entry->inode && observation.st.st_ino != 0 &&
           *entry->inode == observation.st.st_ino;
}

} // namespace pkgdesc
