// Unit tests of the dpkg database reader, the root's accounts, merged-/usr detection and the
// reference set, on real temporary directories.
#include "../support/support.hpp"

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace pkgdesc;
using namespace pkgdesc::test;

namespace {

template <typename F> std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

class DpkgDatabaseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DpkgDatabaseTest);
    CPPUNIT_TEST(testReadsStatesConffilesAndLists);
    CPPUNIT_TEST(testRefusesUnknownStateNamingThePackage);
    CPPUNIT_TEST(testMissingStatusIsAnError);
    CPPUNIT_TEST(testParsesDiversionsIncludingLocal);
    CPPUNIT_TEST(testRefusesTruncatedDiversions);
    CPPUNIT_TEST(testParsesStatoverridesWithSpacesInPaths);
    CPPUNIT_TEST(testRefusesMalformedStatoverrideWithLine);
    CPPUNIT_TEST_SUITE_END();

public:
    void testReadsStatesConffilesAndLists() {
        TempDir tmp;
        ::mkdir((tmp / "info").c_str(), 0755);
        write_file(tmp / "status",
                   "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n"
                   "Conffiles:\n /etc/a.conf 0123 \n /etc/old.conf 4567 obsolete\n\n"
                   "Package: lib\nStatus: install ok unpacked\nArchitecture: i386\n"
                   "Multi-Arch: same\nVersion: 2\n\n"
                   "Package: gone\nStatus: purge ok not-installed\nArchitecture: all\n\n");
        write_file(tmp / "info/a.list", "/.\n/etc\n/etc/a.conf\n");
        write_file(tmp / "info/lib:i386.list", "/usr/lib/i386/x.so\n");
        const RootDir admindir = RootDir::open(tmp.path());
        DpkgDatabase db = DpkgDatabase::load(admindir);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, db.packages().size());
        // File lists are read on demand.
        CPPUNIT_ASSERT(!db.packages()[0].files_read);
        db.read_file_lists(admindir, [](const InstalledPackage& pkg) { return pkg.name == "a"; });
        CPPUNIT_ASSERT(db.packages()[0].files_read);
        CPPUNIT_ASSERT(!db.packages()[1].files_read);
        db.read_all_file_lists(admindir);
        CPPUNIT_ASSERT(!db.packages()[2].files_read); // not-installed
        const InstalledPackage& a = db.packages()[0];
        CPPUNIT_ASSERT_EQUAL(std::string("a"), a.display_name());
        CPPUNIT_ASSERT(a.state == PackageState::installed);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, a.conffiles.size());
        CPPUNIT_ASSERT(!a.conffiles[0].obsolete);
        CPPUNIT_ASSERT(a.conffiles[1].obsolete);
        CPPUNIT_ASSERT_EQUAL(std::string("/"), a.files.front());
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, a.files.size());
        const InstalledPackage& lib = db.packages()[1];
        CPPUNIT_ASSERT_EQUAL(std::string("lib:i386"), lib.display_name());
        CPPUNIT_ASSERT(lib.has_unpacked_files());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/i386/x.so"), lib.files.front());
        CPPUNIT_ASSERT(db.packages()[2].files.empty());
    }

    void testRefusesUnknownStateNamingThePackage() {
        TempDir tmp;
        write_file(tmp / "status", "Package: a\nStatus: install ok sleeping\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': unknown package state 'sleeping'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
        write_file(tmp / "status", "Package: a\nStatus: installed\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': malformed Status 'installed'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
        write_file(tmp / "status", "Package: a\nStatus: install ok installed\nConffiles:\n "
                                   "/etc/x abc frozen\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': unknown Conffiles flag 'frozen'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
    }

    void testMissingStatusIsAnError() {
        TempDir tmp;
        CPPUNIT_ASSERT_EQUAL(tmp / "status" +
                                 ": cannot open the dpkg status file: No such file or directory",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
    }

    void testParsesDiversionsIncludingLocal() {
        const auto diversions =
            parse_diversions("/usr/bin/a\n/usr/bin/a.real\nwrap\n/etc/b\n/etc/b.local\n:\n", "d");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, diversions.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/a.real"), diversions[0].to);
        CPPUNIT_ASSERT_EQUAL(std::string("wrap"), diversions[0].by);
        CPPUNIT_ASSERT_EQUAL(std::string(), diversions[1].by);
    }

    void testRefusesTruncatedDiversions() {
        CPPUNIT_ASSERT_EQUAL(std::string("d: truncated diversion (2 lines, not a multiple of 3)"),
                             error_of([] { parse_diversions("/a\n/b\n", "d"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("d: malformed diversion at line 1"),
                             error_of([] { parse_diversions("a\n/b\npkg\n", "d"); }));
    }

    void testParsesStatoverridesWithSpacesInPaths() {
        const auto overrides =
            parse_statoverrides("root crontab 2755 /usr/bin/crontab\n#0 #5 644 /srv/a file\n", "s");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, overrides.size());
        CPPUNIT_ASSERT_EQUAL(02755u, overrides[0].mode);
        CPPUNIT_ASSERT_EQUAL(std::string("crontab"), overrides[0].group);
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/a file"), overrides[1].path);
        CPPUNIT_ASSERT_EQUAL(std::string("#5"), overrides[1].group);
    }

    void testRefusesMalformedStatoverrideWithLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("s:2: malformed mode '9755'"), error_of([] {
                                 parse_statoverrides("root root 755 /a\nroot root 9755 /b\n", "s");
                             }));
        CPPUNIT_ASSERT_EQUAL(std::string("s:1: malformed statoverride line"),
                             error_of([] { parse_statoverrides("root root\n", "s"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("s:1: malformed statoverride line"), error_of([] {
                                 parse_statoverrides("root root 755 relative\n", "s");
                             }));
    }
};

class RootAccountsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RootAccountsTest);
    CPPUNIT_TEST(testFirstEntryWinsAndMalformedLinesAreSkipped);
    CPPUNIT_TEST(testReadsTheRootsFilesNotTheHosts);
    CPPUNIT_TEST_SUITE_END();

public:
    void testFirstEntryWinsAndMalformedLinesAreSkipped() {
        const auto ids = RootAccounts::parse("root:x:0:0::/:\nroot:x:5:5::/:\nbad\nx:y:zz:1\n"
                                             ":x:3:3\nbig:x:99999999999:1\nok:x:42\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, ids.size());
        CPPUNIT_ASSERT_EQUAL(0u, ids.at("root"));
    }

    void testReadsTheRootsFilesNotTheHosts() {
        TempDir tmp;
        ::mkdir((tmp / "etc").c_str(), 0755);
        write_file(tmp / "etc/passwd", "root:x:1234:1234::/:\n");
        write_file(tmp / "etc/group", "wheel:x:77:\n");
        const RootAccounts accounts = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT_EQUAL(1234u, *accounts.uid("root"));
        CPPUNIT_ASSERT(!accounts.gid("root"));
        CPPUNIT_ASSERT_EQUAL(std::string("wheel"), accounts.group_name(77));
        // /etc/passwd as a symlink out of the root resolves inside it: nothing there.
        write_file(tmp / "outside", "root:x:999:999::/:\n");
        ::unlink((tmp / "etc/passwd").c_str());
        CPPUNIT_ASSERT_EQUAL(0, ::symlink((tmp / "outside").c_str(), (tmp / "etc/passwd").c_str()));
        const RootAccounts escaped = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT(!escaped.uid("root"));
    }
};

class LayoutAliasesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LayoutAliasesTest);
    CPPUNIT_TEST(testOnlyLinksIntoUsrAreAliases);
    CPPUNIT_TEST_SUITE_END();

public:
    void testOnlyLinksIntoUsrAreAliases() {
        TempDir tmp;
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("usr/bin", (tmp / "bin").c_str()));
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("/usr/sbin", (tmp / "sbin").c_str()));
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("usr/lib64", (tmp / "lib").c_str()));
        ::mkdir((tmp / "lib64").c_str(), 0755);
        const LayoutAliases merged = LayoutAliases::detect(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, merged.aliases().size());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/ls"), merged.resolve("/bin/ls"));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin"), merged.resolve("/bin"));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/sbin/x"), merged.resolve("/sbin/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("/binary"), merged.resolve("/binary"));
        CPPUNIT_ASSERT_EQUAL(std::string("/lib/x"), merged.resolve("/lib/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("/lib64/x"), merged.resolve("/lib64/x"));
    }
};

class ReferenceSetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReferenceSetTest);
    CPPUNIT_TEST(testFindsByPackageArchitectureAndDpkgVersionOrder);
    CPPUNIT_TEST(testIdenticalDuplicateIsIgnoredDifferentOneRefused);
    CPPUNIT_TEST_SUITE_END();

    static Pkgdesc stanza(const std::string& version, const std::string& hash_digit) {
        const std::string text = "Package: ab\nArchitecture: amd64\nVersion: " + version +
                                 "\nFormat: 1\nDescription: a\nControl-SHA256:\n " +
                                 std::string(64, hash_digit[0]) + " control\n" +
                                 "Content-SHA256:\nContent-Metadata:\n / type=dir mode=0755 "
                                 "uname=root gname=root time=0.000000000\n";
        return parse_pkgdesc(text, "test");
    }

public:
    void testFindsByPackageArchitectureAndDpkgVersionOrder() {
        ReferenceSet set;
        set.add(stanza("1.0", "1"), "one");
        set.add(stanza("1:2.0", "2"), "two");
        CPPUNIT_ASSERT(set.find("ab", "amd64", "0:1.0") != nullptr);
        CPPUNIT_ASSERT(set.find("ab", "amd64", "1:2.0") != nullptr);
        CPPUNIT_ASSERT(set.find("ab", "amd64", "2.0") == nullptr);
        CPPUNIT_ASSERT(set.find("ab", "i386", "1.0") == nullptr);
        CPPUNIT_ASSERT(set.find("b", "amd64", "1.0") == nullptr);
    }

    void testIdenticalDuplicateIsIgnoredDifferentOneRefused() {
        ReferenceSet set;
        set.add(stanza("1.0", "1"), "one");
        set.add(stanza("1.0", "1"), "again");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, set.size());
        CPPUNIT_ASSERT_EQUAL(std::string("other: a different stanza for ab 1.0 (amd64) was read "
                                         "from one"),
                             error_of([&] { set.add(stanza("1.0", "2"), "other"); }));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(DpkgDatabaseTest, "unit.dpkg_database");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RootAccountsTest, "unit.root_accounts");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(LayoutAliasesTest, "unit.layout_aliases");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ReferenceSetTest, "unit.reference_set");
