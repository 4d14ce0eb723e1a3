// Unit tests of the verifier's defaults that depend on what is checked.
#include "../support/support.hpp"

#include <libpkgdesc/verify/verifier.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>

using namespace pkgdesc;
using namespace pkgdesc::test;

namespace {

class VerifierPolicyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifierPolicyTest);
    CPPUNIT_TEST(testRunningSystemIsNotScannedByDefault);
    CPPUNIT_TEST(testAnotherRootIsScannedByDefault);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRunningSystemIsNotScannedByDefault() {
        CPPUNIT_ASSERT(!scans_unowned_by_default("/"));
        CPPUNIT_ASSERT(!scans_unowned_by_default("//."));
        // Another name of the same directory is the same system.
        TempDir tmp;
        const std::string link = tmp / "slash";
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("/", link.c_str()));
        CPPUNIT_ASSERT(!scans_unowned_by_default(link));
    }

    void testAnotherRootIsScannedByDefault() {
        TempDir tmp;
        CPPUNIT_ASSERT(scans_unowned_by_default(tmp.path()));
        // One that cannot be examined fails the run later; it never turns the scan off.
        CPPUNIT_ASSERT(scans_unowned_by_default(tmp / "absent"));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifierPolicyTest, "unit.verifier_policy");
