// Path patterns: '*' within a component, "**" across them.
#include <libpkgdesc/util/path_glob.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace pkgdesc;

class PathGlobTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PathGlobTest);
    CPPUNIT_TEST(testStarStaysInsideOneComponent);
    CPPUNIT_TEST(testDoubleStarSpansDirectoriesOrNone);
    CPPUNIT_TEST(testLeadingDotMustBeMatchedExplicitly);
    CPPUNIT_TEST(testBracketsAndQuestionMark);
    CPPUNIT_TEST(testDeepPathsWithManyDoubleStarsStayFast);
    CPPUNIT_TEST_SUITE_END();

public:
    void testStarStaysInsideOneComponent() {
        CPPUNIT_ASSERT(path_glob_match("/usr/local/lib/python3*", "/usr/local/lib/python3.11"));
        CPPUNIT_ASSERT(!path_glob_match("/usr/local/lib/python3*",
                                        "/usr/local/lib/python3.11/dist-packages/evil.pth"));
        CPPUNIT_ASSERT(!path_glob_match("/usr/lib/modules/*/modules.*",
                                        "/usr/lib/modules/6.1/kernel/modules.rootkit.ko"));
        CPPUNIT_ASSERT(path_glob_match("/usr/lib/modules/*/modules.*",
                                       "/usr/lib/modules/6.1/modules.dep"));
        CPPUNIT_ASSERT(!path_glob_match("*.pyc", "/usr/lib/x.pyc"));
        CPPUNIT_ASSERT(path_glob_match("/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_ed25519_key"));
        CPPUNIT_ASSERT(!path_glob_match("/etc", "/etc/passwd"));
    }

    void testDoubleStarSpansDirectoriesOrNone() {
        CPPUNIT_ASSERT(path_glob_match("/boot/grub/**", "/boot/grub"));
        CPPUNIT_ASSERT(path_glob_match("/boot/grub/**", "/boot/grub/i386-pc/normal.mod"));
        CPPUNIT_ASSERT(!path_glob_match("/boot/grub/**", "/boot/grubby"));
        CPPUNIT_ASSERT(path_glob_match("/**/__pycache__", "/usr/lib/python3/dist-packages/a/__pycache__"));
        CPPUNIT_ASSERT(path_glob_match("/**/__pycache__", "/__pycache__"));
        CPPUNIT_ASSERT(!path_glob_match("/**/__pycache__", "/usr/lib/__pycache__/x.pyc"));
        CPPUNIT_ASSERT(path_glob_match("/usr/share/fonts/**/fonts.dir",
                                       "/usr/share/fonts/X11/misc/fonts.dir"));
    }

    void testLeadingDotMustBeMatchedExplicitly() {
        CPPUNIT_ASSERT(!path_glob_match("/etc/ssl/certs/*", "/etc/ssl/certs/.hidden"));
        CPPUNIT_ASSERT(path_glob_match("/usr/share/doc/*/.*", "/usr/share/doc/x/.placeholder"));
    }

    void testBracketsAndQuestionMark() {
        CPPUNIT_ASSERT(path_glob_match("/etc/rc[0-6S].d/*", "/etc/rcS.d/S01x"));
        CPPUNIT_ASSERT(!path_glob_match("/etc/rc[0-6S].d/*", "/etc/rc7.d/S01x"));
        CPPUNIT_ASSERT(path_glob_match("/etc/passwd?", "/etc/passwd-"));
        CPPUNIT_ASSERT(!path_glob_match("/etc/passwd?", "/etc/passwd"));
    }

    void testDeepPathsWithManyDoubleStarsStayFast() {
        // Work grows with pattern components times path components, never exponentially.
        std::string path;
        for (int i = 0; i < 2000; ++i) {
            path += "/a";
        }
        std::string pattern;
        for (int i = 0; i < 40; ++i) {
            pattern += "/**/a";
        }
        CPPUNIT_ASSERT(path_glob_match(pattern, path));
        CPPUNIT_ASSERT(!path_glob_match(pattern + "/b", path));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(PathGlobTest, "unit.path_glob");
