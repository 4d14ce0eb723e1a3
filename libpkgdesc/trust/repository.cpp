// Publishing to and loading from signed pkgdesc repositories.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/repository.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/unique_fd.hpp>
#include <libpkgdesc/util/xz.hpp>

#include <apt-pkg/debversion.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <map>
#include <sstream>

namespace pkgdesc {

namespace {

constexpr std::string_view k_index_name = "Pkgdesc.xz";
constexpr std::string_view k_lookup_name = "Pkgdesc-Index.xz";
// InRelease files are small; a larger one is refused before it is read.
constexpr std::uint64_t k_max_release_size = std::uint64_t{64} << 20;

// Creates BASE/RELATIVE, each component a real directory: a symbolic link planted anywhere
// below BASE would send the files written there elsewhere.
void make_dirs(const std::string& base, const std::string& relative) {
    std::string path = base;
    std::size_t start = 0;
    while (start < relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string::npos) {
            end = relative.size();
        }
        if (end > start) {
            path += "/" + relative.substr(start, end - start);
            if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
                throw IoError::from_errno(path, "cannot create directory", errno);
            }
            struct stat st {};
            if (::lstat(path.c_str(), &st) != 0) {
                throw IoError::from_errno(path, "cannot stat", errno);
            }
            if (!S_ISDIR(st.st_mode)) {
                throw Error(path, "not a directory (a symbolic link?): refusing to write there");
            }
        }
        start = end + 1;
    }
}

// Reads a file whose size a signed document bounds: larger is a trust failure, not an I/O one.
std::optional<std::string> read_signed(const std::string& path, std::uint64_t limit) {
    try {
        return read_file_if_exists(path, limit);
    } catch (const FileTooLarge& e) {
        throw TrustError(path, e.reason() + ": not what was signed");
    }
}

// Suite, component and architecture names become directory names.
void check_name(const std::string& name, const char* what) {
    const bool ok =
        !name.empty() && name != "." && name != ".." &&
        std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_' || c == '+' || c == '~';
        });
    if (!ok) {
        throw Error(name, std::string("not a valid ") + what +
                              " name (letters, digits and . - _ + ~ only)");
    }
}

// COMPONENT/binary-ARCH/NAME: the directory part, or empty when `path` is not such a file.
std::string index_dir(const std::string& path, std::string_view name) {
    const std::size_t first = path.find('/');
    if (first == std::string::npos) {
        return {};
    }
    const std::size_t second = path.find('/', first + 1);
    if (second == std::string::npos || path.compare(first + 1, 7, "binary-") != 0 ||
        path.compare(second + 1, std::string::npos, name) != 0) {
        return {};
    }
    return path.substr(0, second);
}

bool is_index_path(const std::string& path) {
    return !index_dir(path, k_index_name).empty() || !index_dir(path, k_lookup_name).empty();
}

// Where a stanza lives in the pool, by the SHA-256 of its text (shared by every suite).
std::string pool_path(const std::string& sha256) {
    return "pool/" + sha256.substr(0, 2) + "/" + sha256 + ".pkgdesc";
}

bool before(const Pkgdesc& a, const Pkgdesc& b) {
    if (a.package != b.package) {
        return a.package < b.package;
    }
    if (a.architecture != b.architecture) {
        return a.architecture < b.architecture;
    }
    return debVS.CmpVersion(a.version, b.version) < 0;
}

bool same_version(const Pkgdesc& a, const Pkgdesc& b) {
    return a.package == b.package && a.architecture == b.architecture &&
           debVS.CmpVersion(a.version, b.version) == 0;
}

struct Lock {
    UniqueFd fd;
};

Lock lock_suite(const std::string& suite_dir) {
    const std::string path = suite_dir + "/.lock";
    Lock lock{UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644))};
    if (!lock.fd.valid()) {
        throw IoError::from_errno(path, "cannot create the lock file", errno);
    }
    if (::flock(lock.fd.get(), LOCK_EX) != 0) {
        throw IoError::from_errno(path, "cannot lock", errno);
    }
    return lock;
}

} // namespace

std::string repository_path(const std::string& location) {
    std::string path = location;
    if (path.rfind("file://", 0) == 0) {
        path.erase(0, 7);
    } else if (path.rfind("file:", 0) == 0) {
        path.erase(0, 5);
    } else if (path.find("://") != std::string::npos) {
        throw Error(location, "only local directories and file: URIs are supported");
    }
    if (path.empty()) {
        throw Error(location, "no repository directory");
    }
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

PublishResult publish(const PublishOptions& options, std::vector<Pkgdesc> stanzas) {
    check_name(options.suite, "suite");
    check_name(options.component, "component");
    const std::string suite_dir = options.dir + "/dists/" + options.suite;
    make_directories(options.dir);
    make_dirs(options.dir, "dists/" + options.suite);
    const Lock lock = lock_suite(suite_dir);
    ReleaseHistory history(options.history);

    // What is published already counts only as far as it is proven: the InRelease must carry
    // this key's signature and every index must match it. Anything else in the directory (an
    // unsigned Release, a planted index) is never signed by accident.
    Release release;
    std::map<std::string, std::string> proven; // index path relative to the suite -> bytes
    const PublicKey signer = signing_key(options.sign_key);
    if (const auto inrelease = read_file_if_exists(suite_dir + "/InRelease", k_max_release_size)) {
        // Signed by the very key that is about to sign (not any key of the user's).
        KeySource keys;
        keys.armored.push_back(signer.armored);
        keys.fingerprints.push_back(signer.fingerprint);
        if (!options.previous_key.empty()) {
            const PublicKey previous = public_key(options.previous_key);
            keys.armored.push_back(previous.armored);
            keys.fingerprints.push_back(previous.fingerprint);
        }
        const SignatureVerifier verifier(keys);
        const VerifiedText verified =
            verifier.verify_clearsigned(*inrelease, suite_dir + "/InRelease");
        release = parse_release(verified.text, suite_dir + "/InRelease");
        // This suite's own history: not another suite's Release copied here, not an older one
        // of this suite (it may have expired: re-signing is how a Release is renewed).
        if (release.suite != options.suite) {
            throw TrustError(suite_dir + "/InRelease",
                             "signed for suite '" + release.suite + "', not '" + options.suite +
                                 "': repair the repository before publishing");
        }
        for (const auto& [field, value, wanted] :
             {std::tuple<const char*, const std::string&, const std::string&>{
                  "Origin", release.origin, options.origin},
              {"Label", release.label, options.label}}) {
            if (!wanted.empty() && !value.empty() && value != wanted) {
                throw TrustError(suite_dir + "/InRelease", std::string("published with ") + field +
                                                               " '" + value + "', not '" + wanted +
                                                               "'");
            }
        }
        history.check_and_record(release, verified.signer, suite_dir + "/InRelease");
        for (const auto& [relative, entry] : release.sha256) {
            if (!is_index_path(relative)) {
                continue;
            }
            const std::string path = suite_dir + "/" + relative;
            std::optional<std::string> data = read_file_if_exists(path, entry.size);
            if (!data || data->size() != entry.size ||
                to_hex(Sha256::digest(*data)) != entry.sha256) {
                throw TrustError(path, "does not match the published InRelease: repair the "
                                       "repository before publishing");
            }
            proven.emplace(relative, std::move(*data));
        }
        // Never publish a Release older than this one (verifiers would call it a rollback).
        if (options.date < release.date) {
            throw Error(suite_dir + "/InRelease",
                        "the published Release is dated " + release_date(release.date) +
                            ", later than " + release_date(options.date) +
                            ": verifiers would take the new one for a rollback");
        }
    } else if (struct stat st{}; ::lstat((suite_dir + "/Release").c_str(), &st) == 0) {
        throw TrustError(suite_dir + "/Release",
                         "a Release without InRelease: not a suite this tool published; "
                         "remove it to start afresh");
    }

    // New indexes, by architecture, merged with what is published.
    std::map<std::string, std::vector<Pkgdesc>> by_arch;
    for (Pkgdesc& desc : stanzas) {
        check_name(desc.architecture, "architecture");
        desc.sort();
        by_arch[desc.architecture].push_back(std::move(desc));
    }
    PublishResult result;
    std::map<std::string, std::string> new_indexes; // path relative to the suite -> bytes
    std::map<std::string, std::string> pool;        // SHA-256 -> stanza text
    for (auto& [arch, fresh] : by_arch) {
        const std::string relative =
            options.component + "/binary-" + arch + "/" + std::string(k_index_name);
        const std::string path = suite_dir + "/" + relative;
        std::vector<Pkgdesc> merged;
        if (const auto old = proven.find(relative); old != proven.end()) {
            std::istringstream in(xz_decompress(old->second, options.threads, path));
            merged = parse_pkgdesc_stream(in, path);
        }
        const std::size_t published = merged.size();
        for (Pkgdesc& desc : fresh) {
            merged.push_back(std::move(desc));
        }
        // Stable: a published stanza comes before a new one of the same version.
        std::stable_sort(merged.begin(), merged.end(), before);
        std::vector<Pkgdesc> unique;
        for (std::size_t i = 0; i < merged.size(); ++i) {
            if (!unique.empty() && same_version(unique.back(), merged[i])) {
                if (!(unique.back() == merged[i])) {
                    throw Error(path, "a different stanza for " + merged[i].package + " " +
                                          merged[i].version + " (" + merged[i].architecture +
                                          ") is already published: a published version never "
                                          "changes");
                }
                ++result.unchanged;
                continue;
            }
            unique.push_back(std::move(merged[i]));
        }
        result.added += unique.size() - std::min(unique.size(), published);
        result.total += unique.size();
        // The whole index, the lookup index ("package architecture version sha256 size" per
        // stanza) and each stanza in the pool under its SHA-256, for readers that need a few.
        std::string text;
        std::string lookup;
        for (const Pkgdesc& desc : unique) {
            const std::string stanza = to_string(desc);
            const std::string sha = to_hex(Sha256::digest(stanza));
            lookup += desc.package + " " + desc.architecture + " " + desc.version + " " + sha +
                      " " + std::to_string(stanza.size()) + "\n";
            pool[sha] = stanza;
            if (!text.empty()) {
                text += "\n";
            }
            text += stanza;
        }
        new_indexes[relative] = xz_compress(text, options.threads);
        const std::string dir = relative.substr(0, relative.rfind('/') + 1);
        new_indexes[dir + std::string(k_lookup_name)] = xz_compress(lookup, options.threads);
    }

    // The Release lists the proven indexes and the new ones.
    release.sha256.clear();
    for (const auto& [relative, data] : proven) {
        release.sha256[relative] = ReleaseEntry{to_hex(Sha256::digest(data)), data.size()};
    }
    for (const auto& [relative, data] : new_indexes) {
        release.sha256[relative] = ReleaseEntry{to_hex(Sha256::digest(data)), data.size()};
    }
    release.components.clear();
    release.architectures.clear();
    for (const auto& [relative, entry] : release.sha256) {
        if (index_dir(relative, k_index_name).empty()) {
            continue;
        }
        const std::size_t slash = relative.find('/');
        const std::size_t arch_end = relative.find('/', slash + 1);
        release.components.push_back(relative.substr(0, slash));
        release.architectures.push_back(relative.substr(slash + 8, arch_end - slash - 8));
    }
    for (auto* list : {&release.components, &release.architectures}) {
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
    }
    release.suite = options.suite;
    if (!options.origin.empty()) {
        release.origin = options.origin;
    }
    if (!options.label.empty()) {
        release.label = options.label;
    }
    release.date = options.date;
    release.valid_until = options.valid_until;
    if (release.description.empty()) {
        release.description = "pkgdesc reference data";
    }
    // Never older than a Release this publisher signed for the suite before: verifiers that
    // saw that one would take this one for a rollback.
    history.check_and_record(release, signer.fingerprint, suite_dir + "/InRelease");
    const std::string release_text = write_release(release);
    // Signed before anything is replaced: a key that cannot sign changes nothing.
    const std::string inrelease = sign_clear(release_text, options.sign_key);
    const std::string detached = sign_detached(release_text, options.sign_key);

    // The pool first (content-addressed: a stanza file never changes), then the indexes.
    for (const auto& [sha, stanza] : pool) {
        const std::string relative = pool_path(sha);
        const std::string path = options.dir + "/" + relative;
        make_dirs(options.dir, relative.substr(0, relative.rfind('/')));
        if (const auto existing = read_file_if_exists(path, stanza.size() + 1);
            existing && *existing == stanza) {
            continue;
        }
        AtomicFile out(path);
        out.write(stanza);
        out.commit();
    }
    for (const auto& [relative, data] : new_indexes) {
        make_dirs(suite_dir, relative.substr(0, relative.rfind('/')));
        AtomicFile out(suite_dir + "/" + relative);
        out.write(data);
        out.commit();
    }
    // InRelease last: a reader that sees it sees the indexes it lists.
    for (const auto& [name, text] :
         {std::pair<const char*, const std::string&>{"Release", release_text},
          {"Release.gpg", detached},
          {"InRelease", inrelease}}) {
        AtomicFile out(suite_dir + "/" + name);
        out.write(text);
        out.commit();
    }
    history.save();
    return result;
}

std::vector<std::string> repository_suites(const std::string& location) {
    const std::string dists = repository_path(location) + "/dists";
    std::vector<std::string> suites;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dists, ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->is_directory(ec)) {
            suites.push_back(it->path().filename().string());
        }
    }
    if (ec) {
        throw TrustError(dists, "not a pkgdesc repository: " + ec.message());
    }
    if (suites.empty()) {
        throw TrustError(dists, "no suite in the repository");
    }
    std::sort(suites.begin(), suites.end());
    return suites;
}

RepositoryLoad load_repository_suite(const std::string& location, const std::string& suite,
                                     const SignatureVerifier& verifier, ReleaseHistory& history,
                                     std::time_t now, const ReferenceSet::Filter& wanted,
                                     unsigned jobs, ReferenceSet& references) {
    const std::string suite_dir = repository_path(location) + "/dists/" + suite;
    const std::string inrelease_path = suite_dir + "/InRelease";
    const std::optional<std::string> inrelease = read_signed(inrelease_path, k_max_release_size);
    if (!inrelease) {
        throw TrustError(inrelease_path, "missing: the suite is not signed (pkgdesc-verify reads "
                                         "InRelease only)");
    }
    const VerifiedText verified = verifier.verify_clearsigned(*inrelease, inrelease_path);
    const Release release = parse_release(verified.text, inrelease_path);
    if (release.suite != suite && release.codename != suite) {
        throw TrustError(inrelease_path, "signed for suite '" + release.suite + "', not '" + suite +
                                             "' (a Release moved elsewhere)");
    }
    check_release_time(release, now, inrelease_path);
    history.check_and_record(release, verified.signer, inrelease_path);

    // Every index is proven before any is used: all or nothing.
    // The files that will be used are read into memory and checked there (a file rewritten in
    // place after its check cannot change what is used); a Pkgdesc.xz that a lookup index makes
    // unnecessary is only checked, through a mapping (a whole archive's index is large).
    std::map<std::string, std::string> indexes; // path relative to the suite -> bytes
    for (const auto& [relative, entry] : release.sha256) {
        if (!is_index_path(relative)) {
            continue;
        }
        const std::string path = suite_dir + "/" + relative;
        const std::string dir = index_dir(relative, k_index_name);
        const bool check_only =
            !dir.empty() && release.find(dir + "/" + std::string(k_lookup_name)) != nullptr;
        std::optional<MappedFile> mapped;
        std::optional<std::string> copy;
        if (check_only) {
            mapped = MappedFile::open_if_exists(path);
        } else {
            copy = read_signed(path, entry.size);
        }
        if (!mapped && !copy) {
            throw TrustError(path, "listed in the signed Release but missing");
        }
        const std::string_view data = mapped ? mapped->view() : std::string_view(*copy);
        if (data.size() != entry.size) {
            throw TrustError(path, "size " + std::to_string(data.size()) +
                                       " bytes, the signed Release says " +
                                       std::to_string(entry.size) + " (truncated or replaced)");
        }
        if (to_hex(Sha256::digest(data)) != entry.sha256) {
            throw TrustError(path, "SHA256 does not match the signed Release (tampered)");
        }
        indexes.emplace(relative, copy ? std::move(*copy) : std::string());
    }
    if (indexes.empty()) {
        throw TrustError(inrelease_path, "the signed Release lists no Pkgdesc index");
    }
    RepositoryLoad load;
    load.suite = suite;
    load.signer = verified.signer;
    const std::string root = repository_path(location);
    for (auto& [relative, data] : indexes) {
        const std::string path = suite_dir + "/" + relative;
        const std::string dir = index_dir(relative, k_index_name);
        if (dir.empty()) {
            continue; // a lookup index: read with its Pkgdesc.xz
        }
        ++load.indexes;
        const auto lookup = indexes.find(dir + "/" + std::string(k_lookup_name));
        if (lookup == indexes.end()) {
            // No lookup index: scan the whole index, parse the wanted stanzas.
            const std::string text = xz_decompress(data, jobs, path);
            load.stanzas_parsed += references.add_index(text, path, wanted, jobs);
            continue;
        }
        // The lookup index names each stanza's SHA-256: read just the wanted ones from the pool.
        const std::string lookup_path = suite_dir + "/" + lookup->first;
        const std::string lines = xz_decompress(lookup->second, jobs, lookup_path);
        std::size_t number = 0;
        std::size_t pos = 0;
        while (pos < lines.size()) {
            std::size_t eol = lines.find('\n', pos);
            if (eol == std::string::npos) {
                eol = lines.size();
            }
            const std::string_view line = std::string_view(lines).substr(pos, eol - pos);
            pos = eol + 1;
            ++number;
            // "package architecture version sha256 size", split without copies: most lines
            // are other packages.
            std::string_view fields[5];
            std::size_t count = 0;
            for (std::size_t at = 0; at <= line.size() && count < 6;) {
                const std::size_t space = std::min(line.find(' ', at), line.size());
                if (count < 5) {
                    fields[count] = line.substr(at, space - at);
                }
                ++count;
                at = space + 1;
            }
            const std::string_view size_text = fields[4];
            std::uint64_t stanza_size = 0;
            const auto parsed_size =
                std::from_chars(size_text.data(), size_text.data() + size_text.size(), stanza_size);
            if (count != 5 || !sha256_from_hex(fields[3]) || size_text.empty() ||
                parsed_size.ec != std::errc() ||
                parsed_size.ptr != size_text.data() + size_text.size()) {
                throw TrustError(lookup_path,
                                 "line " + std::to_string(number) + ": malformed lookup line");
            }
            if (!wanted(fields[0], fields[1], fields[2])) {
                continue;
            }
            const std::string package(fields[0]);
            const std::string architecture(fields[1]);
            const std::string version(fields[2]);
            const std::string sha(fields[3]);
            const std::string stanza_path = root + "/" + pool_path(sha);
            const std::optional<std::string> stanza = read_signed(stanza_path, stanza_size);
            if (!stanza) {
                throw TrustError(stanza_path,
                                 "listed in the signed " + lookup->first + " but missing");
            }
            if (stanza->size() != stanza_size || to_hex(Sha256::digest(*stanza)) != sha) {
                throw TrustError(
                    stanza_path,
                    "SHA256 or size does not match the signed lookup index (tampered)");
            }
            Pkgdesc desc = parse_pkgdesc(*stanza, stanza_path);
            if (desc.package != package || desc.architecture != architecture ||
                desc.version != version) {
                throw TrustError(stanza_path, "describes " + desc.package + " " + desc.version +
                                                  ", not what the lookup index says");
            }
            references.add(std::move(desc), stanza_path);
            ++load.stanzas_parsed;
        }
    }
    return load;
}

} // namespace pkgdesc
