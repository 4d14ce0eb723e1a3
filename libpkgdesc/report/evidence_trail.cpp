// The evidence trail: signed, chained manifests of verification runs.
#include <libpkgdesc/report/evidence_trail.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/detached_signature.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/unique_fd.hpp>
#include <libpkgdesc/util/utc_time.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

namespace pkgdesc {

namespace {

constexpr std::uint64_t k_max_log = std::uint64_t{64} << 20;
constexpr std::uint64_t k_max_manifest = std::uint64_t{1} << 20;
constexpr std::uint64_t k_max_signature = std::uint64_t{64} << 10;
const std::string k_no_previous(64, '0');
constexpr std::string_view k_openpgp_suffix = ".manifest.asc";
constexpr std::string_view k_ed25519_suffix = ".manifest.ed25519";

std::string compact_utc(std::int64_t unix_seconds) {
    std::string text = utc_text(unix_seconds);
    std::erase(text, '-');
    std::erase(text, ':');
    return text; // 20261204T210000Z
}

bool is_hex64(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// "run-" then digits, 'T', 'Z' and '-' only: never a path of its own.
bool is_entry_name(std::string_view name) {
    return name.size() > 4 && name.size() < 64 && name.starts_with("run-") &&
           std::all_of(name.begin() + 4, name.end(), [](char c) {
               return (c >= '0' && c <= '9') || c == 'T' || c == 'Z' || c == '-';
           });
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

void write_atomically(const std::string& path, std::string_view data) {
    AtomicFile file(path, 0644);
    file.write(data);
    file.commit();
}

// One line of prooftrail.log.
struct LogLine {
    std::string time;
    std::string manifest;
    std::string previous;
    std::string report; // NAME.json
    std::string name() const { return report.substr(0, report.size() - 5); }
};

std::optional<LogLine> parse_log_line(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t space = line.find(' ', start);
        fields.push_back(line.substr(start, space - start));
        if (space == std::string_view::npos) {
            break;
        }
        start = space + 1;
    }
    if (fields.size() != 4 || fields[0].size() != 20 || !fields[0].ends_with('Z') ||
        !is_hex64(fields[1]) || !is_hex64(fields[2]) || !fields[3].ends_with(".json") ||
        !is_entry_name(fields[3].substr(0, fields[3].size() - 5))) {
        return std::nullopt;
    }
    return LogLine{std::string(fields[0]), std::string(fields[1]), std::string(fields[2]),
                   std::string(fields[3])};
}

// The manifest SHA-256 of the last line of a log's text (k_no_previous for an empty log).
std::string last_manifest(std::string_view text, const std::string& shown) {
    std::string last = k_no_previous;
    if (!text.empty() && text.back() != '\n') {
        throw IoError(shown, "does not end with a newline: the trail is damaged "
                             "(pkgdesc-verify --check-evidence)");
    }
    for (const std::string_view line : split_lines(text)) {
        const std::optional<LogLine> parsed = parse_log_line(line);
        if (!parsed) {
            throw IoError(shown,
                          "a line that is not \"UTC MANIFEST-SHA256 PREVIOUS-SHA256 "
                          "REPORT\": the trail is damaged (pkgdesc-verify --check-evidence)");
        }
        last = parsed->manifest;
    }
    return last;
}

} // namespace

EvidenceTrail::EvidenceTrail(std::string dir) : m_dir(std::move(dir)) {
    while (m_dir.size() > 1 && m_dir.back() == '/') {
        m_dir.pop_back();
    }
}

EvidenceEntry EvidenceTrail::append(const EvidenceRun& run, const EvidenceSigner& signer) const {
    struct stat st {};
    if (::stat(m_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw IoError(m_dir, "no such directory (the evidence directory must exist)");
    }
    // The log, locked until the line is appended: two runs never take the same previous
    // manifest or the same name.
    const std::string log_path = m_dir + "/" + k_prooftrail_log;
    constexpr int k_flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd log(::open(log_path.c_str(), k_flags));
    bool created = false;
    if (!log.valid() && errno == ENOENT) {
        log = UniqueFd(::open(log_path.c_str(), k_flags | O_CREAT | O_EXCL, 0644));
        created = log.valid();
    }
    if (!log.valid()) {
        throw IoError::from_errno(log_path, "cannot open", errno);
    }
    // A log this run made stays only with its line in it.
    struct RemoveUnlessKept {
        const std::string& path;
        bool active;
        ~RemoveUnlessKept() {
            if (active) {
                ::unlink(path.c_str());
            }
        }
    } remove_new_log{log_path, created};
    if (::fstat(log.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw IoError(log_path, "not a regular file");
    }
    while (::flock(log.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            throw IoError::from_errno(log_path, "cannot lock", errno);
        }
    }
    const std::string previous =
        last_manifest(read_open_file(log.get(), log_path, k_max_log), log_path);

    EvidenceEntry entry;
    const std::string base = "run-" + compact_utc(run.finished_unix);
    entry.name = base;
    for (int n = 2; exists(m_dir + "/" + entry.name + ".json") ||
                    exists(m_dir + "/" + entry.name + ".manifest");
         ++n) {
        entry.name = base + "-" + std::to_string(n);
    }
    const std::string report_name = entry.name + ".json";

    nlohmann::json manifest;
    manifest["format"] = k_evidence_format;
    manifest["time"] = utc_text(run.finished_unix);
    manifest["command"] = run.command;
    manifest["sources"] = run.sources;
    manifest["state"] = run.state;
    manifest["files"] = nlohmann::json::array({{{"name", report_name},
                                                {"sha256", to_hex(Sha256::digest(run.report))},
                                                {"size", run.report.size()}}});
    manifest["previous"] = previous;
    manifest["signature"] = signer.kind == EvidenceSigner::Kind::openpgp ? "openpgp" : "ed25519";
    const std::string text = manifest.dump(2) + "\n";
    // Signed before anything is written: a key that cannot sign leaves nothing behind. (A run
    // killed between its files and its line leaves files that no line names, which a check
    // reports.)
    const std::string signature = make_detached_signature(signer, text);
    write_atomically(m_dir + "/" + report_name, run.report);
    write_atomically(m_dir + "/" + entry.name + ".manifest", text);
    write_atomically(m_dir + "/" + entry.name +
                         std::string(signer.kind == EvidenceSigner::Kind::openpgp
                                         ? k_openpgp_suffix
                                         : k_ed25519_suffix),
                     signature);
    entry.manifest_sha256 = to_hex(Sha256::digest(text));

    const std::string line = utc_text(run.finished_unix) + " " + entry.manifest_sha256 + " " +
                             previous + " " + report_name + "\n";
    const ssize_t n = ::write(log.get(), line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size())) {
        throw IoError::from_errno(log_path, "cannot append", n < 0 ? errno : EIO);
    }
    remove_new_log.active = false;
    if (::fsync(log.get()) != 0) {
        throw IoError::from_errno(log_path, "cannot sync", errno);
    }
    return entry;
}

EvidenceCheck EvidenceTrail::check(const EvidenceKeys& keys) const {
    const std::string log_path = m_dir + "/" + k_prooftrail_log;
    // Read under a shared lock, held until the directory was listed: a run appending meanwhile
    // is never half seen (its files without its line).
    std::optional<std::string> log;
    UniqueFd log_fd(::open(log_path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (log_fd.valid()) {
        struct stat st {};
        if (::fstat(log_fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
            throw IoError(log_path, "not a regular file");
        }
        while (::flock(log_fd.get(), LOCK_SH) != 0) {
            if (errno != EINTR) {
                throw IoError::from_errno(log_path, "cannot lock", errno);
            }
        }
        log = read_open_file(log_fd.get(), log_path, k_max_log);
    } else if (errno != ENOENT) {
        throw IoError::from_errno(log_path, "cannot open", errno);
    }
    // No log at all: a directory that is no trail, unless a run's files are there.
    const bool no_log = !log.has_value();
    const DetachedVerifier verifier(keys);

    EvidenceCheck result;
    std::set<std::string> named;
    std::string previous = k_no_previous;
    std::size_t number = 0;
    auto broken = [&](const std::string& name, const std::string& reason) {
        result.broken = "entry " + std::to_string(number) +
                        (name.empty() ? "" : " (" + name + ")") + ": " + reason;
        return result;
    };
    auto add_signer = [&](const std::string& signer) {
        if (std::find(result.signers.begin(), result.signers.end(), signer) ==
            result.signers.end()) {
            result.signers.push_back(signer);
        }
    };
    const std::string log_text = log.value_or(std::string());
    for (const std::string_view text : split_lines(log_text)) {
        ++number;
        const std::optional<LogLine> line = parse_log_line(text);
        if (!line) {
            return broken("", "not a line \"UTC MANIFEST-SHA256 PREVIOUS-SHA256 REPORT\" of " +
                                  log_path);
        }
        const std::string name = line->name();
        if (!named.insert(name).second) {
            return broken(name, "named a second time");
        }
        if (line->previous != previous) {
            return broken(name, number == 1
                                    ? "links to an earlier manifest, but it is the first entry: "
                                      "entries before it were deleted"
                                    : "links to manifest " + line->previous +
                                          ", the entry before is " + previous +
                                          ": an entry was deleted, inserted or reordered");
        }
        const std::string manifest_path = m_dir + "/" + name + ".manifest";
        std::optional<std::string> manifest;
        try {
            manifest = read_file_if_exists(manifest_path, k_max_manifest, FollowSymlink::no);
        } catch (const Error& e) {
            return broken(name, std::string("its manifest cannot be read: ") + e.what());
        }
        if (!manifest) {
            return broken(name, "its manifest " + name + ".manifest is missing");
        }
        if (to_hex(Sha256::digest(*manifest)) != line->manifest) {
            return broken(name, "its manifest is not the one logged (edited or replaced)");
        }
        // The signature: by one of the given keys, of either kind.
        const std::string asc_path = m_dir + "/" + name + std::string(k_openpgp_suffix);
        const std::string ed_path = m_dir + "/" + name + std::string(k_ed25519_suffix);
        std::optional<std::string> asc;
        std::optional<std::string> ed;
        try {
            asc = read_file_if_exists(asc_path, k_max_signature, FollowSymlink::no);
            ed = read_file_if_exists(ed_path, k_max_signature, FollowSymlink::no);
        } catch (const Error& e) {
            return broken(name, std::string("its signature cannot be read: ") + e.what());
        }
        if (!asc && !ed) {
            return broken(name, "its manifest is not signed");
        }
        std::string signer;
        std::string refused;
        if (asc) {
            signer =
                verifier.verify(*manifest, *asc, DetachedSigner::Kind::openpgp, asc_path, refused)
                    .value_or("");
        }
        if (signer.empty() && ed) {
            signer =
                verifier.verify(*manifest, *ed, DetachedSigner::Kind::ed25519, ed_path, refused)
                    .value_or("");
        }
        if (signer.empty()) {
            return broken(name, "its signature is not proven: " + refused);
        }
        // What the signed manifest says.
        nlohmann::json parsed;
        try {
            parsed = nlohmann::json::parse(*manifest);
        } catch (const nlohmann::json::exception&) {
            return broken(name, "its manifest is not JSON");
        }
        const auto field = [&](const char* key) -> std::string {
            const auto it = parsed.is_object() ? parsed.find(key) : parsed.end();
            return it != parsed.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        if (field("format") != k_evidence_format) {
            return broken(name, "its manifest is not of the format \"" +
                                    std::string(k_evidence_format) + "\"");
        }
        if (field("previous") != previous) {
            return broken(name, "its manifest links to another previous manifest than the log");
        }
        if (field("time") != line->time) {
            return broken(name, "its manifest's time is not the logged one");
        }
        const auto files = parsed.find("files");
        if (files == parsed.end() || !files->is_array() || files->empty()) {
            return broken(name, "its manifest names no file");
        }
        bool report_listed = false;
        for (const nlohmann::json& file : *files) {
            if (!file.is_object() || !file.contains("name") || !file["name"].is_string() ||
                !file.contains("sha256") || !file["sha256"].is_string() || !file.contains("size") ||
                !file["size"].is_number_unsigned()) {
                return broken(name, "its manifest has a malformed file entry");
            }
            const std::string file_name = file["name"].get<std::string>();
            if (file_name != line->report) {
                return broken(name, "its manifest names a file that is not its report");
            }
            report_listed = true;
            const std::string report_path = m_dir + "/" + file_name;
            const std::uint64_t signed_size = file["size"].get<std::uint64_t>();
            std::optional<Sha256Digest> digest;
            bool larger = false;
            try {
                digest = sha256_of_file_if_exists(report_path, signed_size, FollowSymlink::no);
            } catch (const FileTooLarge&) {
                larger = true; // not read beyond the signed size
            } catch (const Error& e) {
                return broken(name, std::string("its report cannot be read: ") + e.what());
            }
            if (!digest && !larger) {
                return broken(name, "its report " + file_name + " is missing");
            }
            if (larger || to_hex(*digest) != file["sha256"].get<std::string>()) {
                return broken(name, "its report " + file_name + " is not the one signed (edited)");
            }
        }
        if (!report_listed) {
            return broken(name, "its manifest does not name its report");
        }
        add_signer(signer);
        previous = line->manifest;
        result.entries = number;
    }
    if (!log_text.empty() && log_text.back() != '\n') {
        return broken(std::string(), "the last line has no newline: the log was cut (and no run "
                                     "can be added to it)");
    }
    // A run's files that no line names: inserted, or the line deleted (at the end of the log,
    // what the chain alone cannot tell).
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(m_dir.c_str()), &::closedir);
    if (!dir) {
        throw IoError::from_errno(m_dir, "cannot read directory", errno);
    }
    std::vector<std::string> unnamed;
    while (const dirent* ent = ::readdir(dir.get())) {
        std::string_view file = ent->d_name;
        for (const std::string_view suffix :
             {std::string_view(".json"), std::string_view(".manifest"), k_openpgp_suffix,
              k_ed25519_suffix}) {
            if (file.ends_with(suffix) &&
                is_entry_name(file.substr(0, file.size() - suffix.size()))) {
                const std::string base(file.substr(0, file.size() - suffix.size()));
                if (!named.contains(base)) {
                    unnamed.push_back(base);
                }
                break;
            }
        }
    }
    if (no_log && unnamed.empty()) {
        throw IoError(log_path, "no such file: not an evidence trail");
    }
    if (!unnamed.empty()) {
        std::sort(unnamed.begin(), unnamed.end());
        number = result.entries + 1;
        return broken(unnamed.front(), "in the directory but in no line of " +
                                           std::string(k_prooftrail_log) +
                                           " (inserted, or its line deleted)");
    }
    if (result.entries == 0) {
        number = 1;
        return broken("", "the trail has no entry (emptied?)");
    }
    return result;
}

} // namespace pkgdesc
