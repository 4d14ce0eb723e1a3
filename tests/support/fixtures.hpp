// Test fixtures: real .deb files built with dpkg-deb, and hand-made (hostile) archives written
// with libarchive for what dpkg-deb refuses to build.
#pragma once

#include <string>
#include <vector>

namespace pkgdesc::test {

// Writes DIR/DEBIAN/control for a package.
void write_control(const std::string& dir, const std::string& package,
                   const std::string& version = "1.0", const std::string& arch = "all");

// Builds DIR into OUT with dpkg-deb under fakeroot, after running `setup` (shell commands run
// in DIR under the same fakeroot session: chown, mknod, ...). `compression` is a dpkg-deb -Z
// value; "bzip2" and "lzma", which dpkg-deb only reads, are made by repacking an xz package.
void build_deb(const std::string& dir, const std::string& out,
               const std::string& compression = "xz", const std::string& setup = "",
               bool root_owner_group = true);

// A small amd64 package NAME VERSION built in a fresh directory under TMP_DIR: /usr/bin/NAME
// prints TEXT (which tells builds of the same version apart), and a README. Returns the .deb.
std::string build_small_deb(const std::string& tmp_dir, const std::string& name,
                            const std::string& version, const std::string& text);

struct TarMember {
    std::string name;
    char type = 'f'; // f file, d dir, l symlink, h hardlink
    std::string data;
    std::string link;
    unsigned mode = 0644;
};

// A tar archive in memory, compressed with libarchive's filter `compression` ("", "gz", "xz").
std::string make_tar(const std::vector<TarMember>& members, const std::string& compression = "");

struct ArMember {
    std::string name;
    std::string data;
};
// An ar archive (the .deb container) with exactly these members, in order.
void write_ar(const std::string& path, const std::vector<ArMember>& members);

// A well-formed .deb made by hand: debian-binary, control.tar.gz, data.tar.<compression>.
void write_handmade_deb(const std::string& path, const std::vector<TarMember>& data,
                        const std::string& compression = "gz");
std::string control_tar(const std::string& package = "handmade");

} // namespace pkgdesc::test
