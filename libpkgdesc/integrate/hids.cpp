// HIDS integrations: path lists, the AIDE report filter and the AIDE baseline check.
#include <libpkgdesc/integrate/hids.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <apt-pkg/debversion.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

namespace pkgdesc {

namespace {

constexpr std::size_t k_max_list_paths = 8'000'000;
constexpr std::size_t k_max_list_bytes = std::size_t{1} << 30;

// What the filter needs of each finding.
struct Seen {
    FileStatus status = FileStatus::unverifiable;
    bool present = true; // something is at the path
    // What a pristine file was proven to be (Finding::proven_*).
    std::string sha256;
    std::uint64_t size = 0;
    std::optional<std::uint32_t> mode;
    std::string package; // the owner's dpkg name, "name" or "name:arch"
};

// ls(1)'s nine permission characters of `mode`, as aide writes them after the type.
std::string permission_text(std::uint32_t mode) {
    std::string text = "rwxrwxrwx";
    for (std::size_t i = 0; i < 9; ++i) {
        if ((mode & (0400u >> i)) == 0) {
            text[i] = '-';
        }
    }
    auto special = [&](std::size_t at, std::uint32_t bit, char with_x, char without_x) {
        if ((mode & bit) != 0) {
            text[at] = text[at] == 'x' ? with_x : without_x;
        }
    };
    special(2, 04000, 's', 'S');
    special(5, 02000, 's', 'S');
    special(8, 01000, 't', 'T');
    return text;
}

// Whether what aide recorded when it wrote the report is not what the path is proven to be
// now: the file changed after aide looked (and back, or into a pristine one), so what the
// report shows is not explained by the package. Size and digest count for regular files only
// (a directory's size is its own affair), the permissions for both.
bool contradicts(const AideRecorded& recorded, char type, const Seen& seen) {
    if (recorded.unclear) {
        return true;
    }
    const bool regular = !seen.sha256.empty();
    if (type == 'f' || regular) {
        if (recorded.size && (!regular || *recorded.size != seen.size)) {
            return true;
        }
        if (recorded.sha256 && (!regular || to_hex(*recorded.sha256) != seen.sha256)) {
            return true;
        }
    }
    if (recorded.perm && (!seen.mode || recorded.perm->substr(1) != permission_text(*seen.mode))) {
        return true;
    }
    return false;
}

// Whether aide saw, at a changed entry, a difference that no proof of pkgdesc's covers: in the
// link count of anything but a directory (another name for the file, made anywhere on its file
// system), in extended attributes (pkgdesc proves security.* and ACLs only) or ext2 attributes,
// in an attribute that cannot be told; or the report does not say what differs.
bool differs_beyond_proof(const AideReportEntry& entry, bool directory) {
    if (entry.change != AideChange::changed) {
        return false;
    }
    if (!entry.differences_named) {
        return true;
    }
    return std::any_of(entry.differing.begin(), entry.differing.end(), [&](char c) {
        return c == 'X' || c == 'E' || c == '?' || (c == 'n' && !directory);
    });
}

class CollectingSink : public FindingSink {
public:
    void finding(const Finding& finding) override {
        Seen seen;
        seen.status = finding.status;
        seen.present = finding.status != FileStatus::unowned || finding.observed.has_value();
        seen.sha256 = finding.proven_sha256;
        seen.size = finding.proven_size;
        seen.mode = finding.proven_mode;
        seen.package = finding.package;
        // Several findings for one path (a control member and a file): the worst counts.
        const auto [it, inserted] = m_seen.emplace(finding.path, seen);
        if (!inserted && it->second.status == FileStatus::pristine) {
            it->second = seen;
        }
    }
    const Seen* find(const std::string& path) const {
        const auto it = m_seen.find(path);
        return it == m_seen.end() ? nullptr : &it->second;
    }

private:
    std::unordered_map<std::string, Seen> m_seen;
};

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Calls visit(real path) for each entry of the reference stanzas of the installed packages that
// take(package, stanza) accepts (any version that the reference data holds for them).
template <typename Take, typename Visit>
void for_each_reference_path(const VerifyOptions& options, const ReferenceSet& references,
                             Take take, Visit visit) {
    const LayoutAliases merged = LayoutAliases::detect(RootDir::open(options.root));
    for (const PackageVersion& pkg : selected_versions(options)) {
        for (const Pkgdesc* desc : references.versions(pkg.name, pkg.architecture)) {
            if (take(pkg, *desc)) {
                for (const Entry& entry : desc->entries) {
                    visit(merged.resolve(entry.path));
                }
            }
        }
    }
}

// The real paths, among `wanted`, that the reference of another version than the installed one
// of an installed package shipped.
std::unordered_set<std::string>
shipped_by_other_versions(const VerifyOptions& options, const ReferenceSet& references,
                          const std::unordered_set<std::string>& wanted) {
    std::unordered_set<std::string> found;
    if (wanted.empty()) {
        return found;
    }
    for_each_reference_path(
        options, references,
        [](const PackageVersion& pkg, const Pkgdesc& desc) {
            return debVS.CmpVersion(desc.version, pkg.version) != 0;
        },
        [&](std::string real) {
            if (wanted.contains(real)) {
                found.insert(std::move(real));
            }
        });
    return found;
}

// The directories, among `wanted`, that hold an entry of the installed version's reference of
// a package in `touched` (dpkg names): an upgrade or reinstallation of the package unpacked there
// (and a conffile's temporary file came and went there).
std::unordered_set<std::string> directories_of(const VerifyOptions& options,
                                               const ReferenceSet& references,
                                               const std::unordered_set<std::string>& touched,
                                               const std::unordered_set<std::string>& wanted) {
    std::unordered_set<std::string> found;
    if (touched.empty() || wanted.empty()) {
        return found;
    }
    for_each_reference_path(
        options, references,
        [&](const PackageVersion& pkg, const Pkgdesc& desc) {
            return (touched.contains(pkg.name) ||
                    touched.contains(pkg.name + ":" + pkg.architecture)) &&
                   debVS.CmpVersion(desc.version, pkg.version) == 0;
        },
        [&](const std::string& real) {
            if (real != "/" && wanted.contains(parent_of(real))) {
                found.insert(parent_of(real));
            }
        });
    return found;
}

} // namespace

std::vector<std::string> read_path_list(const std::string& file, PathListSeparator separator) {
    const std::string data = read_input(file, k_max_list_bytes);
    const std::string shown = file == "-" ? std::string("standard input") : file;
    const char end = separator == PathListSeparator::nul ? '\0' : '\n';
    std::vector<std::string> paths;
    std::size_t line = 0;
    for (std::size_t start = 0; start < data.size();) {
        std::size_t stop = data.find(end, start);
        if (stop == std::string::npos) {
            stop = data.size();
        }
        ++line;
        const std::string_view path(data.data() + start, stop - start);
        start = stop + 1;
        if (path.empty()) {
            continue;
        }
        if (!is_normalized_path(path) || path.find('\0') != std::string_view::npos) {
            throw ParseError(shown, line,
                             "'" + escape(path) + "' is not an absolute, normalized path" +
                                 (separator == PathListSeparator::newline &&
                                          path.find('\0') != std::string_view::npos
                                      ? " (a NUL-separated list needs --from0)"
                                      : ""));
        }
        if (paths.size() >= k_max_list_paths) {
            throw ParseError(shown, line,
                             "more than " + std::to_string(k_max_list_paths) + " paths: refused");
        }
        paths.emplace_back(path);
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    return paths;
}

AideFilterCounts filter_aide_report(const AideReport& report, VerifyOptions options,
                                    const ReferenceSet& references, std::ostream& out) {
    const std::vector<AideReportEntry>& entries = report.entries();
    // Verify exactly the paths the report names.
    std::vector<std::string> paths;
    std::unordered_set<std::string> removed;
    for (const AideReportEntry& entry : entries) {
        if (entry.exact) {
            paths.push_back(entry.path);
            if (entry.change == AideChange::removed) {
                removed.insert(entry.path);
            }
        }
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    options.only_paths = std::move(paths);
    options.unowned = false;
    CollectingSink seen;
    Verifier(options, references).run(seen);
    const std::unordered_set<std::string> replaced =
        shipped_by_other_versions(options, references, removed);

    enum class Verdict { keep, pristine, removed_by_package, directory };
    std::vector<Verdict> verdicts(entries.size(), Verdict::keep);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const AideReportEntry& entry = entries[i];
        const Seen* finding = entry.exact ? seen.find(entry.path) : nullptr;
        if (finding == nullptr) {
            continue;
        }
        if (entry.change == AideChange::removed) {
            if (finding->status == FileStatus::unowned && !finding->present &&
                replaced.contains(entry.path)) {
                verdicts[i] = Verdict::removed_by_package;
            }
        } else if (finding->status == FileStatus::pristine &&
                   !contradicts(entry.recorded, entry.type, *finding)) {
            // Without summaries (report_summarize_changes=no) the type is what is there.
            const bool directory =
                entry.type == 'd' || (entry.type == 0 && finding->mode && S_ISDIR(*finding->mode));
            if (differs_beyond_proof(entry, directory)) {
                continue;
            }
            verdicts[i] = entry.change == AideChange::changed && directory ? Verdict::directory
                                                                           : Verdict::pristine;
        }
    }
    // A directory's own change (mtime, ctime, link count) is package content only when no
    // entry added to it or removed from it was kept: a file edited in place changes nothing of
    // its directory.
    std::unordered_set<std::string> parents_of_kept;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (verdicts[i] == Verdict::keep && entries[i].change != AideChange::changed &&
            entries[i].path != "/") {
            parents_of_kept.insert(parent_of(entries[i].path));
        }
    }
    // ... and when some entry in it is package content, or a package whose files the report
    // shows changed as package content has a file in it: a directory whose only trace is its
    // own change (a file made and deleted there) is kept unless a package change was there too.
    std::unordered_set<std::string> parents_of_package_content;
    std::unordered_set<std::string> touched;
    std::unordered_set<std::string> candidates;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if ((verdicts[i] == Verdict::pristine || verdicts[i] == Verdict::removed_by_package) &&
            entries[i].path != "/") {
            parents_of_package_content.insert(parent_of(entries[i].path));
        }
        if (verdicts[i] == Verdict::pristine) {
            touched.insert(seen.find(entries[i].path)->package);
        }
        if (verdicts[i] == Verdict::directory) {
            candidates.insert(entries[i].path);
        }
    }
    const std::unordered_set<std::string> unpacked_into =
        directories_of(options, references, touched, candidates);
    AideFilterCounts counts;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (verdicts[i] == Verdict::directory &&
            (parents_of_kept.contains(entries[i].path) ||
             (!parents_of_package_content.contains(entries[i].path) &&
              !unpacked_into.contains(entries[i].path)))) {
            verdicts[i] = Verdict::keep;
        }
        switch (verdicts[i]) {
        case Verdict::keep:
            ++counts.kept;
            break;
        case Verdict::pristine:
            ++counts.pristine;
            break;
        case Verdict::removed_by_package:
            ++counts.removed_by_package;
            break;
        case Verdict::directory:
            ++counts.directories;
            break;
        }
    }
    const bool written =
        report.write(out, [&](std::size_t i) { return verdicts[i] == Verdict::keep; },
                     {{"Pristine package files", counts.pristine},
                      {"Removed by a package change", counts.removed_by_package},
                      {"Directories whose only change is package content", counts.directories}});
    if (!written || !out.flush()) {
        throw IoError("standard output", "cannot write");
    }
    return counts;
}

Summary verify_aide_baseline(const AideDatabase& database, VerifyOptions options,
                             const ReferenceSet& references, FindingSink& sink) {
    options.only_paths = database.paths();
    options.observer = &database;
    options.unowned = false;
    return Verifier(options, references).run(sink);
}

} // namespace pkgdesc
