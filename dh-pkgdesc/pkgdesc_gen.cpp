// pkgdesc-gen: prints, writes or checks the pkgdesc of .deb files and staged package trees.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/exit_code.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/format/pkgdesc_diff.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/generate/generator.hpp>
#include <libpkgdesc/trust/repository.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/thread_pool.hpp>

#include <boost/program_options.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace pkgdesc;

namespace {

constexpr const char* k_usage = R"(Usage: pkgdesc-gen [OPTIONS] FILE.deb...
       pkgdesc-gen --check [OPTIONS] FILE.deb...
       pkgdesc-gen --tree DIR [--root-owner-group] [--clamp-mtime EPOCH] [--output FILE]
       pkgdesc-gen --repo DIR --suite SUITE --component COMPONENT [--sign-key KEYID]
                   FILE.deb|FILE.pkgdesc...

Print the pkgdesc stanza of each FILE.deb (blank-line separated, in argument order), write
them into a directory, check the DEBIAN/pkgdesc that a package embeds, or publish them in a
signed repository.)";

struct Options {
    std::vector<std::string> files;
    std::optional<std::string> output_dir;
    bool check = false;
    unsigned jobs = 0;
    bool quiet = false;
    std::optional<std::string> tree;
    bool root_owner_group = false;
    std::optional<std::int64_t> clamp_mtime;
    std::optional<std::string> output;
    std::optional<std::string> repo;
    std::string suite;
    std::string component;
    std::string sign_key;
    unsigned valid_for_days = 30;
    std::optional<std::int64_t> date;
    std::string origin;
    std::string label;
    std::optional<std::string> state_dir;
    std::string previous_key;
};

// The outcome of one input file, produced on a worker thread and printed in input order.
struct FileResult {
    ExitCode status = ExitCode::ok;
    std::string out; // for standard output
    std::string err; // for standard error
};

class Cli {
public:
    int run(int argc, char** argv);

private:
    std::optional<int> parse(int argc, char** argv);
    FileResult process(const std::string& file) const;
    FileResult check(const std::string& file, const DebDescription& result) const;
    int run_tree() const;
    int run_repo() const;
    bool print(const std::string& text, std::FILE* stream) const;

    Options m_opts;
    DebReaderOptions m_reader;
};

// Copies option NAME into TARGET when it was given. (Values are read from the map rather than
// bound: binding strings trips a GCC 12 false positive in Boost.)
template <typename T, typename Target>
void take(const po::variables_map& vm, const char* name, Target& target) {
    if (vm.count(name) != 0) {
        target = vm[name].as<T>();
    }
}

std::optional<int> Cli::parse(int argc, char** argv) {
    po::options_description gen("Generation");
    gen.add_options()("output-dir,o", po::value<std::string>()->value_name("DIR"),
                      "write DIR/PACKAGE_VERSION_ARCH.pkgdesc for each FILE instead of printing")(
        "check,c", po::bool_switch(&m_opts.check),
        "check that each FILE's embedded DEBIAN/pkgdesc matches its content; "
        "prints the differing paths, exit status 1 on any difference")(
        "jobs,j", po::value<unsigned>()->value_name("N"),
        "process N files in parallel (default: the number of CPUs)");
    po::options_description tree("Package trees (used by dh_pkgdesc)");
    tree.add_options()(
        "tree", po::value<std::string>()->value_name("DIR"),
        "describe the staged package tree DIR (DIR/DEBIAN/control, ...) as dpkg-deb would "
        "pack it")("root-owner-group", po::bool_switch(&m_opts.root_owner_group),
                   "every member is owned by root:root, as with dpkg-deb --root-owner-group")(
        "clamp-mtime", po::value<std::int64_t>()->value_name("EPOCH"),
        "clamp modification times to EPOCH, as dpkg-deb does with SOURCE_DATE_EPOCH")(
        "output", po::value<std::string>()->value_name("FILE"),
        "write the stanza to FILE (replaced atomically) instead of standard output");
    po::options_description repo("Signed repositories");
    repo.add_options()("repo", po::value<std::string>()->value_name("DIR"),
                       "add the stanzas of FILE.deb (or of FILE.pkgdesc) to the repository DIR and "
                       "re-sign it (see pkgdesc-gen(1))")(
        "suite", po::value<std::string>()->value_name("SUITE"),
        "the suite to publish to")("component", po::value<std::string>()->value_name("COMPONENT"),
                                   "the component to publish to (e.g. main)")(
        "sign-key", po::value<std::string>()->value_name("KEYID"),
        "sign with this secret key of the GnuPG home (default: GnuPG's default key)")(
        "previous-key", po::value<std::string>()->value_name("KEYID"),
        "key rotation: also accept the published InRelease signed by this (public) key")(
        "valid-for", po::value<unsigned>(&m_opts.valid_for_days)->value_name("DAYS"),
        "Valid-Until DAYS after Date (default: 30; 0: no Valid-Until)")(
        "date", po::value<std::int64_t>()->value_name("EPOCH"),
        "the Release Date, in seconds since the epoch (default: now)")(
        "origin", po::value<std::string>()->value_name("TEXT"), "the Release's Origin field")(
        "label", po::value<std::string>()->value_name("TEXT"), "the Release's Label field")(
        "state-dir", po::value<std::string>()->value_name("DIR"),
        "remember the newest Release signed per suite in DIR, to refuse a rolled-back suite "
        "(default: /var/lib/pkgdesc for root, else ~/.local/state/pkgdesc)");
    po::options_description general("General");
    general.add_options()("quiet,q", po::bool_switch(&m_opts.quiet),
                          "with --check, print only differences")(
        "help,h", "show this help and exit")("version", "show the version and exit");
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("file", -1);

    po::options_description all;
    all.add(gen).add(tree).add(repo).add(general).add(hidden);
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);

    if (vm.count("help")) {
        po::options_description shown;
        shown.add(gen).add(tree).add(repo).add(general);
        std::cout << k_usage << "\n\n"
                  << shown
                  << "\nExit status: 0 success, 1 differences found (--check), "
                     "2 usage error or unreadable/invalid input.\n"
                     "See pkgdesc-gen(1) and pkgdesc(5).\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "pkgdesc-gen " PKGDESC_VERSION "\n";
        return 0;
    }
    take<std::vector<std::string>>(vm, "file", m_opts.files);
    take<std::string>(vm, "output-dir", m_opts.output_dir);
    take<std::string>(vm, "tree", m_opts.tree);
    take<std::int64_t>(vm, "clamp-mtime", m_opts.clamp_mtime);
    take<std::string>(vm, "output", m_opts.output);
    for (const char* name :
         {"suite", "component", "sign-key", "previous-key", "origin", "label", "state-dir"}) {
        if (vm.count(name) != 0 && vm.count("repo") == 0) {
            throw po::error(std::string("--") + name + " needs --repo");
        }
    }
    if (vm.count("repo")) {
        take<std::string>(vm, "repo", m_opts.repo);
        if (vm.count("suite") == 0 || vm.count("component") == 0) {
            throw po::error("--repo needs --suite and --component");
        }
        take<std::string>(vm, "suite", m_opts.suite);
        take<std::string>(vm, "component", m_opts.component);
        take<std::string>(vm, "sign-key", m_opts.sign_key);
        take<std::string>(vm, "previous-key", m_opts.previous_key);
        take<std::string>(vm, "origin", m_opts.origin);
        take<std::string>(vm, "label", m_opts.label);
        take<std::string>(vm, "state-dir", m_opts.state_dir);
        take<std::int64_t>(vm, "date", m_opts.date);
        if (m_opts.tree || m_opts.check || vm.count("output-dir")) {
            throw po::error("--repo excludes --tree, --check and --output-dir");
        }
    } else if (vm.count("valid-for") || vm.count("date")) {
        throw po::error("--valid-for and --date need --repo");
    }
    m_opts.jobs = vm.count("jobs") ? vm["jobs"].as<unsigned>() : default_jobs();
    if (m_opts.jobs == 0) {
        throw po::error("--jobs must be at least 1");
    }
    if (m_opts.tree) {
        if (!m_opts.files.empty() || m_opts.check || m_opts.output_dir) {
            throw po::error("--tree takes no FILE, --check or --output-dir");
        }
    } else {
        if (m_opts.files.empty()) {
            throw po::error("no FILE.deb given");
        }
        if (m_opts.root_owner_group || m_opts.clamp_mtime || m_opts.output) {
            throw po::error("--root-owner-group, --clamp-mtime and --output need --tree");
        }
        if (m_opts.check && m_opts.output_dir) {
            throw po::error("--check and --output-dir exclude each other");
        }
    }
    return std::nullopt;
}

FileResult Cli::check(const std::string& file, const DebDescription& result) const {
    FileResult r;
    if (!result.embedded_pkgdesc) {
        r.status = ExitCode::differences;
        r.out = file + ": no DEBIAN/pkgdesc member\n";
        return r;
    }
    const std::string generated = to_string(result.desc);
    if (*result.embedded_pkgdesc == generated) {
        if (!m_opts.quiet) {
            r.out = file + ": OK\n";
        }
        return r;
    }
    r.status = ExitCode::differences;
    try {
        const Pkgdesc embedded = parse_pkgdesc(*result.embedded_pkgdesc, file + ": DEBIAN/pkgdesc");
        const auto differences = diff(embedded, result.desc);
        for (const auto& d : differences) {
            const std::string what = d.kind == Difference::Kind::field     ? "field "
                                     : d.kind == Difference::Kind::control ? "control member "
                                                                           : "";
            r.out += file + ": differs: " + what + escape(d.name) + " (" + d.detail + ")\n";
        }
        if (differences.empty()) {
            r.out += file + ": differs: DEBIAN/pkgdesc is not in canonical form\n";
        }
    } catch (const ParseError& e) {
        r.out += std::string(e.what()) + "\n";
    }
    return r;
}

FileResult Cli::process(const std::string& file) const {
    FileResult r;
    try {
        const DebDescription result = describe_deb(file, m_reader);
        if (m_opts.check) {
            return check(file, result);
        }
        std::string text = to_string(result.desc);
        if (m_opts.output_dir) {
            AtomicFile out(*m_opts.output_dir + "/" + output_file_name(result.desc));
            out.write(text);
            out.commit();
        } else {
            r.out = std::move(text);
        }
    } catch (const Error& e) {
        r.status = ExitCode::error;
        r.err = "pkgdesc-gen: " + std::string(e.what()) + "\n";
    } catch (const std::exception& e) {
        r.status = ExitCode::error;
        r.err = "pkgdesc-gen: " + file + ": " + e.what() + "\n";
    }
    return r;
}

bool Cli::print(const std::string& text, std::FILE* stream) const {
    return text.empty() || std::fwrite(text.data(), 1, text.size(), stream) == text.size();
}

// Describes every input (a .deb, or a file of stanzas), then publishes them all or nothing.
int Cli::run_repo() const {
    const std::size_t count = m_opts.files.size();
    std::vector<std::size_t> schedule(count);
    std::iota(schedule.begin(), schedule.end(), 0);
    struct Described {
        std::vector<Pkgdesc> stanzas;
        std::string error;
    };
    std::vector<Pkgdesc> stanzas;
    bool failed = false;
    run_ordered<Described>(
        count, std::min<unsigned>(m_opts.jobs, static_cast<unsigned>(count)), schedule,
        [&](std::size_t i) {
            Described d;
            const std::string& file = m_opts.files[i];
            try {
                if (file.size() > 8 && file.compare(file.size() - 8, 8, ".pkgdesc") == 0) {
                    std::ifstream in(file, std::ios::binary);
                    if (!in) {
                        throw IoError::from_errno(file, "cannot open", errno);
                    }
                    d.stanzas = parse_pkgdesc_stream(in, file);
                } else {
                    d.stanzas.push_back(describe_deb(file, m_reader).desc);
                }
            } catch (const std::exception& e) {
                d.error = e.what();
            }
            return d;
        },
        [&](std::size_t, Described& d) {
            if (!d.error.empty()) {
                std::cerr << "pkgdesc-gen: error: " << d.error << "\n";
                failed = true;
            }
            for (Pkgdesc& desc : d.stanzas) {
                stanzas.push_back(std::move(desc));
            }
        });
    if (failed) {
        std::cerr << "pkgdesc-gen: error: " << *m_opts.repo << ": nothing published\n";
        return to_int(ExitCode::error);
    }
    PublishOptions options;
    options.dir = *m_opts.repo;
    options.suite = m_opts.suite;
    options.component = m_opts.component;
    options.sign_key = m_opts.sign_key;
    options.previous_key = m_opts.previous_key;
    options.date = m_opts.date ? static_cast<std::time_t>(*m_opts.date) : std::time(nullptr);
    if (m_opts.valid_for_days != 0) {
        options.valid_until =
            options.date + static_cast<std::time_t>(m_opts.valid_for_days) * 24 * 3600;
    }
    options.origin = m_opts.origin;
    options.label = m_opts.label;
    options.threads = default_jobs();
    const std::string state_dir = m_opts.state_dir ? *m_opts.state_dir : default_state_dir();
    options.history = state_dir + "/published-history";
    const PublishResult result = publish(options, std::move(stanzas));
    if (!m_opts.quiet) {
        std::cout << *m_opts.repo << "/dists/" << m_opts.suite << ": " << result.added
                  << " stanzas added, " << result.unchanged << " already published, "
                  << result.total << " in the updated indexes; signed\n";
    }
    return to_int(ExitCode::ok);
}

int Cli::run_tree() const {
    TreeOptions options;
    options.owners =
        m_opts.root_owner_group ? TreeOptions::Owners::root : TreeOptions::Owners::from_tree;
    options.clamp_mtime = m_opts.clamp_mtime;
    const std::string text = to_string(describe_tree(*m_opts.tree, options));
    if (m_opts.output) {
        AtomicFile out(*m_opts.output);
        out.write(text);
        out.commit();
    } else if (!print(text, stdout) || std::fflush(stdout) != 0) {
        throw IoError("standard output", "write error");
    }
    return to_int(ExitCode::ok);
}

int Cli::run(int argc, char** argv) {
    try {
        if (auto rc = parse(argc, argv)) {
            return *rc;
        }
    } catch (const po::error& e) {
        std::cerr << "pkgdesc-gen: error: " << e.what() << "\nTry 'pkgdesc-gen --help'.\n";
        return to_int(ExitCode::error);
    }
    try {
        if (m_opts.tree) {
            return run_tree();
        }
        if (m_opts.repo) {
            return run_repo();
        }
        // -o DIR is created when missing (its parent must exist).
        if (m_opts.output_dir && ::mkdir(m_opts.output_dir->c_str(), 0755) != 0 &&
            errno != EEXIST) {
            throw IoError::from_errno(*m_opts.output_dir, "cannot create directory", errno);
        }
        // Largest files first, so that one big package does not finish last on its own.
        const std::size_t count = m_opts.files.size();
        std::vector<std::uint64_t> sizes(count, 0);
        for (std::size_t i = 0; i < count; ++i) {
            struct stat st {};
            if (::stat(m_opts.files[i].c_str(), &st) == 0) {
                sizes[i] = static_cast<std::uint64_t>(st.st_size);
            }
        }
        std::vector<std::size_t> schedule(count);
        std::iota(schedule.begin(), schedule.end(), 0);
        std::stable_sort(schedule.begin(), schedule.end(),
                         [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
        const unsigned workers = std::min<unsigned>(m_opts.jobs, static_cast<unsigned>(count));
        m_reader.xz_threads = std::max(1u, default_jobs() / workers);

        ExitCode status = ExitCode::ok;
        bool first_stanza = true;
        bool write_failed = false;
        run_ordered<FileResult>(
            count, workers, schedule, [&](std::size_t i) { return process(m_opts.files[i]); },
            [&](std::size_t, FileResult& r) {
                if (!r.out.empty() && !m_opts.check && !m_opts.output_dir) {
                    if (!first_stanza) {
                        write_failed |= !print("\n", stdout);
                    }
                    first_stanza = false;
                }
                write_failed |= !print(r.out, stdout);
                if (!r.err.empty()) {
                    std::fflush(stdout);
                    print(r.err, stderr);
                }
                if (to_int(r.status) > to_int(status)) {
                    status = r.status;
                }
            });
        if (write_failed || std::fflush(stdout) != 0 || std::ferror(stdout)) {
            throw IoError("standard output", "write error");
        }
        return to_int(status);
    } catch (const std::exception& e) {
        std::cerr << "pkgdesc-gen: error: " << e.what() << "\n";
        return to_int(ExitCode::error);
    }
}

} // namespace

int main(int argc, char** argv) {
    return Cli().run(argc, argv);
}
