// End-to-end tests of metadata that a package's own maintainer script sets: fuse's setuid
// fusermount, cron's crontabs directory, a capability given by setcap. What the proven postinst
// sets literally for exactly that path, to exactly the value on disk, is pristine with the
// script line; anything else stays a deviation.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

// "mounter": /usr/bin/mounter (0755 in the archive) and /var/spool/mounter (0755); its
// postinst, like fuse's and cron's, makes the program setuid unless a statoverride exists,
// gives the spool directory to group daemon with mode 1730, and a capability to the helper.
struct Mounter {
    TempDir tmp;
    std::string deb;
    std::string ref;
    SystemRoot root{tmp / "root"};

    Mounter() {
        const std::string dir = tmp / "mounter";
        write_control(dir, "mounter", "1.0", "amd64");
        deb = tmp / "mounter_1.0_amd64.deb";
        build_deb(dir, deb, "xz",
                  "mkdir -p usr/bin var/spool/mounter usr/lib/mounter\n"
                  "printf 'mounter\\n' > usr/bin/mounter && chmod 755 usr/bin/mounter\n"
                  "printf 'helper\\n' > usr/lib/mounter/helper && chmod 755 usr/lib/mounter/helper\n"
                  "cat > DEBIAN/postinst <<'SCRIPT'\n"
                  "#!/bin/sh\n"
                  "set -e\n"
                  "spool=/var/spool/mounter\n"
                  "if [ \"$1\" = configure ]; then\n"
                  "    if ! dpkg-statoverride --list /bin/mounter >/dev/null 2>&1; then\n"
                  "        chmod 4755 /bin/mounter\n"
                  "    fi\n"
                  "    chgrp daemon $spool\n"
                  "    chmod 1730 $spool\n"
                  "    setcap cap_net_raw+ep /usr/lib/mounter/helper || true\n"
                  "fi\n"
                  "SCRIPT\n"
                  "chmod 755 DEBIAN/postinst\n");
        ref = make_reference(tmp, {deb});
        root.install(deb);
        // What dpkg's run of the postinst did (/bin is /usr/bin on a merged-/usr root).
        root.merge_usr();
        must_sh("chmod 4755 " + q("/usr/bin/mounter") + " && chgrp 7001 " +
                q("/var/spool/mounter") + " && chmod 1730 " + q("/var/spool/mounter"));
    }
    std::string q(const std::string& path) const { return shell_quote(root / path); }
    RunResult run_verify(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args{"--root", root.dir(), "--pkgdesc", ref, "--trust-unsigned"};
        args.insert(args.end(), extra.begin(), extra.end());
        return verify(args);
    }
};

// "tool" with /usr/bin/tool (0755) and /usr/bin/shell, and the given postinst, installed; then
// `attack` (shell, with $R the root) changed what is on disk. Returns the JSON verdict.
json verdict_after(const std::string& postinst, const std::string& attack, int status,
                   const std::string& diversions = "") {
    TempDir tmp;
    const std::string dir = tmp / "tool";
    write_control(dir, "tool", "1.0", "amd64");
    write_file(dir + "/DEBIAN/postinst", "#!/bin/sh\nset -e\n" + postinst, 0755);
    const std::string deb = tmp / "tool_1.0_amd64.deb";
    build_deb(dir, deb, "xz",
              "mkdir -p usr/bin && printf 'tool\\n' > usr/bin/tool && chmod 755 usr/bin/tool\n"
              "printf 'a shell\\n' > usr/bin/shell && chmod 755 usr/bin/shell\n");
    const std::string ref = make_reference(tmp, {deb});
    SystemRoot root(tmp / "root");
    root.install(deb);
    if (!diversions.empty()) {
        write_file(root / "/var/lib/dpkg/diversions", diversions);
    }
    must_sh("R=" + shell_quote(root.dir()) + "\n" + attack);
    return verify_json(root, ref, {}, status);
}

class VerifyExplainedTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyExplainedTest);
    CPPUNIT_TEST(testScriptSetMetadataIsPristineWithTheLine);
    CPPUNIT_TEST(testOtherValuesAreStillReported);
    CPPUNIT_TEST(testModifiedScriptExplainsNothing);
    CPPUNIT_TEST(testContentIsNeverExplained);
    CPPUNIT_TEST(testCapabilitySetByTheScript);
    CPPUNIT_TEST(testTmpfilesDeclaredMetadata);
    CPPUNIT_TEST(testSetgidNeedsTheGroupTheScriptSets);
    CPPUNIT_TEST(testStatoverrideOfTheScriptIsAtomic);
    CPPUNIT_TEST(testOnlyTheModeTheScriptEndsWith);
    CPPUNIT_TEST(testDivertedFileIsNotExplained);
    CPPUNIT_TEST_SUITE_END();

public:
    void testScriptSetMetadataIsPristineWithTheLine() {
        Mounter sys;
        // The default run prints no finding.
        const RunResult quiet = sys.run_verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(quiet.out + quiet.err, 0, quiet.status);
        CPPUNIT_ASSERT_MESSAGE(quiet.out, quiet.out.find("mounter") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(quiet.out,
                               quiet.out.find("Metadata set by the packages' own postinst or "
                                              "tmpfiles.d: 2 files (-v lists them)\n") !=
                                   std::string::npos);
        // -v names each with its script line.
        const RunResult verbose = sys.run_verify({"-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(verbose.out + verbose.err, 0, verbose.status);
        CPPUNIT_ASSERT_MESSAGE(verbose.out,
                               verbose.out.find("pristine     /usr/bin/mounter (mounter): mode "
                                                "0755 -> 4755 set by postinst line 6 (chmod "
                                                "4755)") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(verbose.out,
                               verbose.out.find("pristine     /var/spool/mounter (mounter): "
                                                "mode 0755 -> 1730 set by postinst line 9 "
                                                "(chmod 1730), group root -> daemon set by "
                                                "postinst line 8 (chgrp daemon)") !=
                                   std::string::npos);
        const json doc = verify_json(sys.root, sys.ref, {}, 0);
        const json& mounter = file_entry(doc, "/usr/bin/mounter");
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"), mounter["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(json::parse(R"([{"attribute":"mode","expected":"0755",)"
                                         R"("actual":"4755","script":"postinst","line":6,)"
                                         R"("command":"chmod 4755"}])"),
                             mounter["explained_by"]);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, doc["summary"]["explained"].get<std::size_t>());
    }

    void testOtherValuesAreStillReported() {
        // 4711 is not what the script sets; group staff is not daemon.
        Mounter sys;
        must_sh("chmod 4711 " + sys.q("/usr/bin/mounter") + " && chgrp 50 " +
                sys.q("/var/spool/mounter"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/mounter", "metadata mode"},
                           {"/var/spool/mounter", "metadata mode,group"}},
                          doc);
        CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/mounter").count("explained_by") == 0);
    }

    void testModifiedScriptExplainsNothing() {
        // A postinst edited to claim the change (or anything else) proves nothing.
        Mounter sys;
        must_sh("echo 'chmod 4755 /usr/bin/mounter' >> " +
                sys.q("/var/lib/dpkg/info/mounter.postinst"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/mounter", "metadata mode"},
                           {"/var/spool/mounter", "metadata mode,group"},
                           {"/var/lib/dpkg/info/mounter.postinst", "modified sha256"}},
                          doc);
    }

    void testContentIsNeverExplained() {
        Mounter sys;
        must_sh("printf 'evil\\n' > " + sys.q("/usr/bin/mounter.new") + " && chmod 4755 " +
                sys.q("/usr/bin/mounter.new") + " && mv " + sys.q("/usr/bin/mounter.new") + " " +
                sys.q("/usr/bin/mounter"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/mounter", "modified size,sha256,mode,mtime"}}, doc);
    }

    void testCapabilitySetByTheScript() {
        if (!running_as_root() || !have_tool("setcap")) {
            skip("setcap needs root and libcap2-bin");
            return;
        }
        Mounter sys;
        must_sh("setcap cap_net_raw+ep " + sys.q("/usr/lib/mounter/helper"));
        const json doc = verify_json(sys.root, sys.ref, {}, 0);
        CPPUNIT_ASSERT_EQUAL(std::string("setcap cap_net_raw+ep"),
                             file_entry(doc, "/usr/lib/mounter/helper")["explained_by"][0]
                                 ["command"]
                                     .get<std::string>());
        // Another capability is reported.
        must_sh("setcap cap_sys_admin+ep " + sys.q("/usr/lib/mounter/helper"));
        assert_deviations({{"/usr/lib/mounter/helper", "metadata security.capability"}},
                          verify_json(sys.root, sys.ref, {}, 1));
    }

    void testSetgidNeedsTheGroupTheScriptSets() {
        // chgrp daemon then chmod 2755 (mlocate, cron): setgid with group root is not what
        // the script makes.
        const std::string script = "chgrp daemon /usr/bin/tool\nchmod 2755 /usr/bin/tool\n";
        assert_deviations({{"/usr/bin/tool", "metadata mode"}},
                          verdict_after(script, "chmod 2755 \"$R/usr/bin/tool\"", 1));
        assert_deviations({}, verdict_after(script,
                                            "chgrp 7001 \"$R/usr/bin/tool\" && chmod 2755 "
                                            "\"$R/usr/bin/tool\"",
                                            0));
    }

    void testStatoverrideOfTheScriptIsAtomic() {
        // The script makes it setuid daemon; setuid root is no part of that.
        const std::string script =
            "dpkg-statoverride --update --add daemon daemon 4755 /usr/bin/tool\n";
        assert_deviations({{"/usr/bin/tool", "metadata mode"}},
                          verdict_after(script, "chmod 4755 \"$R/usr/bin/tool\"", 1));
        assert_deviations({}, verdict_after(script,
                                            "chown 7001:7001 \"$R/usr/bin/tool\" && chmod 4755 "
                                            "\"$R/usr/bin/tool\"",
                                            0));
        // With the statoverride the script adds in dpkg's database (as dbus' postinst does),
        // the setuid bit that the database alone could not give is the script's.
        const std::string recorded =
            " && printf '%s\\n' '" + std::string("daemon daemon 4755 /usr/bin/tool") +
            "' >> \"$R/var/lib/dpkg/statoverride\"";
        assert_deviations({}, verdict_after(script,
                                            "chown 7001:7001 \"$R/usr/bin/tool\" && chmod 4755 "
                                            "\"$R/usr/bin/tool\"" +
                                                recorded,
                                            0));
        // A statoverride of the database's own, for another owner, gives nothing.
        const json root_owned = verdict_after(
            script,
            "chmod 4755 \"$R/usr/bin/tool\" && printf '%s\\n' 'root root 4755 /usr/bin/tool' >> "
            "\"$R/var/lib/dpkg/statoverride\"",
            1);
        assert_deviations({{"/usr/bin/tool", "metadata mode"}}, root_owned);
    }

    void testOnlyTheModeTheScriptEndsWith() {
        // chmod 0750 then u+s ends at 4750, never 4755; chmod 4755 then 0755 ends at 0755.
        assert_deviations({{"/usr/bin/tool", "metadata mode"}},
                          verdict_after("chmod 0750 /usr/bin/tool\nchmod u+s /usr/bin/tool\n",
                                        "chmod 4755 \"$R/usr/bin/tool\"", 1));
        assert_deviations({}, verdict_after("chmod 0750 /usr/bin/tool\nchmod u+s /usr/bin/tool\n",
                                            "chmod 4750 \"$R/usr/bin/tool\"", 0));
        assert_deviations({{"/usr/bin/tool", "metadata mode"}},
                          verdict_after("chmod 4755 /usr/bin/tool\nchmod 0755 /usr/bin/tool\n",
                                        "chmod 4755 \"$R/usr/bin/tool\"", 1));
    }

    void testDivertedFileIsNotExplained() {
        // Diversions swap the package's two files: the shell now sits where the postinst makes
        // the program setuid. The chmod was the program's, not the shell's.
        const json doc = verdict_after(
            "chmod 4755 /usr/bin/tool\n",
            "mv \"$R/usr/bin/tool\" \"$R/t\" && mv \"$R/usr/bin/shell\" \"$R/usr/bin/tool\" && "
            "mv \"$R/t\" \"$R/usr/bin/shell\" && chmod 4755 \"$R/usr/bin/tool\"",
            1,
            "/usr/bin/shell\n/usr/bin/tool\nhello\n/usr/bin/tool\n/usr/bin/shell\nhello\n");
        CPPUNIT_ASSERT_EQUAL(std::string("metadata"),
                             file_entry(doc, "/usr/bin/tool")["status"].get<std::string>());
        CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/tool").count("explained_by") == 0);
    }

    void testTmpfilesDeclaredMetadata() {
        // Like aide-common: systemd-tmpfiles gives /var/lib/keeper to daemon, mode 0700, at
        // boot and from the postinst.
        TempDir tmp;
        const std::string dir = tmp / "keeper";
        write_control(dir, "keeper", "1.0", "amd64");
        const std::string deb = tmp / "keeper_1.0_amd64.deb";
        build_deb(dir, deb, "xz",
                  "mkdir -p var/lib/keeper usr/lib/tmpfiles.d\n"
                  "printf 'd /var/lib/keeper\\t0700\\tdaemon\\troot\\n' > "
                  "usr/lib/tmpfiles.d/keeper.conf\n");
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root(tmp / "root");
        root.install(deb);
        const std::string keeper = shell_quote(root / "/var/lib/keeper");
        must_sh("chmod 0700 " + keeper + " && chown 7001 " + keeper);
        const json doc = verify_json(root, ref, {}, 0);
        const json& entry = file_entry(doc, "/var/lib/keeper");
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"), entry["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/tmpfiles.d/keeper.conf"),
                             entry["explained_by"][0]["script"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("systemd-tmpfiles 0700"),
                             entry["explained_by"][0]["command"].get<std::string>());
        // An override in /etc is what systemd-tmpfiles reads then: the package's word no longer
        // counts.
        must_sh("mkdir -p " + shell_quote(root / "/etc/tmpfiles.d") + " && touch " +
                shell_quote(root / "/etc/tmpfiles.d/keeper.conf"));
        assert_deviations({{"/var/lib/keeper", "metadata mode,owner"}},
                          verify_json(root, ref, {}, 1));
        // Nor does an edited file.
        must_sh("rm " + shell_quote(root / "/etc/tmpfiles.d/keeper.conf") +
                " && echo 'd /var/lib/keeper 0700 daemon root' > " +
                shell_quote(root / "/usr/lib/tmpfiles.d/keeper.conf"));
        assert_deviations({{"/var/lib/keeper", "metadata mode,owner"},
                           {"/usr/lib/tmpfiles.d/keeper.conf", "modified sha256,mtime"}},
                          verify_json(root, ref, {}, 1));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyExplainedTest, "e2e.verify.explained");
