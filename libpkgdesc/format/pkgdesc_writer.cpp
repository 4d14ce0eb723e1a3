// Canonical output of pkgdesc stanzas.
#include <libpkgdesc/format/pkgdesc_writer.hpp>

#include <libpkgdesc/format/path.hpp>

#include <cstdio>
#include <sstream>

namespace pkgdesc {

namespace {

std::string octal_mode(std::uint32_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
    return buf;
}

std::string timestamp(const Timestamp& t) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%09u", static_cast<long long>(t.seconds), t.nanoseconds);
    return buf;
}

} // namespace

std::string metadata_line(const Entry& e) {
    std::string line = escape(e.path);
    line += " type=";
    line += type_keyword(e.type);
    line += " mode=" + octal_mode(e.mode);
    if (!e.uname.empty()) {
        line += " uname=" + escape(e.uname);
    }
    if (e.uid) {
        line += " uid=" + std::to_string(*e.uid);
    }
    if (!e.gname.empty()) {
        line += " gname=" + escape(e.gname);
    }
    if (e.gid) {
        line += " gid=" + std::to_string(*e.gid);
    }
    if (e.type == EntryType::file) {
        line += " size=" + std::to_string(e.size);
    }
    if (e.type == EntryType::symlink || e.type == EntryType::hardlink) {
        line += " link=" + escape(e.link);
    }
    if (e.type == EntryType::char_device || e.type == EntryType::block_device) {
        line += " device=linux," + std::to_string(e.dev_major) + "," + std::to_string(e.dev_minor);
    }
    line += " time=" + timestamp(e.mtime);
    for (const auto& [key, value] : e.unknown) {
        line += " " + key + "=" + escape(value);
    }
    return line;
}

void write_pkgdesc(std::ostream& out, const Pkgdesc& d) {
    out << "Package: " << d.package << '\n';
    out << "Architecture: " << d.architecture << '\n';
    out << "Version: " << d.version << '\n';
    out << "Format: " << k_format_version << '\n';
    if (!d.description.empty()) {
        out << "Description: " << d.description << '\n';
    }
    out << "Control-SHA256:\n";
    for (const auto& member : d.control) {
        out << ' ' << to_hex(member.sha256) << "  " << escape(member.name) << '\n';
    }
    out << "Content-SHA256:\n";
    for (const auto& e : d.entries) {
        if (e.type == EntryType::file && e.sha256) {
            out << ' ' << to_hex(*e.sha256) << "  " << escape(e.path) << '\n';
        }
    }
    out << "Content-Metadata:\n";
    for (const auto& e : d.entries) {
        out << ' ' << metadata_line(e) << '\n';
    }
}

std::string to_string(const Pkgdesc& desc) {
    std::ostringstream out;
    write_pkgdesc(out, desc);
    return std::move(out).str();
}

} // namespace pkgdesc
