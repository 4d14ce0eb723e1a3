// pkgdesc-verify: checks the files dpkg installed on a system, live or mounted, against pkgdesc
// reference data.
#include "reference_options.hpp"
#include "terminal_line.hpp"

#include <libpkgdesc/backup/backup_plan.hpp>
#include <libpkgdesc/collect/collected.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/exit_code.hpp>
#include <libpkgdesc/integrate/hids.hpp>
#include <libpkgdesc/report/evidence_trail.hpp>
#include <libpkgdesc/report/reporter.hpp>
#include <libpkgdesc/report/run_record.hpp>
#include <libpkgdesc/trust/reference_sources.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/util/unique_fd.hpp>
#include <libpkgdesc/util/utc_time.hpp>
#include <libpkgdesc/verify/reference_set.hpp>
#include <libpkgdesc/verify/verdict_cache.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <boost/program_options.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace pkgdesc;

namespace {

constexpr const char* k_usage =
    R"(Usage: pkgdesc-verify [OPTIONS] --repo DIR --keyring FILE... [PACKAGE...]
       pkgdesc-verify [OPTIONS] --pkgdesc PATH... --trust-unsigned [PACKAGE...]
       pkgdesc-verify --collect [--root DIR] [--unowned] > STREAM
       pkgdesc-verify --from-collected STREAM [OPTIONS] [PACKAGE...]

Check the files of the installed PACKAGEs (default: every installed package) against signed
pkgdesc reference data, and tell which files are pristine.)";

constexpr const char* k_exit_codes = R"(Exit status:
  0  every file checked is pristine and every package checked has reference data
  1  deviations: modified, metadata, missing, unowned or unverifiable files, or packages
     without reference data (named on standard error when the output does not list them)
  2  usage error (an option that would have no effect is one), or input that cannot be read
     (root, dpkg database, reference data)
  3  untrusted reference data: a missing, bad, unknown or expired signature, an expired or
     rolled-back Release, an index that does not match it; or unsigned data without
     --trust-unsigned. Nothing is declared pristine then. --check-evidence: a broken trail.)";

// Prints "pkgdesc-verify: KIND: MESSAGE" on standard error. Messages quote the checked system's
// dpkg database and file names: escaped for the terminal (their backslashes are kept, for the
// library quotes paths escaped already).
constexpr std::string_view k_program = "pkgdesc-verify";

void print_message(std::string_view kind, std::string_view message) {
    cli::print_message(k_program, kind, message);
}

struct Options {
    ReferenceSources sources;
    VerifyOptions verify;
    ReportOptions report;
    std::vector<std::string> allow_files;
    bool no_default_patterns = false;
    bool unowned = false;    // --unowned
    bool no_unowned = false; // --no-unowned
    // The HIDS modes: one of these, or none for a whole verification.
    std::optional<std::string> aide_report;
    std::optional<std::string> aide_db;
    std::optional<std::string> paths_from;
    bool from0 = false;
    // The backup plan mode.
    std::optional<std::string> backup_plan;
    std::vector<std::string> backup_dirs;
    // A routine run: the report kept in this directory, one line printed.
    std::optional<std::string> record;
    // Files whose verdict nothing changed since the last run are not read again.
    bool incremental = false;
    // The evidence trail this run is added to, and how its manifest is signed.
    std::optional<std::string> evidence_dir;
    std::optional<EvidenceSigner> evidence_signer;
    // The trail to prove instead of verifying, and the keys that prove it.
    std::optional<std::string> check_evidence;
    EvidenceKeys evidence_keys;
    std::vector<std::string> command; // as given, for the manifest
    // Collecting the system for a verification elsewhere, signed or not; verifying a collected
    // one, its signature proven by the keys when given.
    bool collect = false;
    bool no_md5 = false;
    std::optional<DetachedSigner> collect_signer;
    std::optional<std::string> from_collected;
    DetachedKeys collected_keys;
    std::optional<std::string> collect_nonce;
    CollectedDemands collected_demands;
};

// Reports over this size are refused (AIDE writes ~200 bytes an entry: 5 million entries).
// About a million entries with their details; parsed, a JSON report takes some ten times its
// size in memory.
constexpr std::size_t k_max_aide_report = std::size_t{256} << 20;

// Passes findings to the reporter and shows progress on a terminal.
class ProgressSink : public FindingSink {
public:
    ProgressSink(Reporter& reporter, bool quiet) : m_reporter(reporter), m_line(quiet) {}
    ProgressSink(const ProgressSink&) = delete;
    ProgressSink& operator=(const ProgressSink&) = delete;

    void finding(const Finding& finding) override { m_reporter.finding(finding); }

    void progress(std::size_t done, std::size_t total) override {
        if (m_line.shown()) {
            m_line.show("pkgdesc-verify: checked " + std::to_string(done) + " of " +
                            std::to_string(total) + " files",
                        done == total);
        }
    }

    void clear() { m_line.clear(); }

private:
    Reporter& m_reporter;
    cli::TerminalLine m_line;
};

class Cli {
public:
    int run(int argc, char** argv);

private:
    std::optional<int> parse(int argc, char** argv);
    bool scans_unowned() const;
    std::optional<std::string> option_without_effect(const po::variables_map& vm) const;
    std::optional<std::string> mode_conflict(const po::variables_map& vm) const;
    std::vector<std::string> allow_patterns() const;
    ReferenceSet load_references(std::optional<DpkgDatabase>& database,
                                 std::vector<std::string>& logged) const;
    int check_evidence() const;
    int collect() const;
    CollectedSystem read_collected();
    std::optional<std::string> collect_conflict(const po::variables_map& vm) const;
    int write_plan(const ReferenceSet& references) const;

    Options m_opts;
};

// The evidence options into `opts`; a message for a combination that makes no sense.
std::optional<std::string> evidence_options(const po::variables_map& vm, Options& opts) {
    const bool openpgp = vm.count("evidence-key") != 0;
    const bool ed25519 = vm.count("evidence-ed25519-key") != 0;
    if (vm.count("evidence-dir") != 0) {
        opts.evidence_dir = vm["evidence-dir"].as<std::string>();
        if (openpgp == ed25519) {
            return "--evidence-dir needs one key to sign with: --evidence-key or "
                   "--evidence-ed25519-key";
        }
        opts.evidence_signer = openpgp
                                   ? EvidenceSigner{EvidenceSigner::Kind::openpgp,
                                                    vm["evidence-key"].as<std::string>()}
                                   : EvidenceSigner{EvidenceSigner::Kind::ed25519,
                                                    vm["evidence-ed25519-key"].as<std::string>()};
    } else if (openpgp || ed25519) {
        return "--evidence-key and --evidence-ed25519-key apply to --evidence-dir";
    }
    const bool keys = !opts.evidence_keys.keyrings.empty() || !opts.evidence_keys.ed25519.empty();
    if (vm.count("check-evidence") != 0) {
        opts.check_evidence = vm["check-evidence"].as<std::string>();
        if (!keys) {
            return "--check-evidence needs the keys that signed the trail: --evidence-keyring "
                   "or --evidence-ed25519-public";
        }
        if (opts.evidence_dir || opts.record || opts.aide_report || opts.aide_db ||
            opts.paths_from || opts.backup_plan || !opts.verify.packages.empty()) {
            return "--check-evidence proves a trail and verifies nothing: give it alone, with "
                   "its keys";
        }
    } else if (keys) {
        return "--evidence-keyring and --evidence-ed25519-public apply to --check-evidence";
    }
    if (opts.evidence_dir &&
        (opts.aide_report || opts.backup_plan || vm.count("format") != 0 || opts.report.list)) {
        return "--evidence-dir keeps the JSON report of a verification: --aide-report, "
               "--backup-plan, --format and --list do not apply";
    }
    return std::nullopt;
}

std::optional<int> Cli::parse(int argc, char** argv) {
    std::string format = "text";
    std::string list;
    cli::ReferenceOptions sources =
        cli::reference_options(m_opts.sources, cli::DebsFor::apt_chain, true);
    po::options_description system("The system");
    system.add_options()(
        "root", po::value<std::string>()->value_name("DIR"),
        "check the system under DIR: its dpkg database, accounts and files (default: /)")(
        "admindir", po::value<std::string>()->value_name("DIR"),
        "read the dpkg database from DIR (default: ROOT/var/lib/dpkg)")(
        "ignore-xattr", po::value<std::vector<std::string>>()->value_name("NAME"),
        "do not report the extended attribute NAME (e.g. security.selinux); repeatable")(
        "expect-changed", po::value<std::vector<std::string>>()->value_name("PATTERN"),
        "do not compare mode, owner, group and mtime of paths matching this pattern (as for "
        "--unowned-allow; content still is); repeatable, adds to the built-in patterns")(
        "jobs,j", po::value<std::string>()->value_name("N"),
        "hash on N threads, 1 or more (default: the number of CPUs)");
    po::options_description unowned("Unowned files");
    unowned.add_options()("unowned", po::bool_switch(&m_opts.unowned),
                          "also report files that no installed package owns (the default with "
                          "a --root other than /)")(
        "no-unowned", po::bool_switch(&m_opts.no_unowned),
        "do not look for unowned files, even with --root")(
        "unowned-dir", po::value<std::vector<std::string>>()->value_name("DIR"),
        "scan DIR instead of /usr, /etc, /boot, /opt (and /bin, /sbin, /lib* where they are "
        "not links into /usr); repeatable")(
        "unowned-allow", po::value<std::vector<std::string>>()->value_name("PATTERN"),
        "a pattern of paths expected to be unowned ('*' stays within a directory, '**' spans "
        "directories); repeatable")(
        "unowned-allow-file",
        po::value<std::vector<std::string>>(&m_opts.allow_files)->value_name("FILE"),
        "read such patterns from FILE, one per line, '#' starts a comment; repeatable")(
        "no-default-patterns", po::bool_switch(&m_opts.no_default_patterns),
        "drop the built-in --unowned-allow and --expect-changed patterns "
        "(see pkgdesc-verify(1))");
    po::options_description hids("Intrusion detection (see docs/hids.md)");
    hids.add_options()("aide-report", po::value<std::string>()->value_name("FILE"),
                       "filter an aide --check report (text or JSON; - for standard input): "
                       "print it without the entries pristine package files explain")(
        "aide-db", po::value<std::string>()->value_name("FILE"),
        "check an AIDE database (aide.db, gzip'd or not; - for standard input) against the "
        "reference data, reading no checked file: which recorded package files are pristine")(
        "paths-from", po::value<std::string>()->value_name("FILE"),
        "check only the absolute paths listed in FILE, one a line (- for standard input); a "
        "path no package owns is reported unowned")("from0", po::bool_switch(&m_opts.from0),
                                                    "the --paths-from list is NUL-separated");
    po::options_description backup("Backup (see docs/backup.md)");
    backup.add_options()("backup-plan", po::value<std::string>()->value_name("DIR"),
                         "write a backup plan into DIR: tar.files, rsync.files, borg.patterns, "
                         "restic.files (everything but the pristine package files) and the "
                         "restore manifest; prints the manifest's SHA-256")(
        "backup-dir", po::value<std::vector<std::string>>(&m_opts.backup_dirs)->value_name("DIR"),
        "back up the tree DIR of the root (default: /; the dpkg database and the accounts files "
        "are always in the plan); repeatable");
    po::options_description routine("Routine runs (the pkgdesc-verify.timer)");
    routine.add_options()(
        "record", po::value<std::string>()->value_name("DIR"),
        "keep the JSON report in DIR/last.json (the one before as DIR/previous.json), the state "
        "(trusted, incomplete or degraded) in DIR/state, metrics for node-exporter's textfile "
        "collector in DIR/pkgdesc.prom; print only the state line")(
        "incremental", po::bool_switch(&m_opts.incremental),
        "do not read again a regular file that the last --incremental run of this root proved "
        "pristine and that has not changed since (same inode, size, mode, owner, link count, "
        "mtime and ctime; the verdicts are kept in the --state-dir; see pkgdesc-verify(1))");
    po::options_description evidence("Evidence trail (see docs/evidence.md)");
    evidence.add_options()(
        "evidence-dir", po::value<std::string>()->value_name("DIR"),
        "add this run to the trail in DIR: its JSON report, a manifest chained to the run "
        "before, signed, and a line in DIR/prooftrail.log; print only the state line")(
        "evidence-key", po::value<std::string>()->value_name("KEYID"),
        "sign the manifest with this OpenPGP key of GNUPGHOME (empty: GnuPG's default key)")(
        "evidence-ed25519-key", po::value<std::string>()->value_name("FILE"),
        "sign the manifest with the Ed25519 private key of this PEM file")(
        "check-evidence", po::value<std::string>()->value_name("DIR"),
        "prove the trail in DIR from its first entry (every signature and link) instead of "
        "verifying; exit status 3 names the first broken link")(
        "evidence-keyring",
        po::value<std::vector<std::string>>(&m_opts.evidence_keys.keyrings)->value_name("FILE"),
        "an OpenPGP keyring that --check-evidence accepts signatures of; repeatable")(
        "evidence-ed25519-public",
        po::value<std::vector<std::string>>(&m_opts.evidence_keys.ed25519)->value_name("FILE"),
        "an Ed25519 public key (PEM) that --check-evidence accepts signatures of; repeatable");
    po::options_description collecting("Collect here, verify there (see docs/collect.md)");
    collecting.add_options()(
        "collect", po::bool_switch(&m_opts.collect),
        "write what verification needs from the system (ROOT) to standard output as one stream, "
        "verifying nothing: no reference data, keys or network")(
        "collect-key", po::value<std::string>()->value_name("KEYID"),
        "sign the stream with this OpenPGP key of GNUPGHOME (empty: GnuPG's default key)")(
        "collect-ed25519-key", po::value<std::string>()->value_name("FILE"),
        "sign the stream with the Ed25519 private key of this PEM file")(
        "collect-nonce", po::value<std::string>()->value_name("NONCE"),
        "keep the verifier's NONCE in the stream (signed with it): --collected-nonce then "
        "refuses any other collection")(
        "no-md5", po::bool_switch(&m_opts.no_md5),
        "collect no MD5 of the files (half the CPU time; files of packages without reference "
        "data are then unverifiable, not compared with their md5sums)")(
        "from-collected", po::value<std::string>()->value_name("FILE"),
        "verify the system collected in FILE (- for standard input) with this host's reference "
        "data, instead of a root")(
        "collected-keyring",
        po::value<std::vector<std::string>>(&m_opts.collected_keys.keyrings)->value_name("FILE"),
        "an OpenPGP keyring whose signature --from-collected demands; repeatable")(
        "collected-ed25519-public",
        po::value<std::vector<std::string>>(&m_opts.collected_keys.ed25519)->value_name("FILE"),
        "an Ed25519 public key (PEM) whose signature --from-collected demands; repeatable")(
        "collected-nonce", po::value<std::string>()->value_name("NONCE"),
        "refuse a stream not collected with --collect-nonce NONCE (a replayed one)")(
        "collected-max-age", po::value<std::string>()->value_name("DURATION"),
        "refuse a stream collected longer ago than DURATION (seconds, or with a unit: 15m, "
        "2h, 7d), or more than 5 minutes in the future");
    po::options_description output("Output");
    output.add_options()("format", po::value<std::string>()->value_name("FORMAT"),
                         "text (default), rpm (rpm -V / dpkg --verify lines) or json")(
        "all", po::bool_switch(&m_opts.report.all),
        "list pristine files too")("list", po::value<std::string>()->value_name("WHICH"),
                                   "print only the paths of the pristine or the deviating files")(
        "list-format", po::value<std::string>()->value_name("FORMAT"),
        "how --list writes a file: paths (default), fapolicyd (trust file lines \"PATH SIZE "
        "SHA256\") or sha256sum (\"SHA256  PATH\"); the last two with --list pristine, regular "
        "files only")("null,0", po::bool_switch(&m_opts.report.null_separated),
                      "end each --list path with NUL instead of a newline")(
        "quiet,q", po::bool_switch(&m_opts.report.quiet),
        "no summary, no progress")("verbose,v", po::bool_switch(&m_opts.report.verbose),
                                   "expected and actual values, diversions and statoverrides")(
        "help,h", "show this help and exit")("version", "show the version and exit");
    po::options_description hidden;
    hidden.add_options()("package", po::value<std::vector<std::string>>(&m_opts.verify.packages));
    po::positional_options_description positional;
    positional.add("package", -1);

    po::options_description visible;
    visible.add(sources.reference)
        .add(sources.chain)
        .add(system)
        .add(unowned)
        .add(hids)
        .add(backup)
        .add(routine)
        .add(evidence)
        .add(collecting)
        .add(output);
    po::options_description all;
    all.add(visible).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        print_message("error", e.what());
        std::cerr << "Try 'pkgdesc-verify --help' for more information.\n";
        return to_int(ExitCode::error);
    }
    if (const std::optional<int> done = cli::help_or_version(vm, "pkgdesc-verify", k_usage, visible,
                                                             k_exit_codes, PKGDESC_VERSION)) {
        return *done;
    }
    // (Strings are read from the map: binding them trips a GCC 12 false positive in Boost.)
    if (vm.count("root") != 0) {
        m_opts.verify.root = vm["root"].as<std::string>();
    }
    if (vm.count("format") != 0) {
        format = vm["format"].as<std::string>();
    }
    if (vm.count("list") != 0) {
        list = vm["list"].as<std::string>();
    }
    auto usage_error = [](const std::string& message) {
        print_message("error", message);
        std::cerr << "Try 'pkgdesc-verify --help' for more information.\n";
        return to_int(ExitCode::error);
    };
    const auto parsed_format = report_format_from_name(format);
    if (!parsed_format) {
        return usage_error("unknown --format '" + format + "' (text, rpm or json)");
    }
    m_opts.report.format = *parsed_format;
    if (!list.empty()) {
        m_opts.report.list = list_selection_from_name(list);
        if (!m_opts.report.list) {
            return usage_error("unknown --list '" + list + "' (pristine or deviating)");
        }
        if (vm.count("format") != 0) {
            return usage_error("--list and --format cannot be combined");
        }
    }
    if (vm.count("list-format") != 0) {
        const std::string name = vm["list-format"].as<std::string>();
        const auto parsed = list_format_from_name(name);
        if (!parsed) {
            return usage_error("unknown --list-format '" + name +
                               "' (paths, fapolicyd or sha256sum)");
        }
        if (!m_opts.report.list) {
            return usage_error("--list-format applies to --list");
        }
        if (*parsed != ListFormat::paths && *m_opts.report.list != ListSelection::pristine) {
            return usage_error("--list-format " + name +
                               " names proven files: it needs --list pristine");
        }
        if (*parsed != ListFormat::paths && m_opts.report.null_separated) {
            return usage_error("-0 applies to --list-format paths only");
        }
        m_opts.report.list_format = *parsed;
    }
    for (const char* mode : {"aide-report", "aide-db", "paths-from"}) {
        if (vm.count(mode) == 0) {
            continue;
        }
        const std::string file = vm[mode].as<std::string>();
        (std::string(mode) == "aide-report" ? m_opts.aide_report
         : std::string(mode) == "aide-db"   ? m_opts.aide_db
                                            : m_opts.paths_from) = file;
    }
    if (vm.count("backup-plan") != 0) {
        m_opts.backup_plan = vm["backup-plan"].as<std::string>();
    }
    if (vm.count("record") != 0) {
        m_opts.record = vm["record"].as<std::string>();
    }
    if (const std::optional<std::string> message = evidence_options(vm, m_opts)) {
        return usage_error(*message);
    }
    m_opts.command.assign(argv, argv + argc);
    if (vm.count("collect-key") != 0) {
        m_opts.collect_signer =
            DetachedSigner{DetachedSigner::Kind::openpgp, vm["collect-key"].as<std::string>()};
    }
    if (vm.count("collect-ed25519-key") != 0) {
        m_opts.collect_signer = DetachedSigner{DetachedSigner::Kind::ed25519,
                                               vm["collect-ed25519-key"].as<std::string>()};
    }
    for (const char* name : {"collect-nonce", "collected-nonce"}) {
        if (vm.count(name) != 0) {
            const std::string& nonce = vm[name].as<std::string>();
            if (!is_collect_nonce(nonce)) {
                return usage_error("--" + std::string(name) +
                                   ": a nonce is 1 to 256 of A-Z a-z 0-9 . _ : + / = -");
            }
            (name == std::string("collect-nonce") ? m_opts.collect_nonce
                                                  : m_opts.collected_demands.nonce) = nonce;
        }
    }
    if (vm.count("collected-max-age") != 0) {
        m_opts.collected_demands.max_age =
            parse_duration(vm["collected-max-age"].as<std::string>());
        if (!m_opts.collected_demands.max_age) {
            return usage_error("--collected-max-age: not a duration (seconds, or a number with "
                               "s, m, h, d or w)");
        }
    }
    if (vm.count("from-collected") != 0) {
        m_opts.from_collected = vm["from-collected"].as<std::string>();
        if (m_opts.collect) {
            return usage_error("--collect and --from-collected: one host collects, another "
                               "verifies");
        }
    }
    if (const std::optional<std::string> message = collect_conflict(vm)) {
        return usage_error(*message);
    }
    if (const std::optional<std::string> message = mode_conflict(vm)) {
        return usage_error(*message);
    }
    if (m_opts.unowned && m_opts.no_unowned) {
        return usage_error("--unowned and --no-unowned contradict each other");
    }
    const bool hids_mode =
        m_opts.aide_report || m_opts.aide_db || m_opts.paths_from || m_opts.backup_plan;
    // A collected system is scanned when it was collected so (known once it is read).
    m_opts.verify.unowned =
        !hids_mode &&
        (m_opts.unowned || (!m_opts.no_unowned && (m_opts.from_collected ||
                                                   scans_unowned_by_default(m_opts.verify.root))));
    if (const std::optional<std::string> message = option_without_effect(vm)) {
        return usage_error(*message);
    }
    if (vm.count("jobs") != 0) {
        const std::string text = vm["jobs"].as<std::string>();
        const char* const end = text.data() + text.size();
        unsigned jobs = 0;
        const auto [stop, error] = std::from_chars(text.data(), end, jobs);
        if (text.empty() || text.front() == '-' || error != std::errc() || stop != end ||
            jobs == 0) {
            return usage_error("--jobs '" + text + "' is not a number of threads (1 or more)");
        }
        m_opts.verify.jobs = jobs;
    }
    if (const std::optional<std::string> message = cli::finish_reference_options(
            vm, m_opts.sources, cli::DebsFor::apt_chain, m_opts.incremental)) {
        return usage_error(*message);
    }
    if (vm.count("admindir") != 0) {
        m_opts.verify.admindir = vm["admindir"].as<std::string>();
    }
    if (vm.count("ignore-xattr") != 0) {
        m_opts.verify.ignore_xattrs = vm["ignore-xattr"].as<std::vector<std::string>>();
    }
    if (vm.count("unowned-dir") != 0) {
        m_opts.verify.unowned_dirs = vm["unowned-dir"].as<std::vector<std::string>>();
        for (const std::string& dir : m_opts.verify.unowned_dirs) {
            if (dir.empty() || dir.front() != '/') {
                return usage_error("--unowned-dir '" + dir + "' is not an absolute path");
            }
        }
    }
    if (m_opts.no_default_patterns) {
        m_opts.verify.unowned_allow.clear();
        m_opts.verify.expect_changed.clear();
    }
    if (vm.count("expect-changed") != 0) {
        for (const std::string& pattern : vm["expect-changed"].as<std::vector<std::string>>()) {
            m_opts.verify.expect_changed.push_back(pattern);
        }
    }
    if (vm.count("unowned-allow") != 0) {
        for (const std::string& pattern : vm["unowned-allow"].as<std::vector<std::string>>()) {
            m_opts.verify.unowned_allow.push_back(pattern);
        }
    }
    m_opts.report.root = m_opts.verify.root;
    // A list of paths asked about gets an answer for each, pristine ones included.
    if (m_opts.paths_from && !m_opts.report.list) {
        m_opts.report.all = true;
    }
    return std::nullopt;
}

// --collect observes and verifies nothing; --from-collected verifies a system read from its
// stream, never a root: the options that would do nothing with them are refused.
std::optional<std::string> Cli::collect_conflict(const po::variables_map& vm) const {
    const bool openpgp = vm.count("collect-key") != 0;
    const bool ed25519 = vm.count("collect-ed25519-key") != 0;
    if (openpgp && ed25519) {
        return "--collect-key and --collect-ed25519-key: give one key to sign with";
    }
    if ((openpgp || ed25519 || m_opts.no_md5 || m_opts.collect_nonce) && !m_opts.collect) {
        return "--collect-key, --collect-ed25519-key, --collect-nonce and --no-md5 apply to "
               "--collect";
    }
    if ((m_opts.collected_keys.empty() == false || m_opts.collected_demands.nonce ||
         m_opts.collected_demands.max_age) &&
        !m_opts.from_collected) {
        return "--collected-keyring, --collected-ed25519-public, --collected-nonce and "
               "--collected-max-age apply to --from-collected";
    }
    if (m_opts.collect) {
        static const std::set<std::string> k_applies{
            "collect", "collect-key", "collect-ed25519-key", "collect-nonce", "no-md5", "root",
            "unowned", "no-unowned",  "unowned-dir",         "jobs",          "quiet",  "verbose"};
        for (const auto& [name, value] : vm) {
            if (!value.defaulted() && !k_applies.contains(name)) {
                return "--" + (name == "package" ? std::string("collect") : name) +
                       (name == "package" ? " takes no PACKAGE arguments: every package is "
                                            "collected, and chosen by --from-collected"
                                          : " does not apply to --collect, which only observes "
                                            "the system: give it to --from-collected");
            }
        }
        return std::nullopt;
    }
    if (!m_opts.from_collected) {
        return std::nullopt;
    }
    for (const char* name : {"root", "admindir", "unowned-dir", "incremental", "aide-report",
                             "aide-db", "backup-plan", "backup-dir"}) {
        const auto it = vm.find(name);
        if (it != vm.end() && !it->second.defaulted()) {
            return "--" + std::string(name) +
                   " does not apply to --from-collected, which verifies the system in its stream "
                   "as it was collected";
        }
    }
    return std::nullopt;
}

// Whether this run looks for files that no package owns: the one place that decides, for the
// options that tune that scan are refused without it.
bool Cli::scans_unowned() const {
    return m_opts.verify.unowned;
}

// An option that would change nothing is refused, so that nobody believes it did: the message
// saying why, or nullopt.
std::optional<std::string> Cli::option_without_effect(const po::variables_map& vm) const {
    if (m_opts.report.null_separated && !m_opts.report.list) {
        return "-0 only applies to --list";
    }
    if (m_opts.report.all && m_opts.report.list) {
        return "--all does not apply to --list, which selects pristine or deviating files itself";
    }
    for (const char* option : {"unowned-dir", "unowned-allow", "unowned-allow-file"}) {
        if (vm.count(option) != 0 && !scans_unowned()) {
            return "--" + std::string(option) +
                   " applies only when unowned files are scanned (--unowned, the default with "
                   "--root)";
        }
    }
    return std::nullopt;
}

// The HIDS modes exclude each other and the options that make no sense with them.
std::optional<std::string> Cli::mode_conflict(const po::variables_map& vm) const {
    if (!m_opts.backup_dirs.empty() && !m_opts.backup_plan) {
        return "--backup-dir applies to --backup-plan";
    }
    for (const std::string& dir : m_opts.backup_dirs) {
        if (dir.empty() || dir.front() != '/') {
            return "--backup-dir '" + dir + "' is not an absolute path";
        }
    }
    if (m_opts.incremental && (m_opts.aide_report || m_opts.aide_db || m_opts.backup_plan)) {
        return "--incremental applies to a verification of the files: --aide-report, "
               "--aide-db and --backup-plan read them in full";
    }
    if (m_opts.record && (m_opts.aide_report || m_opts.backup_plan || vm.count("format") != 0 ||
                          m_opts.report.list)) {
        return "--record keeps the JSON report of a verification: --aide-report, --backup-plan, "
               "--format and --list do not apply";
    }
    const int modes = (m_opts.aide_report ? 1 : 0) + (m_opts.aide_db ? 1 : 0) +
                      (m_opts.paths_from ? 1 : 0) + (m_opts.backup_plan ? 1 : 0);
    if (modes > 1) {
        return "--aide-report, --aide-db, --paths-from and --backup-plan are modes of their own: "
               "give one";
    }
    if (m_opts.backup_plan) {
        if (m_opts.unowned || m_opts.no_unowned) {
            return "--unowned and --no-unowned do not apply to --backup-plan, which backs up "
                   "every file that is not a pristine package file";
        }
        if (vm.count("format") != 0 || m_opts.report.list || m_opts.report.all) {
            return "--backup-plan writes its own files: --format, --list and --all do not apply";
        }
        return std::nullopt;
    }
    if (m_opts.from0 && !m_opts.paths_from) {
        return "--from0 applies to --paths-from";
    }
    if (modes == 0) {
        return std::nullopt;
    }
    if (!m_opts.verify.packages.empty()) {
        return "PACKAGE arguments do not apply to --aide-report, --aide-db or --paths-from, "
               "which name the paths to check";
    }
    if (m_opts.unowned || m_opts.no_unowned) {
        return "--unowned and --no-unowned do not apply to --aide-report, --aide-db or "
               "--paths-from, which report a path no package owns as unowned themselves";
    }
    if (m_opts.aide_report &&
        (vm.count("format") != 0 || m_opts.report.list || m_opts.report.all)) {
        return "--aide-report prints the report in its own form: --format, --list and --all "
               "do not apply";
    }
    return std::nullopt;
}

// Reads --unowned-allow-file patterns: one per line, blank lines and '#' comments skipped.
std::vector<std::string> read_allow_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw IoError::from_errno(path, "cannot open", errno);
    }
    std::vector<std::string> patterns;
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') {
            continue;
        }
        const std::size_t end = line.find_last_not_of(" \t\r");
        patterns.push_back(line.substr(start, end - start + 1));
    }
    if (in.bad()) {
        throw IoError::from_errno(path, "cannot read", errno);
    }
    return patterns;
}

// The reference data from the sources named on the command line; `database`: the dpkg
// database read to choose the versions, when the sources needed it.
ReferenceSet Cli::load_references(std::optional<DpkgDatabase>& database,
                                  std::vector<std::string>& logged) const {
    ReferenceSources sources = m_opts.sources;
    sources.jobs = m_opts.verify.jobs != 0 ? m_opts.verify.jobs : default_jobs();
    // The AIDE filter also looks for what replaced versions shipped.
    sources.other_versions = m_opts.aide_report.has_value();
    ReferenceLog log;
    // What the sources said, signers included, is kept for an evidence manifest.
    const bool keep = m_opts.evidence_dir.has_value();
    log.warning = [keep, &logged](const std::string& text) {
        print_message("warning", text);
        if (keep) {
            logged.push_back("warning: " + text);
        }
    };
    if (!m_opts.report.quiet || keep) {
        log.note = [this, keep, &logged](const std::string& text) {
            if (!m_opts.report.quiet) {
                print_message("", text);
            }
            if (keep) {
                logged.push_back(text);
            }
        };
    }
    if (m_opts.report.verbose || keep) {
        log.detail = [this, keep, &logged](const std::string& text) {
            if (m_opts.report.verbose) {
                print_message("", text);
            }
            if (keep) {
                logged.push_back(text);
            }
        };
    }
    log.generating = cli::generation_progress(k_program, m_opts.report.quiet);
    // The database that chooses the versions is the one verified.
    return pkgdesc::load_references(
        sources,
        [this, &database] {
            database = load_checked_database(m_opts.verify);
            return selected_versions(*database, m_opts.verify);
        },
        log, std::time(nullptr));
}

// The backup plan: its files, a summary on standard error, the manifest's SHA-256 on standard
// output (as sha256sum -c reads it).
int Cli::write_plan(const ReferenceSet& references) const {
    BackupPlanOptions options;
    options.out_dir = *m_opts.backup_plan;
    if (!m_opts.backup_dirs.empty()) {
        options.trees = m_opts.backup_dirs;
    }
    const BackupPlanResult plan = write_backup_plan(options, m_opts.verify, references);
    for (const std::string& problem : plan.unreadable) {
        print_message("warning", problem + ": what it holds is not in the plan");
    }
    if (!m_opts.report.quiet) {
        print_message("", "backup plan: " + std::to_string(plan.backed_up) + " paths to back up (" +
                              std::to_string(plan.backed_up_bytes) + " bytes of files); " +
                              std::to_string(plan.left_out) + " pristine files of " +
                              std::to_string(plan.packages) + " packages left out (" +
                              std::to_string(plan.left_out_bytes) + " bytes)");
        if (!plan.virtual_mounts.empty()) {
            print_message("", "backup plan: " + std::to_string(plan.virtual_mounts.size()) +
                                  " mount points of virtual file systems not backed up");
        }
    }
    std::cout << plan.manifest_sha256 << "  " << *m_opts.backup_plan << "/" << k_plan_manifest
              << "\n";
    if (!std::cout.flush()) {
        print_message("error", "cannot write to standard output");
        return to_int(ExitCode::error);
    }
    return to_int(plan.unreadable.empty() ? ExitCode::ok : ExitCode::differences);
}

// Proves an evidence trail: one line for an intact one, the first broken link otherwise.
int Cli::check_evidence() const {
    const EvidenceCheck check = EvidenceTrail(*m_opts.check_evidence).check(m_opts.evidence_keys);
    std::string signers;
    for (const std::string& signer : check.signers) {
        signers += (signers.empty() ? "" : ", ") + signer;
    }
    if (!check.intact()) {
        throw TrustError(*m_opts.check_evidence, check.broken + " (" +
                                                     std::to_string(check.entries) +
                                                     " entries before it proven)");
    }
    std::cout << "pkgdesc-verify: " << *m_opts.check_evidence << ": " << check.entries
              << " entries proven, signed by " << (signers.empty() ? "nobody" : signers) << "\n";
    if (!std::cout.flush()) {
        print_message("error", "cannot write to standard output");
        return to_int(ExitCode::error);
    }
    return to_int(ExitCode::ok);
}

// Writes the stream of the system to standard output, and what it holds to standard error.
int Cli::collect() const {
    if (::isatty(STDOUT_FILENO) != 0) {
        throw IoError("standard output", "a terminal: --collect writes a stream for "
                                         "pkgdesc-verify --from-collected, to a pipe or a file");
    }
    CollectOptions options;
    options.root = m_opts.verify.root;
    options.jobs = m_opts.verify.jobs;
    options.signer = m_opts.collect_signer;
    options.md5 = !m_opts.no_md5;
    options.nonce = m_opts.collect_nonce;
    if (m_opts.verify.unowned) {
        options.unowned_dirs = m_opts.verify.unowned_dirs;
    }
    const CollectSummary summary = collect_system(options, STDOUT_FILENO);
    if (!m_opts.report.quiet) {
        print_message("", "collected " + std::to_string(summary.paths) + " paths and " +
                              std::to_string(summary.info_members) +
                              " names of the dpkg database's info directory (" +
                              std::to_string(summary.bytes_hashed) +
                              " bytes hashed): " + std::to_string(summary.bytes_written) +
                              " bytes written" + (options.signer ? ", signed" : ""));
    }
    return to_int(ExitCode::ok);
}

// The copy of a collected system, removed when a signal ends the run (unlink(2) and rmdir(2)
// only: async-signal-safe).
std::vector<std::string> g_copy_paths;

extern "C" void remove_copy_and_die(int signal) {
    for (const std::string& path : g_copy_paths) {
        if (::unlink(path.c_str()) != 0) {
            ::rmdir(path.c_str());
        }
    }
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

// Reads the --from-collected stream and points the verification at it.
CollectedSystem Cli::read_collected() {
    const std::string& file = *m_opts.from_collected;
    const std::string shown = file == "-" ? "standard input" : file;
    UniqueFd opened;
    if (file != "-") {
        opened = UniqueFd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!opened.valid()) {
            throw IoError::from_errno(file, "cannot open", errno);
        }
    }
    CollectedDemands demands = m_opts.collected_demands;
    demands.keys = m_opts.collected_keys.empty() ? nullptr : &m_opts.collected_keys;
    CollectedSystem system =
        CollectedSystem::read(file == "-" ? STDIN_FILENO : opened.get(), shown, demands);
    {
        // The copy is made with these signals held, and their handler set before one that
        // came meanwhile is delivered: it never outlives the run they end.
        sigset_t held;
        sigset_t before;
        sigemptyset(&held);
        for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
            sigaddset(&held, signal);
        }
        ::pthread_sigmask(SIG_BLOCK, &held, &before);
        // A copy that cannot be made is removed by the destructor while the signals are still
        // held (and then they end nothing: the run ends on the error).
        system.make_copy();
        g_copy_paths = system.copy_paths();
        for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
            ::signal(signal, remove_copy_and_die);
        }
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
    }
    system.apply(m_opts.verify);
    m_opts.report.root = system.root();
    if (m_opts.verify.unowned) {
        if (!system.unowned_dirs()) {
            if (m_opts.unowned) {
                throw IoError(shown, "collected without the walk for unowned files: --unowned "
                                     "needs pkgdesc-verify --collect --unowned");
            }
            m_opts.verify.unowned = false;
        } else {
            m_opts.verify.unowned_dirs = *system.unowned_dirs();
        }
    }
    if (!m_opts.report.quiet) {
        print_message("", shown + ": the system collected from " + system.root() + " at " +
                              utc_text(system.collected_at()) + ", " +
                              std::to_string(system.paths()) + " paths" +
                              (system.signer().empty() ? std::string(", its signature not checked")
                                                       : ", signed by " + system.signer()));
    }
    return system;
}

int Cli::run(int argc, char** argv) {
    if (const std::optional<int> early = parse(argc, argv)) {
        return *early;
    }
    return cli::guarded(k_program, [this]() -> int {
        if (m_opts.check_evidence) {
            return check_evidence();
        }
        if (m_opts.collect) {
            return collect();
        }
        // Trust: only signed data is used unless the user vouches for unsigned files.
        check_vouched(m_opts.sources);
        // A collected system: read whole (and its signature proven) before anything else.
        std::optional<CollectedSystem> collected;
        if (m_opts.from_collected) {
            collected = read_collected();
        }
        // The input of a HIDS mode, read before anything is trusted or checked.
        std::optional<AideReport> aide_report;
        if (m_opts.aide_report) {
            aide_report = AideReport::parse(read_input(*m_opts.aide_report, k_max_aide_report),
                                            *m_opts.aide_report == "-" ? "standard input"
                                                                       : *m_opts.aide_report);
        }
        std::optional<AideDatabase> aide_db;
        if (m_opts.aide_db) {
            aide_db = AideDatabase::load(*m_opts.aide_db);
        }
        if (m_opts.paths_from) {
            m_opts.verify.only_paths =
                read_path_list(*m_opts.paths_from,
                               m_opts.from0 ? PathListSeparator::nul : PathListSeparator::newline);
        }
        std::optional<DpkgDatabase> database;
        std::vector<std::string> logged;
        const ReferenceSet references = load_references(database, logged);
        if (collected) {
            logged.push_back("collected system: " + *m_opts.from_collected + ", collected from " +
                             collected->root() + " at " + utc_text(collected->collected_at()) +
                             (collected->signer().empty() ? ", signature not checked"
                                                          : ", signed by " + collected->signer()));
        }
        if (m_opts.backup_plan) {
            return write_plan(references);
        }
        if (aide_report) {
            // The report, without what pristine package files explain.
            const AideFilterCounts counts =
                filter_aide_report(*aide_report, m_opts.verify, references, std::cout);
            return to_int(counts.kept == 0 ? ExitCode::ok : ExitCode::differences);
        }
        for (const std::string& file : m_opts.allow_files) {
            for (std::string& pattern : read_allow_file(file)) {
                m_opts.verify.unowned_allow.push_back(std::move(pattern));
            }
        }
        // Verification, reported as it goes (into the record's JSON report, for --record).
        const auto started = std::chrono::steady_clock::now();
        std::ostringstream recorded;
        ReportOptions report = m_opts.report;
        const bool keeps_report = m_opts.record || m_opts.evidence_dir;
        if (keeps_report) {
            report.format = ReportFormat::json;
        }
        const std::unique_ptr<Reporter> reporter =
            make_reporter(report, keeps_report ? static_cast<std::ostream&>(recorded) : std::cout);
        ProgressSink sink(*reporter, m_opts.report.quiet);
        VerdictCache known;
        VerdictCache proven(m_opts.incremental ? std::time(nullptr) : 0);
        std::string verdicts;
        if (m_opts.incremental) {
            verdicts = verdict_cache_file(pkgdesc::state_dir(m_opts.sources), m_opts.verify.root);
            if (const std::string problem = known.load(verdicts); !problem.empty()) {
                print_message("warning", problem);
            }
            m_opts.verify.verdicts_known = &known;
            m_opts.verify.verdicts_proven = &proven;
        }
        const Summary summary =
            aide_db ? verify_aide_baseline(*aide_db, m_opts.verify, references, sink)
                    : Verifier(m_opts.verify, references, std::move(database)).run(sink);
        sink.clear();
        if (!reporter->finish(summary)) {
            print_message("error", "cannot write to standard output");
            return to_int(ExitCode::error);
        }
        if (m_opts.incremental) {
            // A run of some packages or paths keeps the others' verdicts too. A record that
            // cannot be kept costs the next run its shortcut, not this run its report.
            try {
                proven.save(verdicts,
                            !m_opts.verify.packages.empty() || m_opts.verify.only_paths.has_value()
                                ? &known
                                : nullptr);
                if (!m_opts.report.quiet && !keeps_report) {
                    print_message("", "incremental: " + std::to_string(known.hits()) +
                                          " files unchanged since the last run not read; " +
                                          std::to_string(proven.proven()) + " verdicts kept in " +
                                          verdicts);
                }
            } catch (const Error& e) {
                print_message("warning",
                              std::string(e.what()) + ": the verdicts of this run are not kept");
            }
        }
        const ExitCode status = summary.clean() ? ExitCode::ok : ExitCode::differences;
        if (keeps_report) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
            const std::int64_t finished = std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
            std::string line;
            if (m_opts.record) {
                line = record_run(*m_opts.record, recorded.str(), summary, finished, took.count())
                           .line;
            }
            if (m_opts.evidence_dir) {
                EvidenceRun run;
                run.report = recorded.str();
                run.command = m_opts.command;
                run.sources = describe_sources(m_opts.sources);
                run.sources.insert(run.sources.end(), logged.begin(), logged.end());
                run.state = std::string(trust_state_name(trust_state_of(summary)));
                run.finished_unix = finished;
                const EvidenceEntry entry =
                    EvidenceTrail(*m_opts.evidence_dir).append(run, *m_opts.evidence_signer);
                if (line.empty()) {
                    line = run_record_line(summary);
                }
                line += " (evidence: " + entry.name + ", manifest " + entry.manifest_sha256 + ")";
            }
            std::cout << "pkgdesc-verify: " << line << "\n";
            if (!std::cout.flush()) {
                print_message("error", "cannot write to standard output");
                return to_int(ExitCode::error);
            }
            return to_int(status);
        }
        // Packages without reference data, where the report does not name them: no exit
        // status 1 goes unexplained.
        for (const std::string& note : unreferenced_notes(m_opts.report, summary)) {
            std::cerr << "pkgdesc-verify: " << note << "\n";
        }
        return to_int(status);
    });
}

} // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    return Cli().run(argc, argv);
}
