// End-to-end: a real package build with dpkg-buildpackage and "dh $@ --with pkgdesc", using
// pkgdesc as installed by "cmake --install". The built .deb embeds DEBIAN/pkgdesc, and
// pkgdesc-gen on the .deb reproduces it byte for byte. debian/pkgdesc-metadata becomes a literal
// postinst snippet (e2e.dh.build), which the real dpkg runs in a throw-away overlay root
// (e2e.dh.install).
#include "../support/support.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>
#include <unistd.h>

#include <utility>
#include <cstdlib>
#include <vector>

using namespace pkgdesc::test;

namespace {

// Installs the build tree into TMP/prefix (once per temporary directory); or, when the suites
// run against installed programs, their prefix.
std::string installed_prefix(const TempDir& tmp) {
    if (const char* installed = std::getenv("PKGDESC_INSTALLED_PREFIX");
        installed != nullptr && *installed != '\0') {
        return installed;
    }
    const std::string prefix = tmp / "prefix";
    if (!exists(prefix)) {
        const auto r =
            run({"cmake", "--install", program("PKGDESC_BINARY_DIR"), "--prefix", prefix});
        if (r.status != 0) {
            throw std::runtime_error("cmake --install failed: " + r.err);
        }
    }
    // A build without an install RPATH (a Debian package build's) installs programs that find
    // libpkgdesc only where the loader looks: there, for the programs these tests run.
    const std::string libdir =
        sh("find " + shell_quote(prefix) + " -name libpkgdesc.so.0 -printf '%h'").out;
    if (!libdir.empty()) {
        const char* old = std::getenv("LD_LIBRARY_PATH");
        const std::string path = libdir + (old != nullptr && *old != '\0' ? ":" + std::string(old) : "");
        ::setenv("LD_LIBRARY_PATH", path.c_str(), 1);
    }
    return prefix;
}

// A small source package; `rrr` is its Rules-Requires-Root, `extra_fixperms` shell lines run
// after dh_fixperms (as root or under fakeroot, by dpkg-buildpackage).
void write_source(const std::string& dir, const std::string& rrr,
                  const std::string& extra_fixperms) {
    write_file(dir + "/hello", "#!/bin/sh\necho hello\n", 0755);
    write_file(dir + "/hello.conf", "greeting=hello\n");
    write_file(dir + "/debian/changelog",
               "pkgdesc-demo (1.0) unstable; urgency=medium\n\n  * Test build.\n\n"
               " -- Test <test@example.org>  Mon, 01 Jan 2024 12:00:00 +0000\n");
    write_file(dir + "/debian/control",
               "Source: pkgdesc-demo\nSection: misc\nPriority: optional\n"
               "Maintainer: Test <test@example.org>\nBuild-Depends: debhelper-compat (= 13)\n"
               "Rules-Requires-Root: " +
                   rrr +
                   "\nStandards-Version: 4.6.2\n\n"
                   "Package: pkgdesc-demo\nArchitecture: all\nDepends: ${misc:Depends}\n"
                   "Description: pkgdesc build test\n A package built by the pkgdesc tests.\n");
    write_file(dir + "/debian/source/format", "3.0 (native)\n");
    write_file(dir + "/debian/links", "usr/bin/hello usr/bin/hi\n");
    write_file(dir + "/debian/rules",
               "#!/usr/bin/make -f\n%:\n\tdh $@ --with pkgdesc\n\n"
               "override_dh_auto_install:\n"
               "\tinstall -D -m 0755 hello debian/pkgdesc-demo/usr/bin/hello\n"
               "\tinstall -D -m 0644 hello.conf debian/pkgdesc-demo/etc/hello.conf\n"
               "\tinstall -d debian/pkgdesc-demo/usr/lib/hello\n"
               "\tln debian/pkgdesc-demo/usr/bin/hello debian/pkgdesc-demo/usr/lib/hello/hello\n\n"
               "override_dh_fixperms:\n\tdh_fixperms\n"
               "\tchmod 4755 debian/pkgdesc-demo/usr/lib/hello/hello\n" +
                   extra_fixperms,
               0755);
}

// Metadata applied after unpacking: a group the maintainer's postinst creates, a chgrp of a
// setuid file (the snippet restores its mode), a directory, file capabilities.
const char* const kMetadataFixperms =
    "\tinstall -m 0755 hello debian/pkgdesc-demo/usr/bin/hello-ping\n"
    "\tinstall -d -m 0755 debian/pkgdesc-demo/var/spool/hello\n";
const char* const kMetadata = "# Granted when the package is configured.\n"
                              "owner root:pkgdesc-demo /var/spool/hello\n"
                              "\n"
                              "mode 2770 /var/spool/hello\n"
                              "   # an indented comment\n"
                              "group mail /usr/bin/hello\n"
                              "caps cap_net_raw+ep /usr/bin/hello-ping\n"
                              "mode 750 /usr/bin/hello-ping\n";
const char* const kMaintainerPostinst =
    "#!/bin/sh\nset -e\n"
    "if [ \"$1\" = \"configure\" ]; then\n"
    "\tgetent group pkgdesc-demo >/dev/null || groupadd --system pkgdesc-demo\n"
    "fi\n"
    "#DEBHELPER#\n"
    "exit 0\n";
// What dh_pkgdesc_metadata adds at #DEBHELPER#, after its "# Automatically added by" line.
const char* const kSnippet =
    "if [ \"$1\" = \"configure\" ]; then\n"
    "\tif ! dpkg-statoverride --list /var/spool/hello >/dev/null 2>&1; then\n"
    "\t\tchown root:pkgdesc-demo /var/spool/hello\n"
    "\t\tchmod 2770 /var/spool/hello\n"
    "\tfi\n"
    "\tif ! dpkg-statoverride --list /usr/bin/hello >/dev/null 2>&1; then\n"
    "\t\tchgrp mail /usr/bin/hello\n"
    "\t\tchmod 4755 /usr/bin/hello\n"
    "\tfi\n"
    "\tif ! dpkg-statoverride --list /usr/bin/hello-ping >/dev/null 2>&1; then\n"
    "\t\tchmod 0750 /usr/bin/hello-ping\n"
    "\t\tsetcap cap_net_raw+ep /usr/bin/hello-ping\n"
    "\tfi\n"
    "fi\n"
    "# End automatically added section\n";

void write_metadata_source(const std::string& dir) {
    write_source(dir, "no", kMetadataFixperms);
    write_file(dir + "/debian/pkgdesc-metadata", kMetadata);
    write_file(dir + "/debian/postinst", kMaintainerPostinst, 0755);
}

// The version of pkgdesc, as pkgdesc-gen --version prints it ("pkgdesc-gen 0.1.0").
std::string pkgdesc_version(const std::string& prefix) {
    const auto r = run({prefix + "/bin/pkgdesc-gen", "--version"});
    const auto space = r.out.find(' ');
    const auto end = r.out.find('\n');
    if (r.status != 0 || space == std::string::npos || end == std::string::npos) {
        throw std::runtime_error("pkgdesc-gen --version: " + r.out + r.err);
    }
    return r.out.substr(space + 1, end - space - 1);
}

RunResult build(const std::string& dir, const std::string& prefix) {
    // A package build of pkgdesc runs this suite: what its dpkg-buildpackage and make exported
    // (the outer changelog's SOURCE_DATE_EPOCH, make's jobserver) is not this build's.
    for (const char* name : {"SOURCE_DATE_EPOCH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}) {
        ::unsetenv(name);
    }
    return run(
        {"dpkg-buildpackage", "-us", "-uc", "-b"},
        {"PATH=" + prefix + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
         "PERL5LIB=" + prefix + "/share/perl5", "DEB_BUILD_OPTIONS=", "LC_ALL=C.UTF-8",
         "DH_VERBOSE=1", "PKGDESC_GEN="},
        dir);
}

// Runs dh_pkgdesc_metadata (as installed in PREFIX) in the source directory DIR.
RunResult run_metadata(const std::string& prefix, const std::string& dir,
                       const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv{prefix + "/bin/dh_pkgdesc_metadata", "-ppkgdesc-demo"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv,
               {"PERL5LIB=" + prefix + "/share/perl5", "DH_VERBOSE=1", "LC_ALL=C.UTF-8",
                "DEB_RULES_REQUIRES_ROOT=no"},
               dir);
}

} // namespace

class DhPkgdescTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DhPkgdescTest);
    CPPUNIT_TEST(testRootlessBuildEmbedsReproduciblePkgdesc);
    CPPUNIT_TEST(testRootBuildKeepsOwners);
    CPPUNIT_TEST(testNoActWritesNothing);
    CPPUNIT_TEST(testMetadataAddsPostinstSnippet);
    CPPUNIT_TEST(testBadMetadataFailsTheBuild);
    CPPUNIT_TEST(testMetadataErrorsNameFileAndLine);
    CPPUNIT_TEST(testMetadataNoScriptsOnlyChecks);
    CPPUNIT_TEST_SUITE_END();

    bool tools_present() {
        for (const char* tool : {"dpkg-buildpackage", "dh", "fakeroot", "cmake"}) {
            if (!have_tool(tool)) {
                skip(std::string(tool) + " is not installed");
                return false;
            }
        }
        return true;
    }

    // Builds, then checks the invariant; returns the embedded pkgdesc.
    std::string build_and_check(const TempDir& tmp, const std::string& rrr,
                                const std::string& extra) {
        const std::string prefix = installed_prefix(tmp);
        write_source(tmp / "src", rrr, extra);
        const auto r = build(tmp / "src", prefix);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("pkgdesc-gen --tree debian/pkgdesc-demo") !=
                                          std::string::npos);
        const std::string deb = tmp / "pkgdesc-demo_1.0_all.deb";
        const auto embedded = run({"dpkg-deb", "--info", deb, "pkgdesc"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(embedded.err, 0, embedded.status);
        const auto generated = run({prefix + "/bin/pkgdesc-gen", deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(generated.err, 0, generated.status);
        CPPUNIT_ASSERT_EQUAL(embedded.out, generated.out);
        const auto check = run({prefix + "/bin/pkgdesc-gen", "--check", deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(check.out + check.err, 0, check.status);
        CPPUNIT_ASSERT_EQUAL(deb + ": OK\n", check.out);
        // dh_md5sums ran before: its output is one of the described control members.
        CPPUNIT_ASSERT(embedded.out.find("  md5sums\n") != std::string::npos);
        return embedded.out;
    }

public:
    void testRootlessBuildEmbedsReproduciblePkgdesc() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string text = build_and_check(tmp, "no", "");
        // SOURCE_DATE_EPOCH comes from debian/changelog: 2024-01-01 12:00:00 UTC.
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /usr/bin/hello type=file mode=4755 uname=root "
                                               "gname=root size=21 time=1704110400.000000000\n") !=
                                         std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /usr/lib/hello/hello type=hardlink mode=4755 "
                                               "uname=root gname=root link=/usr/bin/hello") !=
                                         std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /usr/bin/hi type=link mode=0777 uname=root "
                                               "gname=root link=hello") != std::string::npos);
    }

    void testRootBuildKeepsOwners() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string text = build_and_check(
            tmp, "binary-targets", "\tchown daemon:daemon debian/pkgdesc-demo/etc/hello.conf\n");
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /etc/hello.conf type=file mode=0644 uname=daemon "
                                               "gname=daemon size=15 ") != std::string::npos);
    }

    void testNoActWritesNothing() {
        if (!tools_present())
            return;
        TempDir tmp;
        build_and_check(tmp, "no", "");
        const std::string pkgdesc = tmp / "src/debian/pkgdesc-demo/DEBIAN/pkgdesc";
        ::unlink(pkgdesc.c_str());
        const std::string prefix = installed_prefix(tmp);
        const auto r = run({prefix + "/bin/dh_pkgdesc", "--no-act", "-ppkgdesc-demo"},
                           {"PERL5LIB=" + prefix + "/share/perl5", "DH_VERBOSE=1",
                            "PKGDESC_GEN=", "DEB_RULES_REQUIRES_ROOT=no"},
                           tmp / "src");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("--tree debian/pkgdesc-demo --root-owner-group "
                                                 "--clamp-mtime 1704110400 --output "
                                                 "debian/pkgdesc-demo/DEBIAN/pkgdesc") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(!exists(pkgdesc));
    }

    // A real build with debian/pkgdesc-metadata: the snippet is in the final DEBIAN/postinst,
    // literally, after the maintainer's own commands; libcap2-bin is a dependency; the tree (and
    // so the embedded description) keeps its packed metadata; the description covers the final
    // postinst and pkgdesc-gen --check passes.
    void testMetadataAddsPostinstSnippet() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string prefix = installed_prefix(tmp);
        write_metadata_source(tmp / "src");
        const auto r = build(tmp / "src", prefix);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        const auto metadata_step = r.out.find("\n   dh_pkgdesc_metadata\n");
        const auto installdeb_step = r.out.find("\n   dh_installdeb\n");
        const auto pkgdesc_step = r.out.find("\n   dh_pkgdesc\n");
        CPPUNIT_ASSERT_MESSAGE(r.out, metadata_step != std::string::npos &&
                                          installdeb_step != std::string::npos &&
                                          pkgdesc_step != std::string::npos);
        CPPUNIT_ASSERT(metadata_step < installdeb_step && installdeb_step < pkgdesc_step);

        const std::string deb = tmp / "pkgdesc-demo_1.0_all.deb";
        const auto postinst = run({"dpkg-deb", "--info", deb, "postinst"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(postinst.err, 0, postinst.status);
        const std::string prelude =
            std::string(kMaintainerPostinst)
                .substr(0, std::string(kMaintainerPostinst).find("#DEBHELPER#"));
        CPPUNIT_ASSERT_EQUAL(prelude + "# Automatically added by dh_pkgdesc_metadata/" +
                                 pkgdesc_version(prefix) + "\n" + kSnippet + "\nexit 0\n",
                             postinst.out);

        const auto depends = run({"dpkg-deb", "--field", deb, "Depends"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(depends.err, 0, depends.status);
        CPPUNIT_ASSERT_EQUAL(std::string("libcap2-bin\n"), depends.out);

        const auto embedded = run({"dpkg-deb", "--info", deb, "pkgdesc"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(embedded.err, 0, embedded.status);
        const auto generated = run({prefix + "/bin/pkgdesc-gen", deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(generated.err, 0, generated.status);
        CPPUNIT_ASSERT_EQUAL(embedded.out, generated.out);
        const auto check = run({prefix + "/bin/pkgdesc-gen", "--check", deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(check.out + check.err, 0, check.status);
        CPPUNIT_ASSERT_EQUAL(deb + ": OK\n", check.out);
        // The described postinst is the final one, snippet included.
        write_file(tmp / "postinst", postinst.out);
        const auto digest = run({"sha256sum", tmp / "postinst"});
        CPPUNIT_ASSERT_EQUAL(0, digest.status);
        const std::string line = " " + digest.out.substr(0, 64) + "  postinst\n";
        CPPUNIT_ASSERT_MESSAGE(embedded.out, embedded.out.find(line) != std::string::npos);
        // The description is the packed tree: root-owned, the modes of the tree.
        const std::string& text = embedded.out;
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /var/spool/hello type=dir mode=0755 uname=root "
                                               "gname=root ") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /usr/bin/hello-ping type=file mode=0755 "
                                               "uname=root gname=root ") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text, text.find(" /usr/bin/hello type=file mode=4755 uname=root "
                                               "gname=root ") != std::string::npos);
    }

    // A bad per-package metadata file fails dpkg-buildpackage, naming the file and line.
    void testBadMetadataFailsTheBuild() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string prefix = installed_prefix(tmp);
        write_source(tmp / "src", "no", "");
        write_file(tmp / "src/debian/pkgdesc-demo.pkgdesc-metadata",
                   "# comment\nmode 4755 /usr/bin/hello\nowner root:staff usr/bin/hello\n");
        const auto r = build(tmp / "src", prefix);
        CPPUNIT_ASSERT_MESSAGE(r.out + r.err, r.status != 0);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("dh_pkgdesc_metadata: error: "
                                                 "debian/pkgdesc-demo.pkgdesc-metadata:3: path "
                                                 "\"usr/bin/hello\" is not absolute") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(!exists(tmp / "pkgdesc-demo_1.0_all.deb"));
        CPPUNIT_ASSERT(!exists(tmp / "src/debian/pkgdesc-demo.postinst.debhelper"));
    }

    // Every kind of bad line, reported as FILE:LINE: reason; nothing is written.
    void testMetadataErrorsNameFileAndLine() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string prefix = installed_prefix(tmp);
        const std::string src = tmp / "src";
        // A tree to check against: a full build of the package without metadata.
        write_source(src, "no", kMetadataFixperms);
        const auto b = build(src, prefix);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.out + b.err, 0, b.status);
        const std::string file = src + "/debian/pkgdesc-metadata";
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"mode 4755 /usr/bin/hello\nsetuid /usr/bin/hello\n",
             ":2: unknown directive \"setuid\""},
            {"mode u+s /usr/bin/hello\n", ":1: bad mode \"u+s\""},
            {"mode 47550 /usr/bin/hello\n", ":1: bad mode \"47550\""},
            {"mode 4755\n", ":1: \"mode\" takes two arguments"},
            {"mode 4755 /usr/bin/hello # setuid\n", ":1: \"mode\" takes two arguments"},
            {"\n\nmode 4755 usr/bin/hello\n", ":3: path \"usr/bin/hello\" is not absolute"},
            {"mode 4755 /usr/bin/../bin/hello\n", ":1: path \"/usr/bin/../bin/hello\" is not a "
                                                  "plain canonical path"},
            {"mode 4755 /usr/bin/hel*\n", ":1: path \"/usr/bin/hel*\" is not a plain canonical"},
            {"mode 4755 /usr/bin/nothere\n", ":1: /usr/bin/nothere is not in the package"},
            {"mode 4755 /usr/bin/hi\n", ":1: /usr/bin/hi is a symbolic link in the package"},
            {"owner root /usr/bin/hello\n", ":1: owner \"root\" has no group"},
            {"owner 0:0 /usr/bin/hello\n", ":1: owner \"0:0\" is not USER:GROUP with plain"},
            {"owner root:$(id) /usr/bin/hello\n", ":1: owner \"root:$(id)\" is not USER:GROUP"},
            {"group 50 /usr/bin/hello\n", ":1: group \"50\" is not a plain group name"},
            {"caps cap_net_raw /usr/bin/hello-ping\n", ":1: bad capabilities \"cap_net_raw\""},
            {"caps cap_net_raw+ep /var/spool/hello\n",
             ":1: capabilities need a regular file, and /var/spool/hello is not one"},
            {"mode 0750 /usr/bin/hello-ping\nmode 0755 /usr/bin/hello-ping\n",
             ":2: mode of /usr/bin/hello-ping already declared on line 1"},
            {"owner root:mail /usr/bin/hello\ngroup mail /usr/bin/hello\n",
             ":2: owner and group of /usr/bin/hello both declared (line 1)"},
        };
        for (const auto& [content, message] : cases) {
            write_file(file, content);
            const auto r = run_metadata(prefix, src);
            CPPUNIT_ASSERT_MESSAGE(content + r.err, r.status != 0);
            CPPUNIT_ASSERT_MESSAGE(
                content + r.err, r.err.find("dh_pkgdesc_metadata: error: debian/pkgdesc-metadata" +
                                            message) != std::string::npos);
            CPPUNIT_ASSERT(!exists(src + "/debian/pkgdesc-demo.postinst.debhelper"));
        }
        // Every error of a file is reported, then a count.
        write_file(file, "mode 9 /usr/bin/hello\ncaps x /usr/bin/hello\n");
        const auto all = run_metadata(prefix, src);
        CPPUNIT_ASSERT(all.status != 0);
        CPPUNIT_ASSERT_MESSAGE(
            all.err,
            all.err.find("pkgdesc-metadata:1: bad mode") != std::string::npos &&
                all.err.find("pkgdesc-metadata:2: bad capabilities") != std::string::npos &&
                all.err.find("debian/pkgdesc-metadata: 2 errors") != std::string::npos);
        // A maintainer postinst without #DEBHELPER# would drop the snippet.
        write_file(file, "mode 4755 /usr/bin/hello\n");
        write_file(src + "/debian/postinst", "#!/bin/sh\nset -e\nexit 0\n", 0755);
        const auto lost = run_metadata(prefix, src);
        CPPUNIT_ASSERT(lost.status != 0);
        CPPUNIT_ASSERT_MESSAGE(lost.err, lost.err.find("debian/postinst has no #DEBHELPER# line") !=
                                             std::string::npos);
        CPPUNIT_ASSERT(!exists(src + "/debian/pkgdesc-demo.postinst.debhelper"));
    }

    // -n checks the file and adds neither snippet nor dependency; without -n both appear.
    void testMetadataNoScriptsOnlyChecks() {
        if (!tools_present())
            return;
        TempDir tmp;
        const std::string prefix = installed_prefix(tmp);
        const std::string src = tmp / "src";
        write_source(src, "no", kMetadataFixperms);
        const auto b = build(src, prefix);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(b.out + b.err, 0, b.status);
        ::unlink((src + "/debian/pkgdesc-demo.substvars").c_str());
        write_file(src + "/debian/pkgdesc-metadata", "caps cap_net_raw+ep /usr/bin/hello-ping\n");
        const auto n = run_metadata(prefix, src, {"-n"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(n.err, 0, n.status);
        CPPUNIT_ASSERT(!exists(src + "/debian/pkgdesc-demo.postinst.debhelper"));
        CPPUNIT_ASSERT(!exists(src + "/debian/pkgdesc-demo.substvars"));
        const auto r = run_metadata(prefix, src);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("# Automatically added by dh_pkgdesc_metadata/") +
                                 pkgdesc_version(prefix) +
                                 "\nif [ \"$1\" = \"configure\" ]; then\n"
                                 "\tif ! dpkg-statoverride --list /usr/bin/hello-ping >/dev/null "
                                 "2>&1; then\n"
                                 "\t\tsetcap cap_net_raw+ep /usr/bin/hello-ping\n"
                                 "\tfi\nfi\n# End automatically added section\n",
                             read_file(src + "/debian/pkgdesc-demo.postinst.debhelper"));
        CPPUNIT_ASSERT_EQUAL(std::string("misc:Depends=libcap2-bin\n"),
                             read_file(src + "/debian/pkgdesc-demo.substvars"));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(DhPkgdescTest, "e2e.dh.build");

// Installs the built package with the real dpkg, as root, into a throw-away copy of this system:
// an overlay of / (upper layer on a tmpfs) in a private mount namespace, entered with chroot.
// Nothing reaches the host. Needs root, unshare(1) and overlayfs; skips otherwise.
class DhPkgdescInstallTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DhPkgdescInstallTest);
    CPPUNIT_TEST(testPostinstAppliesMetadata);
    CPPUNIT_TEST(testStatoverrideWins);
    CPPUNIT_TEST(testVerifierExplainsWhatThePostinstSet);
    CPPUNIT_TEST_SUITE_END();

    // Prints, inside the overlay, what the checks compare.
    static constexpr const char* kShow =
        "for p in /var/spool/hello /usr/bin/hello /usr/lib/hello/hello /usr/bin/hello-ping "
        "/etc/hello.conf; do stat -c '%n %a %U:%G' \"$p\"; done\n"
        "getcap /usr/bin/hello-ping /usr/bin/hello\n";

    bool can_run(const TempDir& tmp) {
        if (::geteuid() != 0) {
            skip("installing into an overlay root needs root");
            return false;
        }
        for (const char* tool : {"dpkg-buildpackage", "dh", "fakeroot", "cmake", "unshare",
                                 "chroot", "getcap", "setcap", "groupadd"}) {
            if (!have_tool(tool)) {
                skip(std::string(tool) + " is not installed");
                return false;
            }
        }
        const auto probe = in_overlay(tmp, "", "true\n");
        if (probe.status != 0) {
            skip("cannot mount an overlay of / in a private mount namespace: " + probe.err);
            return false;
        }
        return true;
    }

    // Runs SCRIPT (sh -e) as root in a fresh overlay of /, with DEB at /tmp/pkgdesc-demo.deb.
    static RunResult in_overlay(const TempDir& tmp, const std::string& deb,
                                const std::string& script) {
        const std::string mnt = tmp / "overlay";
        ::mkdir(mnt.c_str(), 0700);
        write_file(tmp / "inner.sh", script);
        const std::string outer =
            "set -e\n"
            "t=$1\n"
            "mount -t tmpfs -o mode=0700 pkgdesc-test \"$t\"\n"
            "mkdir \"$t/upper\" \"$t/work\" \"$t/root\"\n"
            "mount -t overlay pkgdesc-test -o \"lowerdir=/,upperdir=$t/upper,workdir=$t/work\" "
            "\"$t/root\"\n"
            "mount --rbind /dev \"$t/root/dev\"\n"
            "mount -t proc proc \"$t/root/proc\"\n"
            "cp \"$2\" \"$t/root/tmp/inner.sh\"\n"
            "if [ -n \"$3\" ]; then cp \"$3\" \"$t/root/tmp/pkgdesc-demo.deb\"; fi\n"
            "exec chroot \"$t/root\" /bin/sh -e /tmp/inner.sh\n";
        write_file(tmp / "outer.sh", outer);
        return run({"unshare", "--mount", "--propagation", "private", "/bin/sh", tmp / "outer.sh",
                    mnt, tmp / "inner.sh", deb},
                   {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "LC_ALL=C.UTF-8", "DEBIAN_FRONTEND=noninteractive"});
    }

    std::string build_package(const TempDir& tmp) {
        const std::string prefix = installed_prefix(tmp);
        write_metadata_source(tmp / "src");
        const auto r = build(tmp / "src", prefix);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        return tmp / "pkgdesc-demo_1.0_all.deb";
    }

public:
    // dpkg -i runs the postinst: the group exists, modes, owners and capabilities are applied
    // (the setuid bit survives the chgrp); running the postinst again changes nothing.
    void testPostinstAppliesMetadata() {
        TempDir tmp;
        if (!can_run(tmp))
            return;
        const std::string deb = build_package(tmp);
        const auto r =
            in_overlay(tmp, deb,
                       std::string("dpkg -i /tmp/pkgdesc-demo.deb >&2\n") + kShow +
                           "/var/lib/dpkg/info/pkgdesc-demo.postinst configure 1.0\n" + kShow);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        const std::string applied = "/var/spool/hello 2770 root:pkgdesc-demo\n"
                                    "/usr/bin/hello 4755 root:mail\n"
                                    "/usr/lib/hello/hello 4755 root:mail\n"
                                    "/usr/bin/hello-ping 750 root:root\n"
                                    "/etc/hello.conf 644 root:root\n"
                                    "/usr/bin/hello-ping cap_net_raw=ep\n";
        CPPUNIT_ASSERT_EQUAL(applied + applied, r.out);
        // The host saw nothing of it.
        CPPUNIT_ASSERT(run({"getent", "group", "pkgdesc-demo"}).status != 0);
        CPPUNIT_ASSERT(!exists("/var/spool/hello"));
    }

    // Paths with a statoverride keep what dpkg applied from it at unpacking: no chown, chmod or
    // setcap; the other paths get their declared metadata.
    void testStatoverrideWins() {
        TempDir tmp;
        if (!can_run(tmp))
            return;
        const std::string deb = build_package(tmp);
        const auto r =
            in_overlay(tmp, deb,
                       std::string("dpkg-statoverride --add root staff 0711 /usr/bin/hello-ping\n"
                                   "dpkg-statoverride --add root root 0755 /var/spool/hello\n"
                                   "dpkg -i /tmp/pkgdesc-demo.deb >&2\n") +
                           kShow);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/spool/hello 755 root:root\n"
                                         "/usr/bin/hello 4755 root:mail\n"
                                         "/usr/lib/hello/hello 4755 root:mail\n"
                                         "/usr/bin/hello-ping 711 root:staff\n"
                                         "/etc/hello.conf 644 root:root\n"),
                             r.out);
    }

    // The whole chain: what debian/pkgdesc-metadata declares, the generated postinst applies at
    // dpkg -i, and pkgdesc-verify, checking the system the package was installed on, finds
    // every such file pristine, naming the postinst line with -v and printing no finding
    // without.
    void testVerifierExplainsWhatThePostinstSet() {
        TempDir tmp;
        if (!can_run(tmp))
            return;
        const std::string deb = build_package(tmp);
        const std::string ref = tmp / "ref";
        const auto gen = run({program("PKGDESC_GEN"), "-o", ref, deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(gen.err, 0, gen.status);
        const std::string verify = shell_quote(program("PKGDESC_VERIFY")) + " --pkgdesc " +
                                   shell_quote(ref) + " --trust-unsigned pkgdesc-demo";
        const auto r = in_overlay(tmp, deb,
                                  "dpkg -i /tmp/pkgdesc-demo.deb >&2\n" + verify +
                                      "\necho ---\n" + verify + " -v\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        const std::string quiet = r.out.substr(0, r.out.find("---\n"));
        const std::string verbose = r.out.substr(r.out.find("---\n"));
        CPPUNIT_ASSERT_MESSAGE(quiet, quiet.find("/usr/bin/hello") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(quiet, quiet.find("Metadata set by the packages' own postinst or "
                                                 "tmpfiles.d: 4 files (-v lists them)\n") !=
                                          std::string::npos);
        for (const char* line :
             {"pristine     /usr/bin/hello (pkgdesc-demo): group root -> mail set by postinst line ",
              // Its hard link: the same inode.
              "pristine     /usr/lib/hello/hello (pkgdesc-demo): group root -> mail set by "
              "postinst line ",
              "pristine     /usr/bin/hello-ping (pkgdesc-demo): mode 0755 -> 0750 set by postinst "
              "line ",
              "security.capability absent -> present set by postinst line ",
              "group root -> pkgdesc-demo set by postinst line 9 (chown :pkgdesc-demo)",
              "pristine     /var/spool/hello (pkgdesc-demo): mode 0755 -> 2770 set by postinst "
              "line "}) {
            CPPUNIT_ASSERT_MESSAGE(verbose, verbose.find(line) != std::string::npos);
        }
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(DhPkgdescInstallTest, "e2e.dh.install");
