// End-to-end test of the Ansible role (contrib/ansible): Debian's ansible-playbook runs the
// playbook on a fleet of two hosts (local connections, each verifying a root the test builds),
// fetches their reports to the controller and prints the fleet summary.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

using namespace pkgdesc::test;

namespace {

class FleetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FleetTest);
    CPPUNIT_TEST(testPlaybookVerifiesEachHostAndSummarisesTheFleet);
    CPPUNIT_TEST_SUITE_END();

public:
    void testPlaybookVerifiesEachHostAndSummarisesTheFleet() {
        if (!have_tool("ansible-playbook")) {
            return skip("ansible-playbook is not installed");
        }
        Installed clean;
        Installed tampered;
        write_file(tampered.root / "/usr/bin/hello", "HELLO\n", 0755);
        const std::string dir = clean.tmp / "ansible";
        auto host = [&](const std::string& name, const Installed& sys) {
            return name + " ansible_connection=local ansible_python_interpreter=/usr/bin/python3 "
                          "pkgdesc_install=false pkgdesc_become=false pkgdesc_verify=" +
                   program("PKGDESC_VERIFY") + " pkgdesc_record_dir=" + sys.tmp / "record" +
                   " pkgdesc_verify_options='[\"--root\", \"" + sys.root.dir() +
                   "\", \"--pkgdesc\", \"" + sys.ref + "\", \"--trust-unsigned\", " +
                   "\"--no-unowned\"]'\n";
        };
        write_file(dir + "/inventory",
                   "[fleet]\n" + host("clean-host", clean) + host("tampered-host", tampered));
        const RunResult r =
            run({"ansible-playbook", "-i", dir + "/inventory", "-e",
                 "pkgdesc_fetch_dir=" + dir + "/fleet",
                 program("PKGDESC_SOURCE_DIR") + std::string("/contrib/ansible/playbook.yml")},
                {"ANSIBLE_NOCOLOR=1", "ANSIBLE_HOME=" + dir + "/home",
                 "ANSIBLE_LOCAL_TEMP=" + dir + "/tmp", "ANSIBLE_REMOTE_TEMP=" + dir + "/rtmp"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        // Each host's report is on the controller.
        const nlohmann::json report =
            nlohmann::json::parse(read_file(dir + "/fleet/tampered-host/last.json"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, report["files"].size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{0},
                             read_file(dir + "/fleet/clean-host/state").rfind("trusted: ", 0));
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("\"msg\": \"tampered-host: degraded: ") !=
                                          std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("pkgdesc fleet: 2 hosts; trusted 1; "
                                                 "incomplete 0; degraded 1; no result 0") !=
                                          std::string::npos);
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(FleetTest, "e2e.fleet.ansible");
