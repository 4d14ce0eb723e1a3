// The temporary installed system of the pkgdesc-verify tests.
#include "system_root.hpp"

#include "support.hpp"

#include <unistd.h>

#include <stdexcept>

namespace pkgdesc::test {

namespace {

void must(const RunResult& result, const std::string& what) {
    if (result.status != 0) {
        throw std::runtime_error(what + " failed: " + result.err);
    }
}

} // namespace

bool running_as_root() {
    return ::geteuid() == 0;
}

SystemRoot::SystemRoot(std::string dir) : m_dir(std::move(dir)) {
    // info/format: the multiarch layout, which dpkg writes into every database it creates.
    must(sh("mkdir -p " + shell_quote(m_dir) + "/var/lib/dpkg/info " + shell_quote(m_dir) +
            "/etc && touch " + shell_quote(m_dir) + "/var/lib/dpkg/status && echo 1 > " +
            shell_quote(m_dir) + "/var/lib/dpkg/info/format"),
         "creating the root");
    const std::string uid = std::to_string(::getuid());
    const std::string gid = std::to_string(::getgid());
    const std::string staff = running_as_root() ? "50" : gid;
    write_file(m_dir + "/etc/passwd", "root:x:" + uid + ":" + gid + ":root:/root:/bin/sh\n" +
                                          "daemon:x:7001:7001::/:/usr/sbin/nologin\n");
    write_file(m_dir + "/etc/group",
               "root:x:" + gid + ":\ndaemon:x:7001:\nstaff:x:" + staff + ":\n");
}

void SystemRoot::install(const std::string& deb, const InstallOptions& options) {
    const std::string q = shell_quote(deb);
    const std::string root = shell_quote(m_dir);
    const std::string script =
        "set -e\n"
        "pkg=$(dpkg-deb -f " +
        q +
        " Package)\n"
        "arch=$(dpkg-deb -f " +
        q +
        " Architecture)\n"
        "name=$pkg\n" +
        (options.multi_arch_same ? "name=$pkg:$arch\n" : "") + "info=" + root +
        "/var/lib/dpkg/info\n"
        "dpkg-deb -x " +
        q + " " + root +
        "\n"
        // The file list: tar member names with "./" turned into "/", the root as "/.".
        "dpkg-deb --fsys-tarfile " +
        q +
        " | tar -t | sed -e 's,^\\./,/,' -e 's,/$,,' "
        "-e 's,^$,/.,' > \"$info/$name.list\"\n"
        "ctl=$(mktemp -d)\n"
        "dpkg-deb -e " +
        q +
        " \"$ctl\"\n"
        // Every control member as info/NAME.MEMBER, as dpkg's pkg_infodb_update does: not
        // "control", not names with a dot, not "list" (dpkg's own); a directory is an error.
        // Mode and mtime as unpacked (dpkg renames what dpkg-deb --control extracted).
        "for f in \"$ctl\"/*; do\n"
        "  m=${f##*/}\n"
        "  case $m in *.*|control|list) continue ;; esac\n" +
        "  if [ -d \"$f\" ] && [ ! -L \"$f\" ]; then\n"
        "    echo \"package metadata contains directory '$m'\" >&2; exit 1\n"
        "  fi\n"
        "  [ ${#m} -le 100 ] || { echo \"overly-long metadata file name '$m'\" >&2; exit 1; }\n" +
        // dpkg --remove deletes all but the postrm; a purge deletes that too.
        (options.state == "config-files"    ? "  [ \"$m\" = postrm ] || continue\n"
         : options.state == "not-installed" ? "  continue\n"
                                            : "") +
        "  cp -P -p \"$f\" \"$info/$name.$m\"\n"
        "done\n"
        "conf=''\n"
        "if [ -f \"$ctl/conffiles\" ]; then\n"
        "  conf=\"Conffiles:\"\n"
        "  while read -r f; do\n"
        "    conf=\"$conf\n $f $(md5sum < " +
        root +
        "$f | cut -d' ' -f1)\"\n"
        "  done < \"$ctl/conffiles\"\n"
        "fi\n"
        "{\n"
        "  awk '/^(Description|Installed-Size):/ { skip = 1; next } skip && /^ / { next } "
        "{ skip = 0; print }' \"$ctl/control\" | "
        "sed -e 's/^Package: .*/&\\nStatus: install ok " +
        options.state +
        "/'\n"
        "  [ -z \"$conf\" ] || printf '%s\\n' \"$conf\"\n"
        "  echo 'Description: test package'\n"
        "  echo\n"
        "} >> " +
        root +
        "/var/lib/dpkg/status\n"
        "rm -rf \"$ctl\"\n";
    must(sh(script), "installing " + deb);
}

void SystemRoot::add_diversion(const std::string& from, const std::string& to,
                               const std::string& by) {
    must(sh("printf '%s\\n%s\\n%s\\n' " + shell_quote(from) + " " + shell_quote(to) + " " +
            shell_quote(by) + " >> " + shell_quote(m_dir + "/var/lib/dpkg/diversions")),
         "adding a diversion");
}

void SystemRoot::add_statoverride(const std::string& user, const std::string& group, unsigned mode,
                                  const std::string& path) {
    char octal[8];
    std::snprintf(octal, sizeof(octal), "%o", mode);
    must(sh("printf '%s %s %s %s\\n' " + shell_quote(user) + " " + shell_quote(group) + " " +
            octal + " " + shell_quote(path) + " >> " +
            shell_quote(m_dir + "/var/lib/dpkg/statoverride")),
         "adding a statoverride");
}

void SystemRoot::merge_usr() {
    const std::string root = shell_quote(m_dir);
    must(sh("set -e\ncd " + root +
            "\nfor d in bin sbin lib; do\n"
            "  mkdir -p usr/$d\n"
            "  if [ -d $d ] && [ ! -L $d ]; then cp -a $d/. usr/$d/ && rm -rf $d; fi\n"
            "  ln -s usr/$d $d\n"
            "done\n"),
         "merging /usr");
}

} // namespace pkgdesc::test
