// AtomicFile: a committed file appears whole; an uncommitted one never appears.
#include "../support/support.hpp"

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

using namespace pkgdesc;
using namespace pkgdesc::test;

class AtomicFileTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AtomicFileTest);
    CPPUNIT_TEST(testCommitWritesTheFile);
    CPPUNIT_TEST(testNoCommitLeavesNothing);
    CPPUNIT_TEST(testNoCommitKeepsTheOldFile);
    CPPUNIT_TEST(testMissingDirectoryIsAnIoErrorNamingThePath);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCommitWritesTheFile() {
        TempDir dir;
        {
            AtomicFile f(dir / "out", 0644);
            f.write("hello\n");
            f.commit();
        }
        CPPUNIT_ASSERT_EQUAL(std::string("hello\n"), read_file(dir / "out"));
        struct stat st {};
        ::stat((dir / "out").c_str(), &st);
        CPPUNIT_ASSERT_EQUAL(0644u, static_cast<unsigned>(st.st_mode & 07777));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), list_dir(dir.path()).size());
    }

    void testNoCommitLeavesNothing() {
        TempDir dir;
        {
            AtomicFile f(dir / "out");
            f.write("partial");
        }
        CPPUNIT_ASSERT(list_dir(dir.path()).empty());
    }

    void testNoCommitKeepsTheOldFile() {
        TempDir dir;
        write_file(dir / "out", "old\n");
        try {
            AtomicFile f(dir / "out");
            f.write("new");
            throw std::runtime_error("interrupted");
        } catch (const std::runtime_error&) {
        }
        CPPUNIT_ASSERT_EQUAL(std::string("old\n"), read_file(dir / "out"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), list_dir(dir.path()).size());
    }

    void testMissingDirectoryIsAnIoErrorNamingThePath() {
        TempDir dir;
        try {
            AtomicFile f(dir / "missing/out");
            CPPUNIT_FAIL("expected IoError");
        } catch (const IoError& e) {
            CPPUNIT_ASSERT_EQUAL(dir / "missing/out", e.path());
            CPPUNIT_ASSERT(std::string(e.what()).find("cannot create temporary file") !=
                           std::string::npos);
        }
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(AtomicFileTest, "unit.atomic_file");
