// Reading the restore manifest: see restore_manifest.hpp.
#include <libpkgdesc/restore/restore_manifest.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

namespace pkgdesc {

namespace {

template <typename T> bool parse_number(std::string_view text, T& value, int base = 10) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return !text.empty() && text.front() != '-' && text.front() != '+' && error == std::errc() &&
           end == text.data() + text.size();
}

bool is_hex_digest(std::string_view text) {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::vector<std::string> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::istringstream in{std::string(line)};
    std::string word;
    while (in >> word) {
        words.push_back(word);
    }
    return words;
}

class Reader {
public:
    explicit Reader(const std::string& shown) : m_shown(shown) {}

    [[noreturn]] void fail(std::size_t line, const std::string& reason) const {
        throw ParseError(m_shown, line, reason);
    }

    const Deb822Field& need(const Deb822Stanza& stanza, std::string_view name) const {
        const Deb822Field* field = stanza.find(name);
        if (field == nullptr) {
            fail(stanza.line, "no " + std::string(name) + " field");
        }
        return *field;
    }

    std::string path(std::size_t line, std::string_view escaped) const {
        const std::optional<std::string> raw = unescape(escaped);
        if (!raw || !is_normalized_path(*raw) || raw->find('\0') != std::string::npos) {
            fail(line, "'" + std::string(escaped) + "' is not an absolute, normalized path");
        }
        // What a file system holds: PATH_MAX in all, NAME_MAX a name.
        std::size_t longest = 0;
        for (std::size_t start = 1; start <= raw->size();) {
            const std::size_t end = std::min(raw->find('/', start), raw->size());
            longest = std::max(longest, end - start);
            start = end + 1;
        }
        if (raw->size() > 4095 || longest > 255) {
            fail(line, "a path of " + std::to_string(raw->size()) + " bytes, or with a name of " +
                           std::to_string(longest) +
                           ": longer than a file system takes (4095, 255)");
        }
        return *raw;
    }

    ManifestFile file(std::size_t line, std::string_view text) const {
        const std::vector<std::string> words = split_words(text);
        if (words.size() != 7 && words.size() != 8) {
            fail(line, "a file line is \"SHA256 SIZE MODE OWNER GROUP MTIME PATH [FIRST-LINK]\"");
        }
        ManifestFile file;
        file.sha256 = words[0];
        if (!is_hex_digest(file.sha256)) {
            fail(line, "'" + words[0] + "' is not a SHA-256 in hexadecimal");
        }
        if (!parse_number(words[1], file.size)) {
            fail(line, "'" + words[1] + "' is not a size");
        }
        if (words[2].size() != 4 || !parse_number(words[2], file.mode, 8) || file.mode > 07777) {
            fail(line, "'" + words[2] + "' is not a mode (four octal digits)");
        }
        for (const std::size_t k : {std::size_t{3}, std::size_t{4}}) {
            const std::optional<std::string> name = unescape(words[k]);
            if (!name || name->empty() || name->find_first_of(":\n") != std::string::npos) {
                fail(line, "'" + words[k] + "' is not a user or group name");
            }
            (k == 3 ? file.owner : file.group) = *name;
        }
        // From 1901 to 9999: what a file system keeps (and a .deb can say).
        if (!parse_number(words[5], file.mtime) || file.mtime > 253402300799) {
            fail(line, "'" + words[5] + "' is not an mtime in seconds");
        }
        file.path = path(line, words[6]);
        if (words.size() == 8) {
            file.first_link = path(line, words[7]);
            if (file.first_link >= file.path) {
                fail(line, "the first path of a hard-link group comes first in byte order");
            }
        }
        return file;
    }

private:
    const std::string& m_shown;
};

} // namespace

RestoreManifest RestoreManifest::parse(std::string_view text, const std::string& shown) {
    const Reader reader(shown);
    const std::vector<Deb822Stanza> stanzas = parse_deb822(text, shown);
    if (stanzas.empty()) {
        reader.fail(1, "not a restore manifest: empty");
    }
    const Deb822Stanza& head = stanzas.front();
    const Deb822Field* format = head.find("Format");
    if (format == nullptr || format->value != "pkgdesc-backup-manifest 1") {
        reader.fail(head.line, "not a restore manifest (\"Format: pkgdesc-backup-manifest 1\")");
    }
    RestoreManifest manifest;
    manifest.root = reader.path(head.line, reader.need(head, "Root").value);
    manifest.architecture = reader.need(head, "Architecture").value;
    for (const std::string& tree : split_words(reader.need(head, "Trees").value)) {
        manifest.trees.push_back(reader.path(head.line, tree));
    }
    std::set<std::string> paths;
    std::set<std::string> packages;
    for (std::size_t i = 1; i < stanzas.size(); ++i) {
        const Deb822Stanza& stanza = stanzas[i];
        ManifestPackage package;
        package.name = reader.need(stanza, "Package").value;
        package.architecture = reader.need(stanza, "Architecture").value;
        package.version = reader.need(stanza, "Version").value;
        if (!packages.insert(package.name + ":" + package.architecture).second) {
            reader.fail(stanza.line,
                        package.name + " (" + package.architecture + ") has two stanzas");
        }
        for (const auto& [value, problem] :
             {std::pair{&package.name, check_package_name(package.name)},
              std::pair{&package.architecture, check_architecture(package.architecture)},
              std::pair{&package.version, check_version(package.version)}}) {
            if (!problem.empty()) {
                reader.fail(stanza.line, "'" + *value + "': " + problem);
            }
        }
        if (const Deb822Field* field = stanza.find("Reference")) {
            package.reference = unescape(field->value).value_or(field->value);
        }
        if (const Deb822Field* field = stanza.find("Deb-SHA256")) {
            if (!is_hex_digest(field->value)) {
                reader.fail(field->line, "'" + field->value + "' is not a SHA-256 in hexadecimal");
            }
            package.deb_sha256 = field->value;
        }
        if (const Deb822Field* field = stanza.find("Deb")) {
            package.deb_uri = unescape(field->value).value_or(field->value);
        }
        const Deb822Field& files = reader.need(stanza, "Files");
        for (std::size_t k = 0; k < files.lines.size(); ++k) {
            ManifestFile file = reader.file(files.line_of(k), files.lines[k]);
            if (!paths.insert(file.path).second) {
                reader.fail(files.line_of(k), escape(file.path) + " is named twice");
            }
            package.files.push_back(std::move(file));
        }
        manifest.packages.push_back(std::move(package));
    }
    // A hard link is one of its package's files, of the very same content and metadata.
    for (const ManifestPackage& package : manifest.packages) {
        std::map<std::string, const ManifestFile*> own;
        for (const ManifestFile& file : package.files) {
            own.emplace(file.path, &file);
        }
        for (const ManifestFile& file : package.files) {
            if (file.first_link.empty()) {
                continue;
            }
            const auto first = own.find(file.first_link);
            if (first == own.end() || !first->second->first_link.empty()) {
                reader.fail(0, escape(file.path) + ": its hard-link group's first path " +
                                   escape(file.first_link) + " is not a file of " + package.name +
                                   " in the manifest");
            }
            const ManifestFile& data = *first->second;
            if (data.sha256 != file.sha256 || data.size != file.size || data.mode != file.mode ||
                data.owner != file.owner || data.group != file.group || data.mtime != file.mtime) {
                reader.fail(0, escape(file.path) + ": a hard link of " + escape(file.first_link) +
                                   " with other content or metadata");
            }
        }
    }
    // A file is no directory of another.
    for (const std::string& path : paths) {
        for (std::string dir = path; dir != "/";) {
            dir = dir.substr(0, std::max<std::size_t>(dir.rfind('/'), 1));
            if (paths.contains(dir)) {
                reader.fail(0, escape(dir) + " is a file, and " + escape(path) + " is below it");
            }
        }
    }
    return manifest;
}

} // namespace pkgdesc
