// Publishing to and loading from signed pkgdesc repositories.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/repository.hpp>
#include <libpkgdesc/util/file_io.hpp>
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
#include <filesystem>
#include <map>
#include <sstream>

namespace pkgdesc {

namespace {

constexpr const char* k_index_name = "Pkgdesc.xz";

std::optional<std::string> read_optional(const std::string& path) {
    return read_file_if_exists(path);
}

void make_dirs(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        throw IoError(path, "cannot create directory: " + ec.message());
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

bool is_index_path(const std::string& path) {
    // COMPONENT/binary-ARCH/Pkgdesc.xz
    const std::size_t first = path.find('/');
    if (first == std::string::npos) {
        return false;
    }
    const std::size_t second = path.find('/', first + 1);
    return second != std::string::npos && path.compare(first + 1, 7, "binary-") == 0 &&
           path.compare(second + 1, std::string::npos, k_index_name) == 0;
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
    make_dirs(suite_dir);
    const Lock lock = lock_suite(suite_dir);

    // The previous Release: never publish one older than it (verifiers would call it a rollback).
    Release release;
    if (const auto old = read_optional(suite_dir + "/Release")) {
        release = parse_release(*old, suite_dir + "/Release");
        if (options.date < release.date) {
            throw Error(suite_dir + "/Release",
                        "the published Release is dated " + release_date(release.date) +
                            ", later than " + release_date(options.date) +
                            ": verifiers would take the new one for a rollback");
        }
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
    for (auto& [arch, fresh] : by_arch) {
        const std::string relative = options.component + "/binary-" + arch + "/" + k_index_name;
        const std::string path = suite_dir + "/" + relative;
        std::vector<Pkgdesc> merged;
        if (const auto old = read_optional(path)) {
            std::istringstream in(xz_decompress(*old, options.threads, path));
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
        std::string text;
        for (const Pkgdesc& desc : unique) {
            if (!text.empty()) {
                text += "\n";
            }
            text += to_string(desc);
        }
        new_indexes[relative] = xz_compress(text, options.threads);
    }

    // The Release lists every index of the suite, new or already there.
    release.sha256.clear();
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(suite_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string relative =
            std::filesystem::relative(it->path(), suite_dir, ec).generic_string();
        if (it->is_regular_file(ec) && is_index_path(relative) && !new_indexes.count(relative)) {
            const std::string data = *read_optional(it->path().string());
            release.sha256[relative] = ReleaseEntry{to_hex(Sha256::digest(data)), data.size()};
        }
    }
    if (ec) {
        throw IoError(suite_dir, "cannot read directory: " + ec.message());
    }
    for (const auto& [relative, data] : new_indexes) {
        release.sha256[relative] = ReleaseEntry{to_hex(Sha256::digest(data)), data.size()};
    }
    release.components.clear();
    release.architectures.clear();
    for (const auto& [relative, entry] : release.sha256) {
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
    const std::string release_text = write_release(release);
    // Signed before anything is replaced: a key that cannot sign changes nothing.
    const std::string inrelease = sign_clear(release_text, options.sign_key);
    const std::string detached = sign_detached(release_text, options.sign_key);

    for (const auto& [relative, data] : new_indexes) {
        make_dirs(std::filesystem::path(suite_dir + "/" + relative).parent_path().string());
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
    const std::optional<std::string> inrelease = read_optional(inrelease_path);
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
    std::vector<std::pair<std::string, std::string>> indexes;
    for (const auto& [relative, entry] : release.sha256) {
        if (!is_index_path(relative)) {
            continue;
        }
        const std::string path = suite_dir + "/" + relative;
        std::optional<std::string> data = read_optional(path);
        if (!data) {
            throw TrustError(path, "listed in the signed Release but missing");
        }
        if (data->size() != entry.size) {
            throw TrustError(path, "size " + std::to_string(data->size()) +
                                       " bytes, the signed "
                                       "Release says " +
                                       std::to_string(entry.size) + " (truncated or replaced)");
        }
        if (to_hex(Sha256::digest(*data)) != entry.sha256) {
            throw TrustError(path, "SHA256 does not match the signed Release (tampered)");
        }
        indexes.emplace_back(path, std::move(*data));
    }
    if (indexes.empty()) {
        throw TrustError(inrelease_path, "the signed Release lists no Pkgdesc index");
    }
    RepositoryLoad load;
    load.suite = suite;
    load.signer = verified.signer;
    load.indexes = indexes.size();
    for (auto& [path, data] : indexes) {
        const std::string text = xz_decompress(data, jobs, path);
        data.clear();
        data.shrink_to_fit();
        load.stanzas_parsed += references.add_index(text, path, wanted, jobs);
    }
    return load;
}

} // namespace pkgdesc
