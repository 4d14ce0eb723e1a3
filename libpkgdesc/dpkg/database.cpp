// Reading the dpkg database: status through libapt-pkg's tag file parser, the small line-based
// files (lists, diversions, statoverride) directly.
#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/apt_error.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/util/thread_pool.hpp>

#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/tagfile.h>

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <numeric>

namespace pkgdesc {

namespace {

// What the database of a real system can hold, with a wide margin: the largest Debian packages
// list a few hundred thousand paths, whole systems a few million. Beyond that the database is
// refused rather than costing memory in proportion to what an attacker wrote.
constexpr std::size_t k_max_list_paths = 1'000'000;
constexpr std::size_t k_max_total_paths = 8'000'000;
constexpr std::size_t k_max_packages = 200'000;

constexpr std::array<std::pair<std::string_view, PackageState>, 8> k_states{{
    {"not-installed", PackageState::not_installed},
    {"config-files", PackageState::config_files},
    {"half-installed", PackageState::half_installed},
    {"unpacked", PackageState::unpacked},
    {"half-configured", PackageState::half_configured},
    {"triggers-awaited", PackageState::triggers_awaited},
    {"triggers-pending", PackageState::triggers_pending},
    {"installed", PackageState::installed},
}};

// The reason open_regular() gave, for messages.
std::string open_failure(int error) {
    return error == EINVAL ? "not a regular file" : std::strerror(error);
}

std::string read_admin_file(const RootDir& admindir, const std::string& name, bool& exists) {
    OpenResult file = admindir.open_regular(name);
    exists = file.ok();
    if (!file.ok()) {
        if (file.error == ENOENT) {
            return {};
        }
        throw IoError(admindir.display(name), "cannot open: " + open_failure(file.error));
    }
    return read_small_file(file.fd.get(), admindir.display(name));
}

std::vector<Conffile> parse_conffiles(std::string_view value, const std::string& where) {
    std::vector<Conffile> conffiles;
    for (const std::string_view line : split_lines(value)) {
        const std::vector<std::string_view> words = split_words(line);
        if (words.empty()) {
            continue;
        }
        if (words.size() < 2 || words[0].front() != '/') {
            throw IoError(where, "malformed Conffiles line '" + std::string(line) + "'");
        }
        Conffile conffile;
        conffile.path = std::string(words[0]);
        conffile.md5 = std::string(words[1]);
        for (std::size_t i = 2; i < words.size(); ++i) {
            if (words[i] == "obsolete") {
                conffile.obsolete = true;
            } else if (words[i] == "remove-on-upgrade") {
                conffile.remove_on_upgrade = true;
            } else {
                throw IoError(where, "unknown Conffiles flag '" + std::string(words[i]) + "'");
            }
        }
        conffiles.push_back(std::move(conffile));
    }
    return conffiles;
}

InstalledPackage package_from_section(const pkgTagSection& section, const std::string& display) {
    InstalledPackage pkg;
    pkg.name = section.FindS("Package");
    if (pkg.name.empty()) {
        throw IoError(display, "stanza without a Package field");
    }
    const std::string where = display + ": package '" + pkg.name + "'";
    pkg.architecture = section.FindS("Architecture");
    pkg.version = section.FindS("Version");
    pkg.multi_arch_same = section.FindS("Multi-Arch") == "same";
    const std::string status = section.FindS("Status");
    const std::vector<std::string_view> words = split_words(status);
    if (words.size() != 3) {
        throw IoError(where, "malformed Status '" + status + "'");
    }
    const auto state = std::find_if(k_states.begin(), k_states.end(),
                                    [&](const auto& entry) { return entry.first == words[2]; });
    if (state == k_states.end()) {
        throw IoError(where, "unknown package state '" + std::string(words[2]) + "'");
    }
    pkg.state = state->second;
    pkg.conffiles = parse_conffiles(section.FindS("Conffiles"), where);
    return pkg;
}

std::vector<InstalledPackage> read_status(const RootDir& admindir) {
    const std::string display = admindir.display("status");
    OpenResult file = admindir.open_regular("status");
    if (!file.ok()) {
        throw IoError(display, "cannot open the dpkg status file: " + open_failure(file.error));
    }
    AptErrorScope errors;
    FileFd fd;
    if (!fd.OpenDescriptor(file.fd.get(), FileFd::ReadOnly, FileFd::None, false)) {
        AptErrorScope::fail(display, "cannot read");
    }
    pkgTagFile tags(&fd);
    pkgTagSection section;
    std::vector<InstalledPackage> packages;
    while (tags.Step(section)) {
        if (packages.size() == k_max_packages) {
            throw IoError(display,
                          "more than " + std::to_string(k_max_packages) + " packages: refused");
        }
        packages.push_back(package_from_section(section, display));
    }
    if (_error->PendingError()) {
        AptErrorScope::fail(display, "cannot parse");
    }
    return packages;
}

void read_file_list(const RootDir& admindir, const InstalledPackage& pkg,
                    std::vector<std::string>& files) {
    const std::string qualified = "info/" + pkg.name + ":" + pkg.architecture + ".list";
    const std::string plain = "info/" + pkg.name + ".list";
    bool exists = false;
    std::string text;
    if (pkg.multi_arch_same) {
        text = read_admin_file(admindir, qualified, exists);
    }
    if (!exists) {
        text = read_admin_file(admindir, plain, exists);
    }
    const std::string& display = admindir.display(pkg.multi_arch_same ? qualified : plain);
    for (const std::string_view line : split_lines(text)) {
        if (line.empty()) {
            continue;
        }
        if (files.size() == k_max_list_paths) {
            throw IoError(display, "more than " + std::to_string(k_max_list_paths) +
                                       " paths in one file list: refused");
        }
        if (line.front() != '/') {
            throw IoError(display, "relative path '" + std::string(line) + "' in file list");
        }
        files.emplace_back(line == "/." ? std::string_view("/") : line);
    }
}

} // namespace

std::string_view state_name(PackageState state) {
    for (const auto& [name, value] : k_states) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

std::string InstalledPackage::display_name() const {
    return multi_arch_same ? name + ":" + architecture : name;
}

bool InstalledPackage::has_unpacked_files() const {
    return state >= PackageState::unpacked;
}

const Conffile* InstalledPackage::find_conffile(std::string_view path) const {
    for (const Conffile& conffile : conffiles) {
        if (conffile.path == path) {
            return &conffile;
        }
    }
    return nullptr;
}

std::vector<Diversion> parse_diversions(std::string_view text, const std::string& display) {
    const std::vector<std::string_view> lines = split_lines(text);
    if (lines.size() % 3 != 0) {
        throw IoError(display, "truncated diversion (" + std::to_string(lines.size()) +
                                   " lines, not a multiple of 3)");
    }
    std::vector<Diversion> diversions;
    for (std::size_t i = 0; i < lines.size(); i += 3) {
        Diversion diversion{std::string(lines[i]), std::string(lines[i + 1]),
                            std::string(lines[i + 2])};
        if (diversion.from.empty() || diversion.from.front() != '/' || diversion.to.empty() ||
            diversion.to.front() != '/') {
            throw IoError(display, "malformed diversion at line " + std::to_string(i + 1));
        }
        if (diversion.by == ":") {
            diversion.by.clear();
        }
        diversions.push_back(std::move(diversion));
    }
    return diversions;
}

std::vector<StatOverride> parse_statoverrides(std::string_view text, const std::string& display) {
    std::vector<StatOverride> overrides;
    std::size_t line_number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++line_number;
        if (line.empty()) {
            continue;
        }
        const std::string where = display + ":" + std::to_string(line_number);
        // "USER GROUP MODE PATH": the path is the rest of the line and may hold spaces.
        std::size_t pos = 0;
        std::array<std::string_view, 3> words;
        for (std::string_view& word : words) {
            const std::size_t end = line.find(' ', pos);
            if (end == std::string_view::npos) {
                throw IoError(where, "malformed statoverride line");
            }
            word = line.substr(pos, end - pos);
            pos = end + 1;
        }
        StatOverride entry;
        entry.user = std::string(words[0]);
        entry.group = std::string(words[1]);
        entry.path = std::string(line.substr(pos));
        std::uint32_t mode = 0;
        if (words[2].empty() || words[2].size() > 6) {
            throw IoError(where, "malformed mode '" + std::string(words[2]) + "'");
        }
        for (const char c : words[2]) {
            if (c < '0' || c > '7') {
                throw IoError(where, "malformed mode '" + std::string(words[2]) + "'");
            }
            mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
        }
        entry.mode = mode & 07777;
        if (entry.user.empty() || entry.group.empty() || entry.path.empty() ||
            entry.path.front() != '/') {
            throw IoError(where, "malformed statoverride line");
        }
        overrides.push_back(std::move(entry));
    }
    return overrides;
}

DpkgDatabase DpkgDatabase::load(const RootDir& admindir) {
    DpkgDatabase db;
    db.m_packages = read_status(admindir);
    bool exists = false;
    db.m_diversions = parse_diversions(read_admin_file(admindir, "diversions", exists),
                                       admindir.display("diversions"));
    db.m_statoverrides = parse_statoverrides(read_admin_file(admindir, "statoverride", exists),
                                             admindir.display("statoverride"));
    for (std::size_t i = 0; i < db.m_diversions.size(); ++i) {
        db.m_diversion_index.emplace(db.m_diversions[i].from, i);
    }
    for (std::size_t i = 0; i < db.m_statoverrides.size(); ++i) {
        db.m_statoverride_index.emplace(db.m_statoverrides[i].path, i);
    }
    return db;
}

void DpkgDatabase::read_file_lists(const RootDir& admindir,
                                   const std::function<bool(const InstalledPackage&)>& which) {
    std::vector<InstalledPackage*> reading;
    for (InstalledPackage& pkg : m_packages) {
        if (!pkg.files_read && pkg.state != PackageState::not_installed && which(pkg)) {
            reading.push_back(&pkg);
        }
    }
    // Read on every CPU (up to 4), taken in database order; the threads run at most 4 lists
    // ahead of the count that bounds them all (so at most 4 lists of 1,000,000 paths beyond
    // the 8,000,000 are ever read).
    struct Read {
        std::vector<std::string> files;
        std::exception_ptr error;
    };
    constexpr std::size_t k_lists_ahead = 4;
    std::vector<std::size_t> schedule(reading.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    run_ordered<Read>(
        reading.size(), std::min<unsigned>(default_jobs(), k_lists_ahead), schedule,
        [&](std::size_t index) {
            Read read;
            try {
                read_file_list(admindir, *reading[index], read.files);
            } catch (...) {
                read.error = std::current_exception();
            }
            return read;
        },
        [&](std::size_t index, Read& read) {
            if (read.error) {
                std::rethrow_exception(read.error);
            }
            InstalledPackage& pkg = *reading[index];
            m_paths_read += read.files.size();
            if (m_paths_read > k_max_total_paths) {
                throw IoError(admindir.display("info"), "the file lists name more than " +
                                                            std::to_string(k_max_total_paths) +
                                                            " paths: refused");
            }
            pkg.files = std::move(read.files);
            pkg.files_read = true;
        },
        1, k_lists_ahead);
}

const Diversion* DpkgDatabase::find_diversion(std::string_view from) const {
    const auto it = m_diversion_index.find(from);
    return it == m_diversion_index.end() ? nullptr : &m_diversions[it->second];
}

const StatOverride* DpkgDatabase::find_statoverride(std::string_view path) const {
    const auto it = m_statoverride_index.find(path);
    return it == m_statoverride_index.end() ? nullptr : &m_statoverrides[it->second];
}

} // namespace pkgdesc
