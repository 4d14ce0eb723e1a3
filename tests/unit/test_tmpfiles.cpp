// Unit tests of the metadata tmpfiles.d(5) lines declare.
#include <libpkgdesc/verify/tmpfiles.hpp>

#include <cppunit/extensions/HelperMacros.h>

using namespace pkgdesc;

namespace {

using Kind = ScriptChange::Kind;

std::string describe(const std::vector<ScriptChange>& changes) {
    std::string out;
    for (const ScriptChange& c : changes) {
        out += std::to_string(c.line) + " " +
               (c.kind == Kind::mode ? "mode" : c.kind == Kind::owner ? "owner" : "group") + " " +
               c.value + " " + c.path + "\n";
    }
    return out;
}

class TmpfilesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TmpfilesTest);
    CPPUNIT_TEST(testAideCommonsFile);
    CPPUNIT_TEST(testWhatSaysNothing);
    CPPUNIT_TEST_SUITE_END();

public:
    void testAideCommonsFile() {
        // Debian 12's aide-common: usr/lib/tmpfiles.d/aide-common.conf.
        const std::vector<ScriptChange> changes =
            parse_tmpfiles_metadata("d /run/aide\t\t\t0700\t_aide\troot\n"
                                    "d /var/log/aide\t\t\t2755\t_aide\tadm\n"
                                    "d /var/lib/aide\t\t\t0700\t_aide\troot\n",
                                    "/usr/lib/tmpfiles.d/aide-common.conf");
        CPPUNIT_ASSERT_EQUAL(std::string("1 mode 0700 /run/aide\n1 owner _aide /run/aide\n"
                                         "1 group root /run/aide\n"
                                         "2 mode 2755 /var/log/aide\n2 owner _aide /var/log/aide\n"
                                         "2 group adm /var/log/aide\n"
                                         "3 mode 0700 /var/lib/aide\n3 owner _aide /var/lib/aide\n"
                                         "3 group root /var/lib/aide\n"),
                             describe(changes));
        CPPUNIT_ASSERT(changes[0].tool == ScriptChange::Tool::systemd_tmpfiles);
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/tmpfiles.d/aide-common.conf"), changes[0].script);
        // The mode is exact, as systemd-tmpfiles applies it.
        CPPUNIT_ASSERT_EQUAL(std::uint32_t{02755},
                             resulting_mode(changes[3], 0755, EntryType::directory).value());
    }

    void testWhatSaysNothing() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("9 mode 0755 /srv/dir\n10 group staff /srv/x\n"),
            describe(parse_tmpfiles_metadata("# d /commented 0700 root root\n"
                                             "Z /var/lib/x 0700 root root\n"   // recursive
                                             "d! /boot-only 0700 root root\n"  // modifier
                                             "d /home/%u 0700 %u %g\n"         // specifiers
                                             "z /var/log/*.log 0640 root adm\n" // glob
                                             "d relative 0700 root root\n"
                                             "d /masked ~0700 root root\n"
                                             "L /link - - - - /target\n"
                                             "d /srv/dir/ 0755 - -\n"
                                             "z /srv/x - - staff\n"
                                             "d \"/quoted dir\" 0700 root root\n",
                                             "x.conf")));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(TmpfilesTest, "unit.tmpfiles");
