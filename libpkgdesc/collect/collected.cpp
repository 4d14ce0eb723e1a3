// The collected-system stream: written by collect_system(), read back by CollectedSystem.
#include <libpkgdesc/collect/collected.hpp>

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/util/utc_time.hpp>
#include <libpkgdesc/verify/control_check.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>
#include <libpkgdesc/verify/md5sums.hpp>
#include <libpkgdesc/verify/unowned_scan.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace pkgdesc {

namespace {

// The largest file of the system copied for its content (the status file of a large system is
// a few MiB; the dpkg readers take up to 256 MiB).
constexpr std::uint64_t k_max_node = std::uint64_t{256} << 20;
constexpr std::size_t k_max_line = 1u << 20;
constexpr std::size_t k_max_tmpfiles = 1u << 20;
constexpr std::size_t k_max_alternative = 16u << 20;
constexpr std::size_t k_max_accounts = 64u << 20;
constexpr std::size_t k_max_ucf = 64u << 20;
constexpr std::size_t k_max_signature = 64u << 10;
const std::vector<std::string> k_no_ignore;
// As many paths as the dpkg database reader takes from all file lists (and their aliases).
constexpr std::size_t k_max_collected_paths = 16'000'000;

// A listed path's content is read unless it is beyond what any package ships: larger than
// k_max_md5sums_file_size, or large and mostly holes (dpkg writes every byte it unpacks).
std::string not_worth_reading(const struct stat& st) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto allocated = static_cast<std::uint64_t>(st.st_blocks) * 512;
    if (size > k_max_md5sums_file_size) {
        return "larger than " + std::to_string(k_max_md5sums_file_size) + " bytes";
    }
    if (size > (64u << 20) && allocated < size / 8) {
        return "mostly holes (sparse)";
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Writing

// A value of a comma-separated list: escaped, and its commas too (escape() leaves them, and
// never writes "\054" itself, a backslash being "\134").
std::string list_item(std::string_view value) {
    std::string out;
    for (const char c : escape(value)) {
        out += c == ',' ? std::string("\\054") : std::string(1, c);
    }
    return out;
}

std::string from_list_item(std::string_view item) {
    std::string out(item);
    for (std::size_t at = out.find("\\054"); at != std::string::npos; at = out.find("\\054", at)) {
        out.replace(at, 4, ",");
        ++at;
    }
    return out;
}

class StreamWriter {
public:
    explicit StreamWriter(int fd) : m_fd(fd) {}

    void put(std::string_view data) {
        m_buffer.append(data);
        if (m_buffer.size() >= (1u << 20)) {
            flush();
        }
    }
    void line(std::string_view text) {
        if (text.size() > k_max_line) {
            throw IoError("standard output", "a record longer than a verifier reads (" +
                                                 std::to_string(k_max_line) + " bytes)");
        }
        put(text);
        put("\n");
        count(0);
    }
    // A record with `bytes` after its line.
    void blob(std::string_view head, std::string_view bytes) {
        put(head);
        put(" ");
        put(std::to_string(bytes.size()));
        put("\n");
        put(bytes);
        put("\n");
        count(bytes.size());
    }
    // The end record (its line, which a signature covers) and the signature, if any.
    std::string finish() {
        flush();
        return "e " + std::to_string(m_records) + " " + to_hex(m_sha.finish()) + "\n";
    }
    void raw(std::string_view data) {
        m_buffer.append(data);
        flush(false);
    }
    std::uint64_t written() const { return m_written; }

private:
    // A stream no verifier would read is not written on: the collector fails where the
    // verifier would.
    void count(std::uint64_t content) {
        ++m_records;
        m_content += content;
        const std::uint64_t total = m_written + m_buffer.size();
        if (m_records > k_max_collected_records || m_content > k_max_collected_content ||
            total > k_max_collected_stream) {
            throw IoError("standard output",
                          "the system holds more than a verifier reads (" +
                              std::to_string(k_max_collected_records) + " records, " +
                              std::to_string(k_max_collected_content) + " bytes of file content, " +
                              std::to_string(k_max_collected_stream) + " bytes in all)");
        }
    }

    void flush(bool hash = true) {
        if (hash) {
            m_sha.update(m_buffer.data(), m_buffer.size());
        }
        write_all(m_fd, m_buffer, "standard output");
        m_written += m_buffer.size();
        m_buffer.clear();
    }

    int m_fd;
    std::string m_buffer;
    Sha256 m_sha;
    std::uint64_t m_written = 0;
    std::uint64_t m_content = 0;
    std::size_t m_records = 0;
};

std::string hex_of(std::string_view bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out.push_back(k_digits[(static_cast<unsigned char>(c) >> 4) & 15]);
        out.push_back(k_digits[static_cast<unsigned char>(c) & 15]);
    }
    return out;
}

std::string stat_fields(const struct stat& st) {
    std::string out;
    for (const std::uint64_t value :
         {static_cast<std::uint64_t>(st.st_mode), static_cast<std::uint64_t>(st.st_uid),
          static_cast<std::uint64_t>(st.st_gid), static_cast<std::uint64_t>(st.st_size),
          static_cast<std::uint64_t>(st.st_nlink), static_cast<std::uint64_t>(st.st_dev),
          static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_rdev),
          static_cast<std::uint64_t>(st.st_blocks), static_cast<std::uint64_t>(st.st_mtim.tv_sec),
          static_cast<std::uint64_t>(st.st_mtim.tv_nsec),
          static_cast<std::uint64_t>(st.st_ctim.tv_sec),
          static_cast<std::uint64_t>(st.st_ctim.tv_nsec)}) {
        out += ' ';
        out += std::to_string(value);
    }
    return out;
}

// One observation, and whether (or why not) the collector read the file.
struct Collected {
    Observation obs;
    bool read = false;
    std::string not_read;
};

std::string observation_record(const std::string& path, const Collected& c) {
    const Observation& obs = c.obs;
    std::string line = "o " + escape(path);
    if (!obs.found) {
        return line + (obs.failure == FileStatus::missing ? " m" : " u " + escape(obs.reason));
    }
    line += " f" + stat_fields(obs.st);
    if (obs.through_symlink) {
        line += " S";
    }
    if (obs.mount_point) {
        line += " M";
    }
    if (obs.other_xattrs) {
        line += " O";
    }
    if (c.read) {
        line += " R";
    }
    if (!c.not_read.empty()) {
        line += " N=" + escape(c.not_read);
    }
    if (obs.sha256) {
        line += " h=" + to_hex(*obs.sha256);
    }
    if (obs.md5) {
        line += " 5=" + to_hex(*obs.md5);
    }
    if (S_ISLNK(obs.st.st_mode) && obs.hash_error.empty()) {
        line += " l=" + escape(obs.link);
    }
    for (const std::string& name : obs.xattrs) {
        line += " x=" + escape(name);
    }
    if (!obs.capability.empty()) {
        line += " c=" + hex_of(obs.capability);
    }
    if (!obs.hash_error.empty()) {
        line += " e=" + escape(obs.hash_error);
    }
    if (obs.bytes_read != 0) {
        line += " b=" + std::to_string(obs.bytes_read);
    }
    return line;
}

void write_member(StreamWriter& out, const std::string& name, const RecordedMember& rec) {
    const std::string head = "i " + escape(name);
    switch (rec.kind) {
    case RecordedMember::Kind::unopenable:
        out.line(head + " u " + escape(rec.error));
        return;
    case RecordedMember::Kind::other:
        out.line(head + " o" + stat_fields(rec.st));
        return;
    case RecordedMember::Kind::regular:
        break;
    }
    std::string line = head + " r" + stat_fields(rec.st);
    if (rec.acl) {
        line += " A";
    }
    if (!rec.read_error.empty()) {
        line += " e=" + escape(rec.read_error);
    }
    if (rec.bytes_read != 0) {
        line += " n=" + std::to_string(rec.bytes_read);
    }
    if (rec.content) {
        out.blob(line + " c=", *rec.content);
    } else {
        out.line(line);
    }
}

// Reads a file of the root for the copy: nullopt when there is none (or, with `optional_type`,
// when it is no regular file, which its reader skips too). Errors as the readers give them.
std::optional<std::string> read_node(const RootDir& dir, const std::string& path, std::size_t limit,
                                     Symlinks symlinks = Symlinks::refuse,
                                     bool optional_type = false) {
    OpenResult file = dir.open_regular(path, symlinks);
    if (!file.ok()) {
        if (file.error == ENOENT || (optional_type && file.error == EINVAL)) {
            return std::nullopt;
        }
        throw IoError(dir.display(path), file.error == EINVAL ? "cannot open: not a regular file"
                                                              : std::string("cannot open: ") +
                                                                    std::strerror(file.error));
    }
    return read_small_file(file.fd.get(), dir.display(path), limit);
}

std::vector<std::string> directory_names(const RootDir& dir, const std::string& path) {
    std::vector<DirEntry> entries;
    std::vector<std::string> names;
    if (list_directory(dir, path, entries).empty()) {
        for (DirEntry& entry : entries) {
            names.push_back(std::move(entry.name));
        }
    }
    return names;
}

bool under(const std::string& path, const std::string& dir) {
    return dir == "/" || path == dir || (path.starts_with(dir) && path[dir.size()] == '/');
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

} // namespace

bool is_collect_nonce(std::string_view text) {
    return !text.empty() && text.size() <= 256 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               std::string_view("._:+/=-").find(c) != std::string_view::npos;
    });
}

CollectSummary collect_system(const CollectOptions& options, int fd) {
    if (options.nonce && !is_collect_nonce(*options.nonce)) {
        throw Error("nonce", "not 1 to 256 of A-Z a-z 0-9 . _ : + / = -");
    }
    if (options.signer) {
        // A key that cannot sign fails now, before anything is written.
        make_detached_signature(*options.signer, k_collected_format);
    }
    const RootDir root = RootDir::open(options.root);
    const RootDir admindir = RootDir::open_inside(root, "/var/lib/dpkg");
    // What a verification would refuse, the collector refuses alike.
    const DpkgDatabase db = DpkgDatabase::load(admindir);
    const RootAccounts accounts = RootAccounts::load(root);
    const LayoutAliases merged = LayoutAliases::detect(root);
    const bool live = !scans_unowned_by_default(options.root);
    const unsigned jobs = options.jobs == 0 ? default_jobs() : options.jobs;

    StreamWriter out(fd);
    CollectSummary summary;
    out.put(k_collected_format);
    out.put("\n");
    // The root as the verifier names it: absolute (a relative one, from where this runs).
    std::string root_name = std::filesystem::absolute(options.root).lexically_normal().string();
    while (root_name.size() > 1 && root_name.back() == '/') {
        root_name.pop_back();
    }
    std::string head = "h root=" + escape(root_name) + " live=" + (live ? "1" : "0") +
                       " time=" + std::to_string(std::time(nullptr));
    if (options.nonce) {
        head += " nonce=" + escape(*options.nonce);
    }
    if (options.unowned_dirs) {
        head += " unowned=";
        for (std::size_t i = 0; i < options.unowned_dirs->size(); ++i) {
            head += (i == 0 ? "" : ",") + list_item((*options.unowned_dirs)[i]);
        }
    }
    out.line(head);

    // The files read for their content.
    auto node = [&](const std::string& path, const std::optional<std::string>& text) {
        if (text) {
            out.blob("n " + escape(path) + " f", *text);
        }
    };
    for (const char* name : {"status", "diversions", "statoverride"}) {
        node(std::string("/var/lib/dpkg/") + name, read_node(admindir, name, k_max_node));
    }
    for (const char* path : {"/etc/passwd", "/etc/group"}) {
        node(path, read_node(root, path, k_max_accounts, Symlinks::in_root));
    }
    for (const std::string& alias : merged.aliases()) {
        OpenResult link = root.open_at(alias, O_PATH | O_NOFOLLOW);
        std::array<char, 256> target{};
        const ssize_t n =
            link.ok() ? ::readlinkat(link.fd.get(), "", target.data(), target.size()) : -1;
        if (n > 0 && static_cast<std::size_t>(n) < target.size()) {
            out.line("a " + escape(alias) + " " +
                     escape(std::string_view(target.data(), static_cast<std::size_t>(n))));
        }
    }
    // tmpfiles.d: the package's files, and whether /etc or /run override them.
    std::vector<DirEntry> entries;
    if (list_directory(root, "/usr/lib/tmpfiles.d", entries).empty()) {
        for (const DirEntry& entry : entries) {
            if (S_ISREG(entry.mode()) && entry.name.ends_with(".conf") &&
                static_cast<std::uint64_t>(entry.st.st_size) <= k_max_tmpfiles) {
                try {
                    node("/usr/lib/tmpfiles.d/" + entry.name,
                         read_node(root, "/usr/lib/tmpfiles.d/" + entry.name, k_max_tmpfiles,
                                   Symlinks::refuse, true));
                } catch (const Error&) {
                    // unread by verification too: the file's own check reports it
                }
            }
        }
    }
    for (const std::string dir : {"/etc/tmpfiles.d", "/run/tmpfiles.d"}) {
        OpenResult at = root.open_at(dir, O_PATH | O_NOFOLLOW);
        struct stat st {};
        if (!at.ok() && at.error == ENOENT) {
            continue;
        }
        if (!at.ok() || ::fstat(at.fd.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            out.line("n " + escape(dir) + " x");
            continue;
        }
        for (const std::string& name : directory_names(root, dir)) {
            out.line("n " + escape(dir + "/" + name) + " x");
        }
    }
    if (options.unowned_dirs) {
        node("/var/lib/ucf/registry",
             read_node(root, "/var/lib/ucf/registry", k_max_ucf, Symlinks::refuse, true));
        entries.clear();
        if (list_directory(admindir, "alternatives", entries).empty()) {
            for (const DirEntry& entry : entries) {
                node("/var/lib/dpkg/alternatives/" + entry.name,
                     read_node(admindir, "alternatives/" + entry.name, k_max_alternative,
                               Symlinks::refuse, true));
            }
        }
    }

    // ADMINDIR/info, every name with its stat and content, read on every CPU.
    const RootDir info = RootDir::open_inside(admindir, "info");
    std::vector<std::string> names;
    std::uint64_t name_bytes = 0;
    for_each_name(info, [&](std::string_view name) {
        name_bytes += name.size();
        if (names.size() >= k_max_info_names || name_bytes > k_max_info_name_bytes) {
            throw IoError(info.name(),
                          "more than " + std::to_string(k_max_info_names) + " names: refused");
        }
        names.emplace_back(name);
        return true;
    });
    std::sort(names.begin(), names.end());
    std::vector<std::string> paths;
    {
        std::vector<std::size_t> schedule(names.size());
        std::iota(schedule.begin(), schedule.end(), 0);
        run_ordered<std::optional<RecordedMember>>(
            names.size(), jobs, schedule,
            [&](std::size_t index) { return record_member(info, names[index]); },
            [&](std::size_t index, std::optional<RecordedMember>& rec) {
                if (!rec) {
                    return; // gone since the listing
                }
                write_member(out, names[index], *rec);
                ++summary.info_members;
                if (names[index].ends_with(".list") && rec->content) {
                    for (const std::string_view line : split_lines(*rec->content)) {
                        if (!line.empty() && line.front() == '/') {
                            const std::string path(line == "/." ? std::string_view("/") : line);
                            if (merged.is_alias(path)) {
                                paths.push_back(path);
                            }
                            paths.push_back(merged.resolve(path));
                        }
                    }
                    if (paths.size() > k_max_collected_paths) {
                        throw IoError(info.name(), "the file lists name more than " +
                                                       std::to_string(k_max_collected_paths) +
                                                       " paths: refused");
                    }
                }
            },
            1, 64);
    }
    for (const InstalledPackage& pkg : db.packages()) {
        for (const Conffile& conffile : pkg.conffiles) {
            paths.push_back(merged.resolve(conffile.path));
        }
    }
    for (const Diversion& diversion : db.diversions()) {
        paths.push_back(merged.resolve(diversion.from));
        paths.push_back(merged.resolve(diversion.to));
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    // (What is not absolute is no path of the root: a verification refuses or never looks.)
    std::erase_if(paths, [](const std::string& path) {
        return path.empty() || path.front() != '/' || path.size() > 16384;
    });

    // One observation per path, read as verification reads it.
    const CheckContext context{root, accounts, k_no_ignore, nullptr, live, nullptr, nullptr};
    std::unordered_set<std::string> observed;
    std::vector<std::string> directories; // to list
    // A name a directory listing gives that its observation does not find (unreadable, or
    // gone meanwhile) is still one of the directory's names ("c" records, with the lstat mode
    // the listing saw): the paths observed without being found, and the modes of the names
    // listed before they are observed.
    std::unordered_set<std::string> unfound;
    std::unordered_map<std::string, mode_t> listed_modes;
    auto observe_all = [&](const std::vector<std::string>& which, bool listed,
                           const std::function<bool(const std::string&)>& hash_unlisted) {
        std::vector<std::size_t> schedule(which.size());
        std::iota(schedule.begin(), schedule.end(), 0);
        run_ordered<Collected>(
            which.size(), jobs, schedule,
            [&](std::size_t index) {
                const std::string& path = which[index];
                Collected c;
                const bool hash = listed || hash_unlisted(path);
                c.obs = observe(
                    context, path,
                    [&](const struct stat& st) {
                        if (!hash) {
                            c.not_read = "no dpkg file list names it";
                        } else if (!listed &&
                                   static_cast<std::uint64_t>(st.st_size) > k_max_unowned_hash) {
                            c.not_read =
                                "larger than " + std::to_string(k_max_unowned_hash) + " bytes";
                        } else if (listed) {
                            c.not_read = not_worth_reading(st);
                        }
                        c.read = c.not_read.empty();
                        return c.read;
                    },
                    listed && options.md5 ? Digest::sha256_and_md5 : Digest::sha256,
                    listed && live && !path.starts_with("/dev/"));
                return c;
            },
            [&](std::size_t index, Collected& c) {
                const std::string& path = which[index];
                if (!c.read && c.obs.found && S_ISREG(c.obs.st.st_mode)) {
                    // Why a regular file was not read is the verifier's to say, not the
                    // collector's policy.
                    c.obs.hash_error.clear();
                }
                out.line(observation_record(path, c));
                summary.bytes_hashed += c.obs.bytes_read;
                ++summary.paths;
                if (!c.obs.found) {
                    const auto mode = listed_modes.find(path);
                    if (mode != listed_modes.end()) {
                        out.line("c " + escape(path) + " " + std::to_string(mode->second));
                    } else {
                        unfound.insert(path);
                    }
                }
                if (c.obs.found && !c.obs.through_symlink && S_ISDIR(c.obs.st.st_mode)) {
                    directories.push_back(path);
                }
            },
            32, 8192);
    };
    observe_all(paths, true, {});
    observed.insert(paths.begin(), paths.end());
    paths.clear();
    paths.shrink_to_fit();

    // The directories: every one a file list names, for what no list names in them (a file an
    // edited list left out is still observed, without its content), and with --unowned every
    // one under the walked directories, whose files are read as the scan reads them.
    std::vector<std::string> walked;
    if (options.unowned_dirs) {
        for (const std::string& dir : *options.unowned_dirs) {
            if (merged.is_alias(dir)) {
                continue;
            }
            std::string start = merged.resolve(dir);
            while (start.size() > 1 && start.back() == '/') {
                start.pop_back();
            }
            walked.push_back(start);
        }
        walked.push_back("/etc/alternatives");
    }
    auto in_walk = [&](const std::string& path) {
        return std::any_of(walked.begin(), walked.end(),
                           [&](const std::string& dir) { return under(path, dir); });
    };
    std::vector<std::string> tops;
    for (const std::string& dir : walked) {
        if (!observed.contains(dir)) {
            tops.push_back(dir);
            observed.insert(dir);
        }
    }
    observe_all(tops, false, [](const std::string&) { return false; });
    std::unordered_set<std::string> listed_dirs;
    std::vector<std::string> extra;
    while (!directories.empty()) {
        const std::string dir = std::move(directories.back());
        directories.pop_back();
        if (!listed_dirs.insert(dir).second) {
            continue;
        }
        entries.clear();
        const std::string error = list_directory(root, dir, entries);
        out.line("d " + escape(dir) + (error.empty() ? "" : " e=" + escape(error)));
        const bool walking = in_walk(dir) && dir != "/etc/alternatives/..";
        for (const DirEntry& entry : entries) {
            const std::string child = (dir == "/" ? "" : dir) + "/" + entry.name;
            if (observed.insert(child).second) {
                extra.push_back(child);
                listed_modes.emplace(child, entry.mode());
            } else if (unfound.erase(child) != 0) {
                out.line("c " + escape(child) + " " + std::to_string(entry.mode()));
            }
            if (walking && S_ISDIR(entry.mode()) && in_walk(child)) {
                directories.push_back(child);
            }
        }
        if (extra.size() >= 4096 || directories.empty()) {
            std::sort(extra.begin(), extra.end());
            const std::size_t before = directories.size();
            observe_all(extra, false, in_walk);
            listed_modes.clear();
            // Directories reached only now are listed when walked (the others were queued).
            directories.erase(
                std::remove_if(directories.begin() + static_cast<std::ptrdiff_t>(before),
                               directories.end(),
                               [&](const std::string& d) { return !in_walk(d); }),
                directories.end());
            extra.clear();
        }
    }

    const std::string end = out.finish();
    out.raw(end);
    if (options.signer) {
        const std::string signature = make_detached_signature(*options.signer, end);
        out.raw(std::string("s ") +
                (options.signer->kind == DetachedSigner::Kind::openpgp ? "openpgp" : "ed25519") +
                " " + std::to_string(signature.size()) + "\n" + signature + "\n");
    }
    summary.bytes_written = out.written();
    return summary;
}

// ---------------------------------------------------------------------------------------------
// Reading

namespace {

struct Recorded {
    Observation obs;
    bool read = false;
    std::string not_read;
};

struct DirRecord {
    std::string error;
    std::vector<std::string> children; // sorted
};

class CollectedObserver : public Observer {
public:
    std::unordered_map<std::string, Recorded> records;
    std::unordered_map<std::string, DirRecord> dirs;
    // Names listed that their observation did not find, with the mode the listing saw.
    std::unordered_map<std::string, mode_t> unfound_modes;

    bool complete() const override { return true; }

    Observation observe(const CheckContext& context, const std::string& path,
                        const HashPolicy& worth_hashing, Digest digest) const override {
        const auto it = records.find(path);
        if (it == records.end()) {
            return derived(path);
        }
        const Recorded& rec = it->second;
        Observation obs = rec.obs;
        if (!obs.found) {
            return obs;
        }
        // The verifying host's --ignore-xattr: ignored names count among the others.
        const auto ignored =
            std::remove_if(obs.xattrs.begin(), obs.xattrs.end(), [&](const std::string& name) {
                return !is_reportable_xattr(name, context.ignore_xattrs);
            });
        if (ignored != obs.xattrs.end()) {
            obs.other_xattrs = true;
            obs.xattrs.erase(ignored, obs.xattrs.end());
        }
        if (std::find(obs.xattrs.begin(), obs.xattrs.end(), "security.capability") ==
            obs.xattrs.end()) {
            obs.capability.clear();
        }
        if (!S_ISREG(obs.st.st_mode)) {
            return obs;
        }
        auto unread = [&](std::string why) {
            obs.sha256.reset();
            obs.md5.reset();
            obs.bytes_read = 0;
            obs.xattrs.clear();
            obs.other_xattrs = false;
            obs.capability.clear();
            obs.hash_error = std::move(why);
        };
        if (!worth_hashing(obs.st)) {
            unread("not read: its size differs from the reference");
        } else if (!rec.read) {
            unread("not read by the collector: " +
                   (rec.not_read.empty() ? std::string("no reason given") : rec.not_read));
        } else if (obs.hash_error.empty()) {
            const bool sha = digest != Digest::md5;
            const bool md5 = digest != Digest::sha256;
            if ((sha && !obs.sha256) || (md5 && !obs.md5)) {
                unread(md5 && !obs.md5 ? "no MD5 collected (pkgdesc-verify --collect --no-md5)"
                                       : "not hashed by the collector");
            } else {
                if (!sha) {
                    obs.sha256.reset();
                }
                if (!md5) {
                    obs.md5.reset();
                }
            }
        }
        return obs;
    }

    bool same_file(const CheckContext& context, const Observation& observation,
                   const std::string& other) const override {
        const Observation obs = observe(
            context, other, [](const struct stat&) { return false; }, Digest::sha256);
        // As on a root: the other name is looked up without a symlink in its path unless
        // the file observed was reached through one itself.
        return obs.found && (!obs.through_symlink || observation.through_symlink) &&
               obs.st.st_ino == observation.st.st_ino && obs.st.st_dev == observation.st.st_dev;
    }

    std::string list_directory(const CheckContext&, const std::string& path,
                               std::vector<DirEntry>& entries) const override {
        const auto it = dirs.find(path);
        if (it == dirs.end()) {
            return "cannot open directory: not listed by the collector";
        }
        for (const std::string& name : it->second.children) {
            DirEntry entry{name, {}};
            const std::string full = (path == "/" ? "" : path) + "/" + name;
            const auto child = records.find(full);
            if (child != records.end() && child->second.obs.found) {
                entry.st = child->second.obs.st;
            } else if (const auto mode = unfound_modes.find(full); mode != unfound_modes.end()) {
                entry.st.st_mode = mode->second;
            }
            entries.push_back(std::move(entry));
        }
        return it->second.error;
    }

private:
    // A path the collector did not observe: missing when a directory above it was listed whole
    // without it, or is something else than a directory; otherwise not known.
    Observation derived(const std::string& path) const {
        Observation obs;
        obs.failure = FileStatus::unverifiable;
        obs.reason = "not observed by the collector";
        std::string child = path;
        for (std::string at = parent_of(path);; at = parent_of(at)) {
            const auto it = records.find(at);
            if (it != records.end()) {
                const Observation& above = it->second.obs;
                if (!above.found) {
                    if (above.failure == FileStatus::missing) {
                        obs.failure = FileStatus::missing;
                        obs.reason.clear();
                    }
                } else if (!above.through_symlink && !S_ISDIR(above.st.st_mode) &&
                           !S_ISLNK(above.st.st_mode)) {
                    obs.failure = FileStatus::missing; // ENOTDIR
                    obs.reason.clear();
                } else if (S_ISDIR(above.st.st_mode) && !above.through_symlink) {
                    const auto dir = dirs.find(at);
                    if (dir != dirs.end() && dir->second.error.empty() &&
                        !std::binary_search(dir->second.children.begin(),
                                            dir->second.children.end(),
                                            child.substr(at == "/" ? 1 : at.size() + 1))) {
                        obs.failure = FileStatus::missing;
                        obs.reason.clear();
                    }
                }
                return obs;
            }
            if (at == "/") {
                return obs;
            }
            child = at;
        }
    }
};

class StreamReader {
public:
    // With `tee`, every byte read is written there too (`tee_shown` names it).
    StreamReader(int fd, std::string shown, int tee = -1, std::string tee_shown = {})
        : m_fd(fd), m_shown(std::move(shown)), m_tee(tee), m_tee_shown(std::move(tee_shown)) {}

    // The next line without its newline; nullopt at the end of the input. The view is valid
    // until the next call of line(), bytes() or skip().
    std::optional<std::string_view> line() {
        for (;;) {
            const std::size_t newline = m_buffer.find('\n', m_pos);
            if (newline != std::string::npos) {
                if (newline - m_pos > k_max_line) {
                    fail("a line longer than " + std::to_string(k_max_line) + " bytes");
                }
                const std::string_view text(m_buffer.data() + m_pos, newline - m_pos);
                take(newline + 1 - m_pos);
                return text;
            }
            if (m_buffer.size() - m_pos > k_max_line) {
                fail("a line longer than " + std::to_string(k_max_line) + " bytes");
            }
            if (!fill()) {
                if (m_pos != m_buffer.size()) {
                    fail("truncated: its last line has no newline");
                }
                return std::nullopt;
            }
        }
    }

    // `size` bytes and the newline after them.
    std::string bytes(std::uint64_t size) {
        while (m_buffer.size() - m_pos < size + 1) {
            if (!fill()) {
                fail("truncated in the middle of a record");
            }
        }
        std::string out = m_buffer.substr(m_pos, size);
        if (m_buffer[m_pos + size] != '\n') {
            fail("a record longer than it says");
        }
        take(size + 1);
        return out;
    }

    // Passes over `size` bytes and the newline after them, holding little of them at a time.
    void skip(std::uint64_t size) {
        while (size > 0) {
            if (m_pos == m_buffer.size() && !fill()) {
                fail("truncated in the middle of a record");
            }
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(size, m_buffer.size() - m_pos));
            take(n);
            size -= n;
        }
        if (m_pos == m_buffer.size() && !fill()) {
            fail("truncated in the middle of a record");
        }
        if (m_buffer[m_pos] != '\n') {
            fail("a record longer than it says");
        }
        take(1);
    }

    // The SHA-256 of the bytes taken so far but the last `unhashed` (the end record's line).
    Sha256Digest digest_before(std::size_t unhashed) {
        m_sha.update(m_buffer.data() + m_hashed, m_pos - unhashed - m_hashed);
        m_hashed = m_pos;
        m_finished = true;
        return m_sha.finish();
    }

    bool at_end() { return m_pos == m_buffer.size() && !fill(); }

    [[noreturn]] void fail(const std::string& reason) const {
        throw IoError(m_shown, "not a collected system: " + reason + " (record " +
                                   std::to_string(m_record) + ")");
    }
    void next_record() { ++m_record; }
    std::size_t record() const { return m_record; }
    const std::string& shown() const { return m_shown; }

private:
    void take(std::size_t n) { m_pos += n; }

    bool fill() {
        if (m_pos > (4u << 20)) {
            if (!m_finished) {
                m_sha.update(m_buffer.data() + m_hashed, m_pos - m_hashed);
            }
            m_buffer.erase(0, m_pos);
            m_pos = 0;
            m_hashed = 0;
        }
        char chunk[1 << 16];
        for (;;) {
            const ssize_t n = ::read(m_fd, chunk, sizeof chunk);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw IoError::from_errno(m_shown, "cannot read", errno);
            }
            if (n == 0) {
                return false;
            }
            m_total += static_cast<std::uint64_t>(n);
            if (m_total > k_max_collected_stream) {
                fail("larger than " + std::to_string(k_max_collected_stream) + " bytes");
            }
            if (m_tee >= 0) {
                write_all(m_tee, std::string_view(chunk, static_cast<std::size_t>(n)), m_tee_shown);
            }
            m_buffer.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
    }

    int m_fd;
    std::string m_shown;
    int m_tee;
    std::string m_tee_shown;
    std::string m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_hashed = 0; // m_buffer[0, m_hashed) is in m_sha
    Sha256 m_sha;
    bool m_finished = false;
    std::uint64_t m_total = 0;
    std::size_t m_record = 0;
};

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t space = line.find(' ', start);
        out.push_back(line.substr(start, space - start));
        if (space == std::string_view::npos) {
            return out;
        }
        start = space + 1;
    }
}

// The first line, which must be the format's.
void read_format_line(StreamReader& in) {
    const std::optional<std::string_view> line = in.line();
    if (!line || *line != k_collected_format) {
        in.fail(std::string("it does not start with \"") + k_collected_format + "\"");
    }
}

// The next record's line, `records` counting them; nullopt at the end record, whose line (and
// its newline) `end_line` becomes.
std::optional<std::string_view> record_line(StreamReader& in, std::size_t& records,
                                            std::string& end_line) {
    const std::optional<std::string_view> line = in.line();
    in.next_record();
    if (!line) {
        in.fail("truncated: it has no end record");
    }
    if (line->starts_with("e ")) {
        end_line = std::string(*line) + "\n";
        return std::nullopt;
    }
    if (++records > k_max_collected_records) {
        in.fail("more than " + std::to_string(k_max_collected_records) + " records");
    }
    return line;
}

struct Parser {
    StreamReader& in;

    std::uint64_t number(std::string_view text, std::uint64_t max = UINT64_MAX) const {
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > max) {
            in.fail("'" + std::string(text.substr(0, 40)) + "' is not a number it can be");
        }
        return value;
    }
    std::string text(std::string_view escaped) const {
        std::optional<std::string> out = unescape(escaped);
        if (!out) {
            in.fail("a malformed escaped value");
        }
        return std::move(*out);
    }
    // A name or path: never with a NUL, which no file name has.
    std::string name(std::string_view escaped) const {
        std::string out = text(escaped);
        if (out.find('\0') != std::string::npos) {
            in.fail("a name with a NUL byte");
        }
        return out;
    }
    std::string path(std::string_view escaped) const {
        std::string out = name(escaped);
        if (out.empty() || out.front() != '/') {
            in.fail("a path that is not absolute");
        }
        if (out.size() > 16384) {
            in.fail("a path longer than 16384 bytes");
        }
        return out;
    }
    // The 13 numbers of a stat, from fields[at].
    struct stat stat_of(const std::vector<std::string_view>& fields, std::size_t at) const {
        if (fields.size() < at + 13) {
            in.fail("a record with too few fields");
        }
        struct stat st {};
        st.st_mode = static_cast<mode_t>(number(fields[at], 0xFFFFFFFF));
        st.st_uid = static_cast<uid_t>(number(fields[at + 1], 0xFFFFFFFF));
        st.st_gid = static_cast<gid_t>(number(fields[at + 2], 0xFFFFFFFF));
        st.st_size = static_cast<off_t>(number(fields[at + 3], INT64_MAX));
        st.st_nlink = static_cast<nlink_t>(number(fields[at + 4], 0xFFFFFFFF));
        st.st_dev = static_cast<dev_t>(number(fields[at + 5]));
        st.st_ino = static_cast<ino_t>(number(fields[at + 6]));
        st.st_rdev = static_cast<dev_t>(number(fields[at + 7]));
        st.st_blocks = static_cast<blkcnt_t>(number(fields[at + 8], INT64_MAX));
        st.st_mtim.tv_sec = static_cast<time_t>(number(fields[at + 9], INT64_MAX));
        st.st_mtim.tv_nsec = static_cast<long>(number(fields[at + 10], 999'999'999));
        st.st_ctim.tv_sec = static_cast<time_t>(number(fields[at + 11], INT64_MAX));
        st.st_ctim.tv_nsec = static_cast<long>(number(fields[at + 12], 999'999'999));
        if ((st.st_mode & ~static_cast<mode_t>(S_IFMT | 07777)) != 0) {
            in.fail("a mode that is no file's");
        }
        return st;
    }
    std::string hex_bytes(std::string_view hex, std::size_t max) const {
        if (hex.size() % 2 != 0 || hex.size() > 2 * max) {
            in.fail("hexadecimal bytes of the wrong length");
        }
        std::string out;
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
            if (ec != std::errc() || end != hex.data() + i + 2) {
                in.fail("bytes that are not hexadecimal");
            }
            out.push_back(static_cast<char>(value));
        }
        return out;
    }
    template <typename Digest> Digest digest(std::string_view hex) const {
        const std::string raw = hex_bytes(hex, std::tuple_size_v<Digest>);
        Digest out{};
        if (raw.size() != out.size()) {
            in.fail("a digest of the wrong length");
        }
        std::copy(raw.begin(), raw.end(), out.begin());
        return out;
    }
};

// Where a file of the copy may be: what verification reads for content, nothing else.
bool copied_path(const std::string& path, bool placeholder) {
    auto one_name_under = [&](std::string_view dir) {
        if (!path.starts_with(dir)) {
            return false;
        }
        const std::string_view name = std::string_view(path).substr(dir.size());
        return !name.empty() && name != "." && name != ".." &&
               name.find('/') == std::string_view::npos;
    };
    if (placeholder) {
        return path == "/etc/tmpfiles.d" || path == "/run/tmpfiles.d" ||
               one_name_under("/etc/tmpfiles.d/") || one_name_under("/run/tmpfiles.d/");
    }
    return path == "/var/lib/dpkg/status" || path == "/var/lib/dpkg/diversions" ||
           path == "/var/lib/dpkg/statoverride" || path == "/etc/passwd" || path == "/etc/group" ||
           path == "/var/lib/ucf/registry" || one_name_under("/var/lib/dpkg/alternatives/") ||
           one_name_under("/usr/lib/tmpfiles.d/");
}

bool member_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.size() <= 0xFFFF &&
           name.find('/') == std::string_view::npos;
}

// Creates the directories of `path` under `dir` (mode 0700) and opens its parent.
UniqueFd parent_dir(int dir, const std::string& path, std::string& name) {
    UniqueFd at(::dup(dir));
    std::size_t start = 1;
    for (;;) {
        const std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) {
            name = path.substr(start);
            return at;
        }
        const std::string part = path.substr(start, slash - start);
        if (::mkdirat(at.get(), part.c_str(), 0700) != 0 && errno != EEXIST) {
            throw IoError::from_errno(path, "cannot create the copy's directory", errno);
        }
        UniqueFd next(
            ::openat(at.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) {
            throw IoError::from_errno(path, "cannot open the copy's directory", errno);
        }
        at = std::move(next);
        start = slash + 1;
    }
}

void write_copy(int dir, const std::string& path, const std::string* content) {
    std::string name;
    const UniqueFd parent = parent_dir(dir, path, name);
    UniqueFd file(::openat(parent.get(), name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file.valid()) {
        throw IoError::from_errno(path, "cannot create in the copy", errno);
    }
    if (content != nullptr) {
        write_all(file.get(), *content, path, "cannot write in the copy");
    }
}

// The bytes that follow a record's line: the content of a file (n PATH f SIZE) or of an info
// member (i NAME ... c= SIZE).
std::optional<std::uint64_t> payload_of(const std::vector<std::string_view>& f, const Parser& p) {
    if (f[0] == "n" && f.size() == 4 && f[2] == "f") {
        return p.number(f[3], k_max_node);
    }
    if (f[0] == "i" && f.size() >= 4 && f[f.size() - 2] == "c=") {
        return p.number(f.back(), k_max_control_member_size);
    }
    return std::nullopt;
}

// What follows the end record's line (`end_line`, with its newline): the signature, if any, and
// nothing more; the end record checked against the `records` and the bytes before it. With
// `keys`, the signature must be one of theirs, proven before the end record is trusted: returns
// its signer.
std::string finish_stream(StreamReader& in, const Parser& p, const std::string& end_line,
                          std::size_t records, const DetachedVerifier* verifier) {
    const Sha256Digest digest = in.digest_before(end_line.size());
    const std::vector<std::string_view> end =
        split_fields(std::string_view(end_line).substr(0, end_line.size() - 1));
    if (end.size() != 3) {
        in.fail("a malformed end record");
    }
    std::optional<std::string_view> sig_line = in.line();
    std::optional<std::pair<DetachedSigner::Kind, std::string>> signature;
    if (sig_line) {
        const std::vector<std::string_view> s = split_fields(*sig_line);
        if (s.size() != 3 || s[0] != "s" || (s[1] != "openpgp" && s[1] != "ed25519")) {
            in.fail("data after its end record");
        }
        const DetachedSigner::Kind sig_kind =
            s[1] == "openpgp" ? DetachedSigner::Kind::openpgp : DetachedSigner::Kind::ed25519;
        signature.emplace(sig_kind, in.bytes(p.number(s[2], k_max_signature)));
        if (!in.at_end()) {
            in.fail("data after its signature");
        }
    }
    const std::string& shown = in.shown();
    std::string signer;
    if (verifier != nullptr) {
        if (!signature) {
            throw TrustError(shown, "the collected system is not signed, and keys were given "
                                    "to prove its signature");
        }
        std::string refused;
        const std::optional<std::string> proven = verifier->verify(
            end_line, signature->second, signature->first, shown + " (signature)", refused);
        if (!proven) {
            throw TrustError(shown, "the collected system's signature is not proven: " + refused);
        }
        signer = *proven;
    }
    if (p.number(end[1]) != records || end[2] != to_hex(digest)) {
        if (verifier != nullptr) {
            throw TrustError(shown, "edited since it was signed: its content is not the one its "
                                    "signed end record describes");
        }
        throw IoError(shown, "not a collected system: its content is not the one its end record "
                             "describes (edited, or damaged in transit)");
    }
    return signer;
}

// An unnamed file of the temporary directory that only this process can reach (on a tmpfs, it
// is memory).
UniqueFd open_spool(std::string& shown) {
    const std::string dir = temp_dir();
    shown = dir + " (the private copy of the stream)";
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid() && (errno == EOPNOTSUPP || errno == EISDIR)) {
        std::string templ = dir + "/pkgdesc-stream.XXXXXX";
        fd = UniqueFd(::mkostemp(templ.data(), O_CLOEXEC));
        if (fd.valid()) {
            ::unlink(templ.c_str());
        }
    }
    if (!fd.valid()) {
        throw IoError::from_errno(dir, "cannot create a private file", errno);
    }
    return fd;
}

// The first pass over a stream when keys are given: every record framed (never parsed, little
// held in memory), the stream copied to `spool` unless it is -1, its end record and signature
// proven. Returns the signer and the signed end line.
std::pair<std::string, std::string> authenticate(int fd, const std::string& shown, int spool,
                                                 const std::string& spool_shown,
                                                 const DetachedVerifier& verifier) {
    StreamReader in(fd, shown, spool, spool_shown);
    const Parser p{in};
    read_format_line(in);
    std::size_t records = 0;
    std::string end_line;
    while (const std::optional<std::string_view> line = record_line(in, records, end_line)) {
        if (const std::optional<std::uint64_t> size = payload_of(split_fields(*line), p)) {
            in.skip(*size);
        }
    }
    std::string signer = finish_stream(in, p, end_line, records, &verifier);
    return {std::move(signer), std::move(end_line)};
}

// A stream older than the verifier allows, from its future, or collected for another request.
void check_demands(const std::string& shown, std::int64_t collected_at,
                   const std::optional<std::string>& nonce, const CollectedDemands& demands) {
    if (demands.nonce && nonce != demands.nonce) {
        throw TrustError(shown, nonce ? "collected for another request: its nonce is not the "
                                        "one asked for"
                                      : "collected without a nonce, and one is asked for");
    }
    if (demands.max_age) {
        // The clock now, when the whole stream is in: a stream held back on its way is older.
        const std::int64_t age = static_cast<std::int64_t>(std::time(nullptr)) - collected_at;
        if (age > *demands.max_age) {
            throw TrustError(shown, "collected at " + utc_text(collected_at) + ", " +
                                        std::to_string(age) + " seconds ago: older than the " +
                                        std::to_string(*demands.max_age) + " seconds allowed");
        }
        if (-age > k_collected_clock_skew) {
            throw TrustError(shown, "collected at " + utc_text(collected_at) + ", " +
                                        std::to_string(-age) +
                                        " seconds after this host's clock says it is now");
        }
    }
}

// A file of the private copy: its path and content (nullopt: a placeholder).
struct CollectedCopy {
    std::string path;
    std::optional<std::string> content;
};

} // namespace

struct CollectedSystem::Impl {
    std::string dir; // the copy
    std::string root;
    bool live = false;
    std::optional<std::vector<std::string>> unowned_dirs;
    std::string signer;
    std::int64_t collected_at = 0;
    std::optional<std::string> nonce;
    std::vector<CollectedCopy> copies; // until make_copy()
    std::vector<std::pair<std::string, std::string>> aliases;
    std::vector<std::string> made;
    CollectedObserver observer;
    std::shared_ptr<RecordedInfo> info = std::make_shared<RecordedInfo>();

    ~Impl() {
        if (!dir.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    }
};

CollectedSystem::CollectedSystem(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CollectedSystem::CollectedSystem(CollectedSystem&&) noexcept = default;
CollectedSystem& CollectedSystem::operator=(CollectedSystem&&) noexcept = default;
CollectedSystem::~CollectedSystem() = default;

const std::string& CollectedSystem::root() const {
    return m_impl->root;
}
bool CollectedSystem::live() const {
    return m_impl->live;
}
const std::optional<std::vector<std::string>>& CollectedSystem::unowned_dirs() const {
    return m_impl->unowned_dirs;
}
const std::string& CollectedSystem::signer() const {
    return m_impl->signer;
}
std::int64_t CollectedSystem::collected_at() const {
    return m_impl->collected_at;
}
const std::vector<std::string>& CollectedSystem::copy_paths() const {
    return m_impl->made;
}
std::size_t CollectedSystem::paths() const {
    return m_impl->observer.records.size();
}

void CollectedSystem::apply(VerifyOptions& options) {
    make_copy();
    options.root = m_impl->dir;
    options.root_shown = m_impl->root;
    options.admindir.reset();
    options.observer = &m_impl->observer;
    options.recorded_info = m_impl->info;
}

CollectedSystem CollectedSystem::read(int fd, const std::string& shown,
                                      const CollectedDemands& demands) {
    // With keys, nothing is parsed before the signature is proven: a first pass copies the
    // stream to a private file, and the second reads that copy.
    // A regular file is read twice instead (a stream the verifying host holds).
    std::string signer;
    std::string signed_end;
    UniqueFd spool;
    if (demands.keys != nullptr) {
        const DetachedVerifier verifier(*demands.keys); // a key that cannot be read: at once
        struct stat st {};
        const bool file =
            ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::lseek(fd, 0, SEEK_CUR) == 0;
        std::string spool_shown = shown;
        if (!file) {
            spool = open_spool(spool_shown);
        }
        std::tie(signer, signed_end) =
            authenticate(fd, shown, file ? -1 : spool.get(), spool_shown, verifier);
        if (!file) {
            fd = spool.get();
        }
        if (::lseek(fd, 0, SEEK_SET) != 0) {
            throw IoError::from_errno(spool_shown, "cannot seek", errno);
        }
    }
    StreamReader in(fd, shown);
    const Parser p{in};
    auto impl = std::make_unique<Impl>();
    CollectedObserver& observer = impl->observer;
    read_format_line(in);
    std::vector<CollectedCopy>& copies = impl->copies;
    std::vector<std::pair<std::string, std::string>>& aliases = impl->aliases;
    std::unordered_set<std::string> copied;
    std::uint64_t copied_bytes = 0;
    bool header = false;
    std::size_t records = 0;
    std::string end_line;
    std::string held; // a line whose payload is read: reading it may move the reader's buffer
    while (const std::optional<std::string_view> line = record_line(in, records, end_line)) {
        std::vector<std::string_view> f = split_fields(*line);
        if (f.size() < 2) {
            in.fail("a record with too few fields");
        }
        std::optional<std::string> payload;
        if (const std::optional<std::uint64_t> size = payload_of(f, p)) {
            copied_bytes += *size;
            if (copied_bytes > k_max_collected_content) {
                in.fail("more than " + std::to_string(k_max_collected_content) +
                        " bytes of file content");
            }
            held.assign(line->data(), line->size());
            f = split_fields(held);
            payload = in.bytes(*size);
        }
        const std::string_view kind = f[0];
        if (!header && kind != "h") {
            in.fail("its second line is not the header");
        }
        if (kind == "h") {
            if (header) {
                in.fail("a second header");
            }
            header = true;
            bool has_root = false;
            std::set<std::string_view> given;
            for (std::size_t i = 1; i < f.size(); ++i) {
                if (!given.insert(f[i].substr(0, f[i].find('='))).second) {
                    in.fail("a header field given twice");
                }
                if (f[i].starts_with("root=")) {
                    impl->root = p.path(f[i].substr(5));
                    has_root = true;
                } else if (f[i].starts_with("time=")) {
                    impl->collected_at =
                        static_cast<std::int64_t>(p.number(f[i].substr(5), INT64_MAX));
                } else if (f[i].starts_with("nonce=")) {
                    if (!is_collect_nonce(f[i].substr(6))) {
                        in.fail("a nonce that is not one");
                    }
                    impl->nonce = std::string(f[i].substr(6));
                } else if (f[i] == "live=1" || f[i] == "live=0") {
                    impl->live = f[i] == "live=1";
                } else if (f[i].starts_with("unowned=")) {
                    std::vector<std::string> dirs;
                    std::string_view list = f[i].substr(8);
                    while (!list.empty()) {
                        const std::size_t comma = std::min(list.find(','), list.size());
                        dirs.push_back(p.path(from_list_item(list.substr(0, comma))));
                        list.remove_prefix(std::min(comma + 1, list.size()));
                    }
                    impl->unowned_dirs = std::move(dirs);
                } else {
                    in.fail("an unknown field of the header");
                }
            }
            if (!given.contains("time")) {
                in.fail("a header without the time");
            }
            if (!has_root) {
                in.fail("a header without the root");
            }
        } else if (kind == "n") {
            if (f.size() < 3) {
                in.fail("a record with too few fields");
            }
            CollectedCopy copy{p.path(f[1]), std::nullopt};
            const bool placeholder = f[2] == "x";
            if (!copied_path(copy.path, placeholder) ||
                !(placeholder ? f.size() == 3 : f.size() == 4 && f[2] == "f")) {
                in.fail("a file verification does not read: " + escape(copy.path));
            }
            if (!placeholder) {
                copy.content = std::move(payload);
            }
            if (!copied.insert(copy.path).second) {
                in.fail("a file given twice: " + escape(copy.path));
            }
            copies.push_back(std::move(copy));
        } else if (kind == "a") {
            if (f.size() != 3) {
                in.fail("a record with too few fields");
            }
            std::string alias = p.path(f[1]);
            std::string target = p.text(f[2]);
            if (!LayoutAliases::is_standard(alias, target)) {
                in.fail("an alias that is not a standard one: " + escape(alias));
            }
            if (std::any_of(aliases.begin(), aliases.end(),
                            [&](const auto& given) { return given.first == alias; })) {
                in.fail("an alias given twice: " + escape(alias));
            }
            aliases.emplace_back(std::move(alias), std::move(target));
        } else if (kind == "i") {
            if (f.size() < 3) {
                in.fail("a record with too few fields");
            }
            const std::string name = p.name(f[1]);
            if (!member_name(name)) {
                in.fail("an info name that is not one: " + escape(name));
            }
            RecordedMember rec;
            if (f[2] == "u") {
                rec.kind = RecordedMember::Kind::unopenable;
                rec.error = f.size() == 4 ? p.text(f[3]) : std::string();
                if (rec.error.empty()) {
                    in.fail("an unopenable info member without a reason");
                }
            } else if (f[2] == "o" || f[2] == "r") {
                rec.kind =
                    f[2] == "o" ? RecordedMember::Kind::other : RecordedMember::Kind::regular;
                rec.st = p.stat_of(f, 3);
                for (std::size_t i = 16; i < f.size(); ++i) {
                    if (f[i] == "A") {
                        rec.acl = true;
                    } else if (f[i].starts_with("e=")) {
                        rec.read_error = p.text(f[i].substr(2));
                    } else if (f[i].starts_with("n=")) {
                        rec.bytes_read = p.number(f[i].substr(2));
                    } else if (f[i] == "c=" && i + 2 == f.size()) {
                        if (payload->size() != static_cast<std::uint64_t>(rec.st.st_size)) {
                            in.fail("an info member whose content is not its size");
                        }
                        rec.content = std::move(payload);
                        break;
                    } else {
                        in.fail("an unknown field of an info member");
                    }
                }
                if (rec.kind == RecordedMember::Kind::regular && !S_ISREG(rec.st.st_mode)) {
                    in.fail("a regular info member that is no regular file");
                }
                if (rec.kind == RecordedMember::Kind::other &&
                    (rec.content || rec.acl || rec.bytes_read != 0 || !rec.read_error.empty())) {
                    in.fail("an info member that is no regular file, with what only a regular "
                            "file has");
                }
            } else {
                in.fail("an unknown kind of info member");
            }
            if (!impl->info->emplace(name, std::move(rec)).second) {
                in.fail("an info name given twice: " + escape(name));
            }
        } else if (kind == "o") {
            const std::string path = p.path(f[1]);
            Recorded rec;
            if (f.size() < 3) {
                in.fail("a record with too few fields");
            }
            if (f[2] == "m" && f.size() == 3) {
                rec.obs.failure = FileStatus::missing;
            } else if (f[2] == "u" && f.size() == 4) {
                rec.obs.failure = FileStatus::unverifiable;
                rec.obs.reason = p.text(f[3]);
            } else if (f[2] == "f") {
                rec.obs.found = true;
                rec.obs.st = p.stat_of(f, 3);
                for (std::size_t i = 16; i < f.size(); ++i) {
                    const std::string_view t = f[i];
                    if (t == "S") {
                        rec.obs.through_symlink = true;
                    } else if (t == "M") {
                        rec.obs.mount_point = true;
                    } else if (t == "O") {
                        rec.obs.other_xattrs = true;
                    } else if (t == "R") {
                        rec.read = true;
                    } else if (t.starts_with("N=")) {
                        rec.not_read = p.text(t.substr(2));
                    } else if (t.starts_with("h=")) {
                        rec.obs.sha256 = p.digest<Sha256Digest>(t.substr(2));
                    } else if (t.starts_with("5=")) {
                        rec.obs.md5 = p.digest<Md5Digest>(t.substr(2));
                    } else if (t.starts_with("l=")) {
                        rec.obs.link = p.text(t.substr(2));
                    } else if (t.starts_with("x=")) {
                        rec.obs.xattrs.push_back(p.text(t.substr(2)));
                    } else if (t.starts_with("c=")) {
                        rec.obs.capability = p.hex_bytes(t.substr(2), 64);
                    } else if (t.starts_with("e=")) {
                        rec.obs.hash_error = p.text(t.substr(2));
                    } else if (t.starts_with("b=")) {
                        rec.obs.bytes_read = p.number(t.substr(2));
                    } else {
                        in.fail("an unknown field of an observation");
                    }
                }
                std::sort(rec.obs.xattrs.begin(), rec.obs.xattrs.end());
            } else {
                in.fail("an unknown kind of observation");
            }
            if (!observer.records.emplace(path, std::move(rec)).second) {
                in.fail("a path observed twice: " + escape(path));
            }
        } else if (kind == "c") {
            if (f.size() != 3) {
                in.fail("a record with too few fields");
            }
            const std::string path = p.path(f[1]);
            const auto it = observer.records.find(path);
            if (it == observer.records.end() || it->second.obs.found) {
                in.fail("a listed name without its observation: " + escape(path));
            }
            if (!observer.unfound_modes
                     .emplace(path, static_cast<mode_t>(p.number(f[2], 0xFFFFFFFF)))
                     .second) {
                in.fail("a listed name given twice: " + escape(path));
            }
        } else if (kind == "d") {
            const std::string path = p.path(f[1]);
            DirRecord dir;
            if (f.size() == 3 && f[2].starts_with("e=")) {
                dir.error = p.text(f[2].substr(2));
            } else if (f.size() != 2) {
                in.fail("a directory record with unknown fields");
            }
            if (!observer.dirs.emplace(path, std::move(dir)).second) {
                in.fail("a directory listed twice: " + escape(path));
            }
        } else {
            in.fail("an unknown record '" + escape(kind.substr(0, 16)) + "'");
        }
    }
    if (!header) {
        in.fail("no header");
    }
    finish_stream(in, p, end_line, records, nullptr);
    if (demands.keys != nullptr && end_line != signed_end) {
        throw TrustError(shown, "changed while it was read");
    }
    impl->signer = std::move(signer);
    check_demands(shown, impl->collected_at, impl->nonce, demands);
    // Each directory's names: the paths found right under it.
    for (const auto& [path, rec] : observer.records) {
        if (path == "/" || (!rec.obs.found && !observer.unfound_modes.contains(path))) {
            continue;
        }
        const auto dir = observer.dirs.find(parent_of(path));
        if (dir != observer.dirs.end()) {
            dir->second.children.push_back(path.substr(path.rfind('/') + 1));
        }
    }
    for (auto& [path, dir] : observer.dirs) {
        std::sort(dir.children.begin(), dir.children.end());
    }

    return CollectedSystem(std::move(impl));
}

void CollectedSystem::make_copy() {
    if (!m_impl->dir.empty()) {
        return;
    }
    // The copy of the files read for their content: a private directory of its own.
    std::string templ = temp_dir() + "/pkgdesc-collected.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
        throw IoError::from_errno(templ, "cannot create a private directory", errno);
    }
    m_impl->dir = templ;
    const UniqueFd dir(::open(templ.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) {
        throw IoError::from_errno(templ, "cannot open", errno);
    }
    for (const CollectedCopy& copy : m_impl->copies) {
        write_copy(dir.get(), copy.path, copy.content ? &*copy.content : nullptr);
    }
    // The file lists, where the dpkg database is read from: a list that was no regular file
    // there is a directory here (refused alike).
    for (const auto& [name, member] : *m_impl->info) {
        if (!name.ends_with(".list")) {
            continue;
        }
        const std::string path = "/var/lib/dpkg/info/" + name;
        if (member.content) {
            write_copy(dir.get(), path, &*member.content);
        } else {
            std::string leaf;
            const UniqueFd parent = parent_dir(dir.get(), path, leaf);
            if (::mkdirat(parent.get(), leaf.c_str(), 0700) != 0) {
                throw IoError::from_errno(path, "cannot create in the copy", errno);
            }
        }
    }
    {
        std::string leaf;
        const UniqueFd parent = parent_dir(dir.get(), "/var/lib/dpkg/info/.keep", leaf);
    }
    for (const auto& [alias, target] : m_impl->aliases) {
        std::string leaf;
        const UniqueFd parent = parent_dir(dir.get(), alias, leaf);
        if (::symlinkat(target.c_str(), parent.get(), leaf.c_str()) != 0) {
            throw IoError::from_errno(alias, "cannot create in the copy", errno);
        }
    }
    // What was made, deepest first, for removal where no destructor runs (a signal).
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(m_impl->dir, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        m_impl->made.push_back(it->path().string());
    }
    std::reverse(m_impl->made.begin(), m_impl->made.end());
    m_impl->made.push_back(m_impl->dir);
    m_impl->copies = {};
    m_impl->aliases = {};
}

} // namespace pkgdesc
