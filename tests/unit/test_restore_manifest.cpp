// Unit tests of RestoreManifest: what pkgdesc-verify --backup-plan writes is read back exactly,
// and anything else is refused with the line and the reason.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/restore/restore_manifest.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace pkgdesc;

namespace {

const std::string k_sha_a(64, 'a');
const std::string k_sha_b(64, 'b');

const std::string k_head = "Format: pkgdesc-backup-manifest 1\n"
                           "Root: /srv/root\n"
                           "Architecture: amd64\n"
                           "Created: 2026-12-03T06:00:00Z\n"
                           "Trees: / /var/lib/dpkg\n";

std::string package(const std::string& name, const std::string& files) {
    return "\nPackage: " + name + "\nArchitecture: amd64\nVersion: 1:1.0-1\nReference: /ref\n" +
           "Files:\n" + files;
}

const std::string k_manifest =
    k_head +
    package("keeper", " " + k_sha_a + " 20 0755 root root 1000 /usr/bin/keeper\n " + k_sha_a +
                          " 20 0755 root root 1000 /usr/bin/keeper-again " + "/usr/bin/keeper\n " +
                          k_sha_b + " 4 4755 #0 staff 1000 /usr/lib/with\\040space\n");

std::string error_of(const std::string& text) {
    try {
        RestoreManifest::parse(text, "manifest");
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}

class RestoreManifestTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RestoreManifestTest);
    CPPUNIT_TEST(testReadsWhatThePlanWrites);
    CPPUNIT_TEST(testRejectsMalformedFileLines);
    CPPUNIT_TEST(testRejectsHardLinksOutsideTheirPackageOrUnlikeTheirFile);
    CPPUNIT_TEST(testRejectsAFileBelowAFile);
    CPPUNIT_TEST_SUITE_END();

public:
    void testReadsWhatThePlanWrites() {
        const RestoreManifest m = RestoreManifest::parse(k_manifest, "manifest");
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/root"), m.root);
        CPPUNIT_ASSERT_EQUAL(std::string("amd64"), m.architecture);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, m.trees.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, m.packages.size());
        const ManifestPackage& p = m.packages.front();
        CPPUNIT_ASSERT_EQUAL(std::string("1:1.0-1"), p.version);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, p.files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/keeper"), p.files[1].first_link);
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/with space"), p.files[2].path);
        CPPUNIT_ASSERT_EQUAL(std::uint32_t{04755}, p.files[2].mode);
        CPPUNIT_ASSERT_EQUAL(std::string("#0"), p.files[2].owner);
        CPPUNIT_ASSERT_EQUAL(std::int64_t{1000}, p.files[2].mtime);
    }

    void testRejectsMalformedFileLines() {
        const std::string good = " " + k_sha_b + " 4 0644 root root 1000 /x\n";
        auto with = [&](const std::string& line) { return k_head + package("px", line); };
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:12: 'nothex' is not a SHA-256 in hexadecimal"),
                             error_of(with(" nothex 4 0644 root root 1000 /x\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:12: '644' is not a mode (four octal digits)"),
                             error_of(with(" " + k_sha_b + " 4 644 root root 1000 /x\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("manifest:12: '9223372036854775807' is not an mtime in seconds"),
            error_of(with(" " + k_sha_b + " 4 0644 root root 9223372036854775807 /x\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:12: 'x/../y' is not an absolute, normalized "
                                         "path"),
                             error_of(with(" " + k_sha_b + " 4 0644 root root 1000 x/../y\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:12: a path of 259 bytes, or with a name of "
                                         "256: longer than a file system takes (4095, 255)"),
                             error_of(with(" " + k_sha_b + " 4 0644 root root 1000 /d/" +
                                           std::string(256, 'n') + "\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:12: a path of 5000 bytes, or with a name of "
                                         "9: longer than a file system takes (4095, 255)"),
                             error_of(with(" " + k_sha_b + " 4 0644 root root 1000 " + [] {
                                 std::string p;
                                 while (p.size() < 5000) {
                                     p += "/123456789";
                                 }
                                 return p;
                             }() + "\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:13: /x is named twice"),
                             error_of(with(good + good)));
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:1: not a restore manifest (\"Format: "
                                         "pkgdesc-backup-manifest 1\")"),
                             error_of("Format: something else\n"));
    }

    void testRejectsHardLinksOutsideTheirPackageOrUnlikeTheirFile() {
        // A link to another package's file: the restore would link across packages.
        const std::string a = " " + k_sha_a + " 20 0755 root root 1000 /usr/a\n";
        const std::string b = " " + k_sha_a + " 20 0755 root root 1000 /usr/b /usr/a\n";
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:0: /usr/b: its hard-link group's first path "
                                         "/usr/a is not a file of two in the manifest"),
                             error_of(k_head + package("one", a) + package("two", b)));
        // Nor may a package come twice, its link in one stanza, its file in the other.
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:14: one (amd64) has two stanzas"),
                             error_of(k_head + package("one", a) + package("one", b)));
        // The link claims another mode than the file it shares its inode with.
        const std::string setuid = " " + k_sha_a + " 20 4755 root root 1000 /usr/b /usr/a\n";
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:0: /usr/b: a hard link of /usr/a with other "
                                         "content or metadata"),
                             error_of(k_head + package("one", a + setuid)));
    }

    void testRejectsAFileBelowAFile() {
        const std::string files = " " + k_sha_a + " 20 0755 root root 1000 /usr/a\n " + k_sha_b +
                                  " 4 0644 root root 1000 /usr/a/b\n";
        CPPUNIT_ASSERT_EQUAL(std::string("manifest:0: /usr/a is a file, and /usr/a/b is below it"),
                             error_of(k_head + package("one", files)));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RestoreManifestTest, "unit.restore_manifest");

} // namespace
