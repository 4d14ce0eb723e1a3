// End-to-end: a real package build with dpkg-buildpackage and "dh $@ --with pkgdesc", using
// pkgdesc as installed by "cmake --install". The built .deb embeds DEBIAN/pkgdesc, and
// pkgdesc-gen on the .deb reproduces it byte for byte.
#include "../support/support.hpp"

#include <cppunit/extensions/HelperMacros.h>

using namespace pkgdesc::test;

namespace {

// Installs the build tree into TMP/prefix (once per temporary directory).
std::string installed_prefix(const TempDir& tmp) {
    const std::string prefix = tmp / "prefix";
    if (!exists(prefix)) {
        const auto r =
            run({"cmake", "--install", program("PKGDESC_BINARY_DIR"), "--prefix", prefix});
        if (r.status != 0) {
            throw std::runtime_error("cmake --install failed: " + r.err);
        }
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
                   "Package: pkgdesc-demo\nArchitecture: all\n"
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

RunResult build(const std::string& dir, const std::string& prefix) {
    return run(
        {"dpkg-buildpackage", "-us", "-uc", "-b"},
        {"PATH=" + prefix + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
         "PERL5LIB=" + prefix + "/share/perl5", "DEB_BUILD_OPTIONS=", "LC_ALL=C.UTF-8",
         "DH_VERBOSE=1", "PKGDESC_GEN="},
        dir);
}

} // namespace

class DhPkgdescTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DhPkgdescTest);
    CPPUNIT_TEST(testRootlessBuildEmbedsReproduciblePkgdesc);
    CPPUNIT_TEST(testRootBuildKeepsOwners);
    CPPUNIT_TEST(testNoActWritesNothing);
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
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(DhPkgdescTest, "e2e.dh.build");
