// pkgdesc-restore: puts the pristine package files that a backup left out back, from .debs that
// the backup's restore manifest proves.
#include "reference_options.hpp"

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/exit_code.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/report/reporter.hpp>
#include <libpkgdesc/restore/repair.hpp>
#include <libpkgdesc/restore/restore.hpp>
#include <libpkgdesc/restore/restore_manifest.hpp>
#include <libpkgdesc/trust/reference_sources.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <boost/program_options.hpp>

#include <sys/stat.h>

#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace pkgdesc;

namespace {

constexpr const char* k_usage =
    R"(Usage: pkgdesc-restore --manifest FILE --manifest-sha256 HASH --root DIR [--apply]
                       [--debs DIR]... [--fetch]
       pkgdesc-restore --extract PATH [-o FILE] [--root DIR] [reference options]
       pkgdesc-restore --repair --root DIR [--conffiles] [--apply] [reference options] [PACKAGE...]

Put back the pristine package files that a backup made with pkgdesc-verify --backup-plan left
out, from .debs whose content the manifest proves (--fetch downloads the ones found nowhere
from where the manifest says), with the mode, owner, group and mtime of their packages.
Without --apply, only the proof and what would be done.
With --extract, print (or write to FILE) the pristine content of one package file, such as an
edited conffile, as its reference data proves it.
With --repair, put back every modified, missing or metadata-deviating regular file, directory
and symbolic link of the installed PACKAGEs (default: all) of the system under --root, as its
reference (or an accepted statoverride) describes it; without --apply, only the plan.)";

constexpr const char* k_exit_codes = R"(Exit status:
  0  every file of the manifest is restored (or, without --apply, can be); the file extracted;
     every deviating file repaired (or, without --apply, repairable)
  1  --repair: deviating files that it does not repair (named on standard error))
  2  usage error, or input that cannot be read or is refused: a manifest that does not parse, a
     root to write to through a symlink, an owner the root's accounts do not know, a write that
     fails
  3  untrusted: the manifest is not the one whose SHA-256 was given, or no .deb proves a
     package (or holds the pristine content to extract), or unsigned reference data without
     --trust-unsigned; nothing is written)";

// The manifests --backup-plan writes are far smaller.
constexpr std::size_t k_max_manifest = std::size_t{1} << 30;

constexpr std::string_view k_program = "pkgdesc-restore";

void print_message(std::string_view kind, std::string_view message) {
    cli::print_message(k_program, kind, message);
}

struct Options {
    std::string manifest;
    std::string manifest_sha256;
    RestoreOptions restore;
    bool quiet = false;
    bool verbose = false;
    // --extract
    std::optional<std::string> extract;
    std::optional<std::string> output;
    ReferenceSources sources;
    // --repair
    bool repair = false;
    RepairOptions repairing;
    std::vector<std::string> packages;
};

class Cli {
public:
    int run(int argc, char** argv);

private:
    std::optional<int> parse(int argc, char** argv);
    int restore() const;
    int extract() const;
    int repair() const;
    ReferenceLog reference_log() const;
    Options m_opts;
};

std::optional<int> Cli::parse(int argc, char** argv) {
    po::options_description modes("Modes (one of them)");
    modes.add_options()("manifest", po::value<std::string>()->value_name("FILE"),
                        "restore: the restore manifest of the backup (DIR/manifest of the plan)")(
        "extract", po::value<std::string>()->value_name("PATH"),
        "print the pristine content of the package file PATH of the system under --root "
        "(default /), proven by its reference data")(
        "repair", po::bool_switch(&m_opts.repair),
        "put back the deviating files, directories and symbolic links of the installed PACKAGEs "
        "(default: all) of the system under --root, files from their .debs");
    po::options_description options("Options");
    options.add_options()(
        "manifest-sha256", po::value<std::string>()->value_name("HASH"),
        "the manifest's SHA-256, as pkgdesc-verify --backup-plan printed it (kept apart from "
        "the backup)")("root", po::value<std::string>()->value_name("DIR"),
                       "the system to restore into (the restored backup, or an empty directory), "
                       "to repair, or to extract from")(
        "apply", po::bool_switch(&m_opts.restore.apply),
        "restore and repair: write (without it, nothing is written)")(
        "output,o", po::value<std::string>()->value_name("FILE"),
        "with --extract: write it to FILE (atomically) instead of standard output")(
        "conffiles", po::bool_switch(&m_opts.repairing.conffiles),
        "with --repair: conffiles too (the admin's edits are lost)")(
        "quiet,q", po::bool_switch(&m_opts.quiet),
        "no summary")("verbose,v", po::bool_switch(&m_opts.verbose), "every step, file by file")(
        "help,h", "show this help and exit")("version", "show the version and exit");
    cli::ReferenceOptions sources =
        cli::reference_options(m_opts.sources, cli::DebsFor::every_source, false);
    po::options_description hidden;
    hidden.add_options()("package", po::value<std::vector<std::string>>(&m_opts.packages));
    po::positional_options_description positional;
    positional.add("package", -1);
    po::options_description visible;
    visible.add(modes).add(options).add(sources.reference).add(sources.chain);
    po::options_description all;
    all.add(visible).add(hidden);
    po::variables_map vm;
    auto usage_error = [](const std::string& message) {
        print_message("error", message);
        std::cerr << "Try 'pkgdesc-restore --help' for more information.\n";
        return to_int(ExitCode::error);
    };
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    if (const std::optional<int> done = cli::help_or_version(vm, "pkgdesc-restore", k_usage, visible,
                                                             k_exit_codes, PKGDESC_VERSION)) {
        return *done;
    }
    if (const std::optional<std::string> message =
            cli::finish_reference_options(vm, m_opts.sources, cli::DebsFor::every_source)) {
        return usage_error(*message);
    }
    m_opts.restore.debs_dirs = m_opts.sources.debs_dirs;
    // The options each mode takes; the others are usage errors.
    const std::vector<std::string> reference_only{"pkgdesc", "trust-unsigned", "repo",
                                                  "suite",   "keyring",        "state-dir"};
    auto refuse = [&](const std::string& mode,
                      const std::vector<std::string>& others) -> std::optional<std::string> {
        for (const std::string& other : others) {
            if (vm.count(other) != 0 && !vm[other].defaulted()) {
                return "--" + other + " does not apply to " + mode;
            }
        }
        return std::nullopt;
    };
    const int chosen = static_cast<int>(vm.count("manifest")) +
                       static_cast<int>(vm.count("extract")) + (m_opts.repair ? 1 : 0);
    if (chosen != 1) {
        return usage_error("give one of --manifest FILE (restore), --extract PATH and --repair");
    }
    std::optional<std::string> problem;
    if (m_opts.repair) {
        problem = refuse("--repair", {"manifest-sha256", "output"});
        if (!problem && vm.count("root") == 0) {
            problem = "--repair needs --root DIR (/ for this very system)";
        }
    } else if (vm.count("extract") != 0) {
        problem = refuse("--extract", {"manifest-sha256", "conffiles"});
        if (!problem && m_opts.restore.apply) {
            problem = "--apply does not apply to --extract, which writes no root";
        }
        m_opts.extract = vm["extract"].as<std::string>();
        if (vm.count("output") != 0) {
            m_opts.output = vm["output"].as<std::string>();
        }
    } else {
        std::vector<std::string> others = reference_only;
        others.insert(others.end(), {"output", "conffiles"});
        problem = refuse("a restore (--manifest)", others);
        for (const char* needed : {"manifest-sha256", "root"}) {
            if (!problem && vm.count(needed) == 0) {
                problem = std::string("--") + needed + " is needed with --manifest";
            }
        }
        if (!problem) {
            m_opts.manifest = vm["manifest"].as<std::string>();
            m_opts.manifest_sha256 = vm["manifest-sha256"].as<std::string>();
            if (m_opts.manifest_sha256.size() != 64 ||
                m_opts.manifest_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
                problem = "--manifest-sha256 '" + m_opts.manifest_sha256 +
                          "' is not a SHA-256 in hexadecimal";
            }
        }
    }
    if (!problem && !m_opts.packages.empty() && !m_opts.repair) {
        problem = "PACKAGE arguments apply to --repair";
    }
    if (problem) {
        return usage_error(*problem);
    }
    m_opts.restore.root = vm.count("root") != 0 ? vm["root"].as<std::string>() : "/";
    return std::nullopt;
}

// The pristine content of one file: its owner in the root's dpkg database, that version's
// reference data, then the .deb that holds exactly that content.
int Cli::extract() const {
    const std::string& path = *m_opts.extract;
    check_vouched(m_opts.sources);
    // Every package that lists it, in turn: a planted list naming the path proves nothing.
    const std::vector<PackageVersion> owners = owners_of(m_opts.restore.root, path);
    const ReferenceSet references = load_references(
        m_opts.sources, [&] { return owners; }, reference_log(), std::time(nullptr));
    std::string content;
    std::optional<ExtractedFile> file;
    std::string problems;
    for (const PackageVersion& owner : owners) {
        try {
            file = extract_pristine(owner, path, references, m_opts.restore.debs_dirs,
                                    [&](std::string_view data) { content.assign(data); });
            break;
        } catch (const Error& e) {
            if (owners.size() == 1) {
                throw;
            }
            problems += std::string(problems.empty() ? "" : "; ") + e.what();
        }
    }
    if (!file) {
        throw TrustError(path, "listed by " + std::to_string(owners.size()) +
                                   " packages, none of which proves it: " + problems);
    }
    if (m_opts.output) {
        // A regular file or nothing: a device or a symlink there is not replaced.
        struct stat st {};
        if (::lstat(m_opts.output->c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
            throw IoError(*m_opts.output, "not a regular file: refused (-o writes one)");
        }
        AtomicFile out(*m_opts.output);
        out.write(content);
        out.commit();
    } else {
        std::cout << content;
        if (!std::cout.flush()) {
            print_message("error", "cannot write to standard output");
            return to_int(ExitCode::error);
        }
    }
    if (!m_opts.quiet) {
        print_message("", "pristine " + path + " of " + file->package + " " + file->version +
                              ", from " + file->deb);
    }
    return to_int(ExitCode::ok);
}

// The repair of a system: verified, the deviating regular files planned, then put back from
// their proven .debs.
int Cli::repair() const {
    check_vouched(m_opts.sources);
    VerifyOptions verify;
    verify.root = m_opts.restore.root;
    verify.packages = m_opts.packages;
    const ReferenceSet references = load_references(
        m_opts.sources, [&] { return selected_versions(verify); }, reference_log(),
        std::time(nullptr));
    const RepairPlan plan = plan_repair(verify, references, m_opts.repairing);
    for (const std::string& left : plan.left) {
        print_message("not repaired", left);
    }
    for (const Summary::Package& pkg : plan.verification.unreferenced) {
        print_message("not repaired",
                      pkg.name + " " + pkg.version + ": no reference data (" + pkg.reason + ")");
    }
    const bool verbose = m_opts.verbose || !m_opts.restore.apply;
    const RepairResult result =
        apply_repair(plan, m_opts.restore, [verbose, this](const std::string& step) {
            if (verbose && !m_opts.quiet) {
                print_message("", step);
            }
        });
    if (!m_opts.quiet) {
        print_message("", std::string(m_opts.restore.apply ? "repaired " : "would repair ") +
                              std::to_string(result.files.files) + " files, " +
                              std::to_string(result.directories) + " directories and " +
                              std::to_string(result.symlinks) + " symbolic links; " +
                              std::to_string(plan.left.size()) + " deviating files left" +
                              (m_opts.restore.apply ? "" : " (--apply writes them)"));
    }
    return to_int(plan.left.empty() && plan.verification.unreferenced.empty()
                      ? ExitCode::ok
                      : ExitCode::differences);
}

// The restore of a backup: the manifest, only if it is the one the plan wrote; the .debs it
// names, downloaded with --fetch; then the proof, then the files.
int Cli::restore() const {
    const std::string text = read_input(m_opts.manifest, k_max_manifest);
    const std::string actual = to_hex(Sha256::digest(text));
    if (actual != m_opts.manifest_sha256) {
        throw TrustError(m_opts.manifest, "SHA-256 " + actual + " is not " +
                                              m_opts.manifest_sha256 +
                                              ": not the manifest the plan wrote, refused");
    }
    const RestoreManifest manifest = RestoreManifest::parse(text, m_opts.manifest);
    if (m_opts.sources.fetch) {
        const FetchResult fetched =
            fetch_manifest_debs(manifest, m_opts.restore.debs_dirs,
                                m_opts.sources.cache_dir.value_or(default_cache_dir()) + "/debs",
                                m_opts.sources.apt_options);
        for (const std::string& problem : fetched.problems) {
            print_message("warning", problem);
        }
        if (!m_opts.quiet && fetched.fetched != 0) {
            print_message("", std::to_string(fetched.fetched) + " .debs downloaded");
        }
    }
    const bool verbose = m_opts.verbose;
    const RestoreResult result =
        restore_from_manifest(manifest, m_opts.restore, [verbose](const std::string& step) {
            if (verbose) {
                print_message("", step);
            }
        });
    if (!m_opts.quiet) {
        print_message(
            "", std::string(m_opts.restore.apply ? "restored " : "would restore ") +
                    std::to_string(result.files) + " files (" + std::to_string(result.links) +
                    " hard links, " + std::to_string(result.bytes) + " bytes) of " +
                    std::to_string(result.packages) + " packages" +
                    (result.directories != 0
                         ? "; made " + std::to_string(result.directories) + " missing directories"
                         : "") +
                    (m_opts.restore.apply ? "" : " (--apply writes them)"));
        if (!result.database_checked) {
            print_message("", "no dpkg database in " + m_opts.restore.root +
                                  " to check the manifest's packages against (restore the "
                                  "backup first)");
        }
    }
    return to_int(ExitCode::ok);
}

ReferenceLog Cli::reference_log() const {
    ReferenceLog log;
    log.warning = [](const std::string& text) { print_message("warning", text); };
    if (m_opts.verbose) {
        log.note = [](const std::string& text) { print_message("", text); };
    }
    log.generating = cli::generation_progress(k_program, m_opts.quiet);
    return log;
}

int Cli::run(int argc, char** argv) {
    if (const std::optional<int> early = parse(argc, argv)) {
        return *early;
    }
    return cli::guarded(k_program, [this] {
        for (const std::string& dir :
             default_debs_dirs(m_opts.sources.cache_dir.value_or(default_cache_dir()),
                               m_opts.sources.apt_options)) {
            m_opts.restore.debs_dirs.push_back(dir);
        }
        return m_opts.extract ? extract() : m_opts.repair ? repair() : restore();
    });
}

} // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    return Cli().run(argc, argv);
}
