// Test fixtures: .deb files from dpkg-deb, and hand-made archives from libarchive.
#include "fixtures.hpp"

#include "support.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

namespace pkgdesc::test {

void write_control(const std::string& dir, const std::string& package, const std::string& version,
                   const std::string& arch) {
    write_file(dir + "/DEBIAN/control", "Package: " + package + "\nVersion: " + version +
                                            "\nArchitecture: " + arch +
                                            "\nMaintainer: Test <test@example.org>\n"
                                            "Description: test package " +
                                            package + "\n long description\n");
}

void build_deb(const std::string& dir, const std::string& out, const std::string& compression,
               const std::string& setup, bool root_owner_group) {
    const bool repack = compression == "bzip2" || compression == "lzma";
    std::string script = "cd " + shell_quote(dir) + "\n" + setup + "\ncd /\n" + "dpkg-deb " +
                         (root_owner_group ? "--root-owner-group " : "") + "-Z" +
                         (repack ? "xz" : compression) + " -b " + shell_quote(dir) + " " +
                         shell_quote(out) + " >/dev/null\n";
    if (repack) {
        const std::string tool = compression == "bzip2" ? "bzip2 -c" : "xz --format=lzma -c";
        const std::string ext = compression == "bzip2" ? "bz2" : "lzma";
        script += "t=$(mktemp -d)\ncd \"$t\"\nar x " + shell_quote(out) +
                  "\nxz -dc data.tar.xz | " + tool + " > data.tar." + ext + "\nrm -f " +
                  shell_quote(out) + "\nar rc " + shell_quote(out) +
                  " debian-binary control.tar.xz data.tar." + ext + "\ncd /\nrm -rf \"$t\"\n";
    }
    const auto r = run({"fakeroot", "/bin/sh", "-ec", script}, {"SOURCE_DATE_EPOCH=1000"});
    if (r.status != 0) {
        throw std::runtime_error("building " + out + " failed: " + r.err);
    }
}

namespace {
struct WriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

la_ssize_t append_cb(archive*, void* client, const void* buf, size_t n) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
}
} // namespace

std::string make_tar(const std::vector<TarMember>& members, const std::string& compression) {
    std::string out;
    std::unique_ptr<archive, WriteFree> a(archive_write_new());
    archive_write_set_format_gnutar(a.get());
    if (compression == "gz")
        archive_write_add_filter_gzip(a.get());
    if (compression == "xz")
        archive_write_add_filter_xz(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    if (archive_write_open(a.get(), &out, nullptr, append_cb, nullptr) != ARCHIVE_OK) {
        throw std::runtime_error(archive_error_string(a.get()));
    }
    for (const auto& m : members) {
        std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
        archive_entry_copy_pathname(e.get(), m.name.c_str());
        archive_entry_set_perm(e.get(), m.mode);
        archive_entry_set_uname(e.get(), "root");
        archive_entry_set_gname(e.get(), "root");
        archive_entry_set_mtime(e.get(), 1000, 0);
        switch (m.type) {
        case 'd':
            archive_entry_set_filetype(e.get(), AE_IFDIR);
            break;
        case 'l':
            archive_entry_set_filetype(e.get(), AE_IFLNK);
            archive_entry_copy_symlink(e.get(), m.link.c_str());
            break;
        case 'h':
            archive_entry_set_filetype(e.get(), AE_IFREG);
            archive_entry_copy_hardlink(e.get(), m.link.c_str());
            break;
        default:
            archive_entry_set_filetype(e.get(), AE_IFREG);
            archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data.size()));
        }
        if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
            throw std::runtime_error(archive_error_string(a.get()));
        }
        if (m.type == 'f' && !m.data.empty()) {
            archive_write_data(a.get(), m.data.data(), m.data.size());
        }
    }
    archive_write_close(a.get());
    return out;
}

void write_ar(const std::string& path, const std::vector<ArMember>& members) {
    // The ar format is simple enough to write exactly as dpkg-deb does (and to break at will).
    std::string out = "!<arch>\n";
    for (const auto& m : members) {
        char header[61];
        std::snprintf(header, sizeof header, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", m.name.c_str(), "0",
                      "0", "0", "100644", m.data.size());
        out.append(header, 60);
        out += m.data;
        if (m.data.size() % 2 == 1) {
            out.push_back('\n');
        }
    }
    write_file(path, out);
}

std::string control_tar(const std::string& package) {
    return make_tar({{"./", 'd', "", "", 0755},
                     {"./control", 'f',
                      "Package: " + package +
                          "\nVersion: 1\nArchitecture: all\n"
                          "Description: hand-made\n"}},
                    "gz");
}

void write_handmade_deb(const std::string& path, const std::vector<TarMember>& data,
                        const std::string& compression) {
    write_ar(path, {{"debian-binary", "2.0\n"},
                    {"control.tar.gz", control_tar()},
                    {"data.tar" + (compression.empty() ? "" : "." + compression),
                     make_tar(data, compression)}});
}

std::string build_small_deb(const std::string& tmp_dir, const std::string& name,
                            const std::string& version, const std::string& text) {
    const std::string dir = tmp_dir + "/" + name + "-" + version + "-" + text;
    write_control(dir, name, version, "amd64");
    const std::string deb = tmp_dir + "/" + name + "_" + version + "_amd64.deb." + text;
    build_deb(dir, deb, "xz",
              "mkdir -p usr/bin usr/share/doc/" + name + "\n" + "printf '" + text +
                  "\\n' > usr/bin/" + name + " && chmod 0755 usr/bin/" + name + "\n" +
                  "printf 'doc\\n' > usr/share/doc/" + name + "/README\n");
    return deb;
}

} // namespace pkgdesc::test
