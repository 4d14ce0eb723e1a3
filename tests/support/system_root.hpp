// A temporary installed system for pkgdesc-verify: packages unpacked with dpkg-deb -x, and a
// dpkg database (status, file lists, the control members kept in info/, diversions,
// statoverride) and accounts written the way dpkg writes them.
#pragma once

#include <string>
#include <vector>

namespace pkgdesc::test {

struct InstallOptions {
    bool multi_arch_same = false;
    std::string state = "installed"; // the third word of Status
};

class SystemRoot {
public:
    // Creates ROOT/var/lib/dpkg and ROOT/etc/{passwd,group}. "root" (and group "root") is the
    // user running the tests, so that files unpacked without privileges still belong to it;
    // "staff" is a second group (gid 50 when running as root).
    explicit SystemRoot(std::string dir);

    const std::string& dir() const { return m_dir; }
    // ROOT + absolute path.
    std::string operator/(const std::string& path) const { return m_dir + path; }

    // Unpacks DEB and records it in the database as dpkg would: the file list, and every control
    // member dpkg keeps as info/NAME.MEMBER (NAME:ARCH.MEMBER for Multi-Arch: same): all but
    // "control", "list" and names with a dot, with the mode and mtime they were unpacked with;
    // only the postrm in state config-files, none in state not-installed.
    void install(const std::string& deb, const InstallOptions& options = {});
    void add_diversion(const std::string& from, const std::string& to, const std::string& by);
    void add_statoverride(const std::string& user, const std::string& group, unsigned mode,
                          const std::string& path);
    // Makes /bin, /sbin and /lib symlinks into /usr (moving what is there).
    void merge_usr();

private:
    std::string m_dir;
};

bool running_as_root();

} // namespace pkgdesc::test
