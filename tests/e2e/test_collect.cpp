// Collect here, verify there: pkgdesc-verify --collect on a test root, and --from-collected on
// the stream with the root moved out of reach, against --root on the same system (identical
// JSON) for every kind of tampering; broken, edited, hostile and signed streams.
#include "../support/fixtures.hpp"
#include "../support/gnupg.hpp"
#include "../support/support.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

// The standard output of a command that must succeed.
std::string must(const RunResult& r) {
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
    return r.out;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// `edited`, a stream with as many records as `original`, with its end record made true again
// and signed by the Ed25519 private key `key` when one is given: what a forger writes, or the
// collector's key itself on an older or other collection. `work` holds the files made meanwhile.
std::string resealed(const std::string& original, const std::string& edited,
                     const std::string& work, const std::string& key = "") {
    const std::string body = edited.substr(0, edited.rfind("\ne ") + 1);
    const std::size_t at = original.rfind("\ne ") + 3;
    const std::string records = original.substr(at, original.find(' ', at) - at);
    write_file(work + "/body", body);
    const std::string end_line =
        "e " + records + " " +
        must(sh("sha256sum < " + shell_quote(work + "/body"))).substr(0, 64) + "\n";
    if (key.empty()) {
        return body + end_line;
    }
    write_file(work + "/end", end_line);
    const std::string sig = must(sh("openssl pkeyutl -sign -inkey " + shell_quote(key) +
                                    " -rawin -in " + shell_quote(work + "/end") + " | base64 -w0"));
    return body + end_line + "s ed25519 " + std::to_string(sig.size()) + "\n" + sig + "\n";
}

// An Ed25519 key pair made with openssl: KEY.pem and KEY-pub.pem.
std::pair<std::string, std::string> ed25519_pair(const std::string& key) {
    must_sh("openssl genpkey -algorithm ed25519 -out " + shell_quote(key + ".pem") +
            " && openssl pkey -in " + shell_quote(key + ".pem") + " -pubout -out " +
            shell_quote(key + "-pub.pem"));
    return {key + ".pem", key + "-pub.pem"};
}

// A system collected into a stream, and the runs that compare the two verdicts.
struct Collected {
    Installed sys;
    std::string stream = sys.tmp / "system.stream";
    std::string tmpdir = sys.tmp / "judge-tmp";

    // pkgdesc-verify --collect --root ROOT ARGS > stream.
    RunResult collect(const std::vector<std::string>& args = {"--no-unowned"},
                      const std::vector<std::string>& env = {}) const {
        std::string cmd = shell_quote(program("PKGDESC_VERIFY")) + " --collect --root " +
                          shell_quote(sys.root.dir());
        for (const std::string& arg : args) {
            cmd += " " + shell_quote(arg);
        }
        return sh(cmd + " > " + shell_quote(stream), env);
    }

    // The verification of the stream, with the root out of reach meanwhile (moved away), and
    // the judge's temporary files in a directory of their own, which must be empty after.
    // glibc fills the memory it frees or hands out with a byte (MALLOC_PERTURB_): a view into
    // a freed buffer of the stream reader reads garbage and fails, not stale bytes that happen
    // to be right.
    RunResult judge(const std::vector<std::string>& args, const std::string& from = "",
                    const std::vector<std::string>& env = {}) const {
        const std::string away = sys.tmp / "root.away";
        must_sh("mkdir -p " + shell_quote(tmpdir) + " && mv " + shell_quote(sys.root.dir()) + " " +
                shell_quote(away));
        std::vector<std::string> argv{program("PKGDESC_VERIFY"), "--from-collected",
                                      from.empty() ? stream : from};
        argv.insert(argv.end(), args.begin(), args.end());
        const RunResult r = run(argv, with({"TMPDIR=" + tmpdir, "MALLOC_PERTURB_=165"}, env));
        must_sh("mv " + shell_quote(away) + " " + shell_quote(sys.root.dir()));
        CPPUNIT_ASSERT_MESSAGE("the judge left files behind: " + sh("ls -A " + tmpdir).out,
                               list_dir(tmpdir).empty());
        return r;
    }

    std::vector<std::string> reference() const {
        return {"--pkgdesc", sys.ref, "--trust-unsigned", "--format", "json", "-q"};
    }

    // Runs both and asserts the same exit status and the very same JSON; returns the document.
    json assert_same(const std::string& what,
                     const std::vector<std::string>& collect_args = {"--no-unowned"},
                     const std::vector<std::string>& judge_args = {}) const {
        std::vector<std::string> root_args{"--root", sys.root.dir()};
        const RunResult live =
            verify_as_given(with(with(with(root_args, reference()), collect_args), judge_args));
        const RunResult c = collect(collect_args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + c.err, 0, c.status);
        const RunResult judged = judge(with(reference(), judge_args));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + judged.err, live.status, judged.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, live.out, judged.out);
        return json::parse(judged.out);
    }
};

} // namespace

class CollectTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CollectTest);
    CPPUNIT_TEST(testEveryTamperingIsJudgedAsOnTheRoot);
    CPPUNIT_TEST(testControlMembersAndDatabaseTampering);
    CPPUNIT_TEST(testALargeDatabase);
    CPPUNIT_TEST(testPackagesWithoutReferenceDataAgainstTheirMd5sums);
    CPPUNIT_TEST(testUnownedFilesAsOnTheRoot);
    CPPUNIT_TEST(testWhatTheCollectorCouldNotObserveIsNotHidden);
    CPPUNIT_TEST(testHardLinkPartnerThroughASymlink);
    CPPUNIT_TEST(testThroughAPipe);
    CPPUNIT_TEST(testCollectingWritesNothingAndNeedsNoReferenceData);
    CPPUNIT_TEST(testTruncatedEditedAndHostileStreamsAreRefused);
    CPPUNIT_TEST(testEd25519SignedStream);
    CPPUNIT_TEST(testOpenPgpSignedStream);
    CPPUNIT_TEST(testSignatureProvenBeforeParsing);
    CPPUNIT_TEST(testReplayedAndStaleStreams);
    CPPUNIT_TEST(testRelativeRootAndUnreadableKeys);
    CPPUNIT_TEST(testOptionsThatDoNotApply);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEveryTamperingIsJudgedAsOnTheRoot() {
        struct Scenario {
            std::string name;
            std::function<void(Installed&)> tamper;
            bool needs_root = false;
        };
        const std::vector<Scenario> scenarios{
            {"pristine", [](Installed&) {}},
            {"same size, same mtime, other content",
             [](Installed& s) {
                 const std::string data = shell_quote(s.root / "/usr/lib/hello/data.bin");
                 must_sh("m=$(stat -c %Y " + data + "); printf y | dd of=" + data +
                         " bs=1 seek=5000 conv=notrunc status=none; touch -d @$m " + data);
             }},
            {"chmod and setuid",
             [](Installed& s) {
                 must_sh("chmod 4755 " + s.q("/usr/sbin/hellod") + " && chmod 0666 " +
                         s.q("/usr/share/doc/hello/README"));
             }},
            {"chown",
             [](Installed& s) {
                 must_sh("chown -h 7001 " + s.q("/usr/bin/hello-link") + " && chgrp 7001 " +
                         s.q("/usr/sbin/hellod"));
             },
             true},
            {"file replaced by a symlink",
             [](Installed& s) {
                 must_sh("rm " + s.q("/usr/sbin/hellod") + " && ln -s ../bin/hello " +
                         s.q("/usr/sbin/hellod"));
             }},
            {"FIFO",
             [](Installed& s) {
                 must_sh("rm " + s.q("/usr/lib/hello/data.bin") + " && mkfifo " +
                         s.q("/usr/lib/hello/data.bin"));
             }},
            {"symlink retargeted",
             [](Installed& s) { must_sh("ln -sfn /etc/passwd " + s.q("/usr/bin/hello-link")); }},
            {"directory replaced by a symlink out of the root",
             [](Installed& s) {
                 const std::string outside = shell_quote(s.tmp / "outside");
                 must_sh("cp -a " + s.q("/usr/share/doc/hello") + " " + outside + " && rm -r " +
                         s.q("/usr/share/doc/hello") + " && ln -s " + outside + " " +
                         s.q("/usr/share/doc/hello"));
             }},
            {"directory replaced by a symlink inside the root",
             [](Installed& s) {
                 must_sh("mv " + s.q("/usr/share/doc/hello") + " " + s.q("/usr/share/doc/h2") +
                         " && ln -s h2 " + s.q("/usr/share/doc/hello"));
             }},
            {"deleted file and conffile",
             [](Installed& s) {
                 must_sh("rm " + s.q("/usr/share/doc/hello/README") + " " + s.q("/etc/hello.conf"));
             }},
            {"deleted directory", [](Installed& s) { must_sh("rm -r " + s.q("/usr/lib/hello")); }},
            {"broken hard link",
             [](Installed& s) {
                 must_sh("cp -p " + s.q("/usr/bin/hello-again") + " " + s.q("/usr/bin/tmp") +
                         " && mv " + s.q("/usr/bin/tmp") + " " + s.q("/usr/bin/hello-again"));
             }},
            {"a further hard link",
             [](Installed& s) {
                 must_sh("ln " + s.q("/usr/sbin/hellod") + " " + s.q("/usr/sbin/kept-alive"));
             }},
            {"mtime",
             [](Installed& s) {
                 must_sh("touch " + s.q("/usr/sbin/hellod") + " " + s.q("/etc/hello.conf") + " " +
                         s.q("/usr/share/doc/hello"));
             }},
            {"edited conffile",
             [](Installed& s) { must_sh("echo evil=1 >> " + s.q("/etc/hello.conf")); }},
            {"edited list hides nothing",
             [](Installed& s) {
                 must_sh("printf x >> " + s.q("/usr/sbin/hellod") + " && sed -i '/hellod/d' " +
                         s.q("/var/lib/dpkg/info/hello.list"));
             }},
            {"local diversion",
             [](Installed& s) {
                 must_sh("cp -a " + s.q("/usr/bin/hello") + " " + s.q("/usr/sbin/hellod"));
                 s.root.add_diversion("/usr/bin/hello", "/usr/sbin/hellod", ":");
             }},
            {"statoverride",
             [](Installed& s) {
                 s.root.add_statoverride("root", "root", 04755, "/usr/sbin/hellod");
                 must_sh("chmod 4755 " + s.q("/usr/sbin/hellod"));
             }},
            {"obsolete conffile",
             [](Installed& s) {
                 must_sh("cp " + s.q("/usr/bin/hello") + " " + s.q("/usr/bin/backdoor") +
                         " && echo /usr/bin/backdoor >> " + s.q("/var/lib/dpkg/info/hello.list") +
                         " && sed -i 's,^ /etc/hello.conf .*,&\\n /usr/bin/backdoor 0123 "
                         "obsolete,' " +
                         s.q("/var/lib/dpkg/status"));
             }},
            {"accounts renamed",
             [](Installed& s) {
                 must_sh("chown 7001 " + s.q("/usr/sbin/hellod") +
                         " && echo 'intruder:x:7001:7001::/:/bin/sh' >> " + s.q("/etc/passwd"));
             },
             true},
            {"merged /usr", [](Installed& s) { s.root.merge_usr(); }},
        };
        for (const Scenario& scenario : scenarios) {
            if (scenario.needs_root && !running_as_root()) {
                continue;
            }
            Collected c;
            scenario.tamper(c.sys);
            const json doc = c.assert_same(scenario.name);
            if (scenario.name != "pristine" && scenario.name != "merged /usr") {
                CPPUNIT_ASSERT_MESSAGE(scenario.name, !deviations(doc).empty());
            }
        }
        {
            // A directory that no list names any more, gone with what is in it: the collector
            // never looked into a directory no list names, so what it held is not known there
            // (never pristine); the root's own run finds it missing.
            Collected c;
            must_sh("rm -r " + c.sys.q("/usr/share/doc") + " && sed -i '/doc/d' " +
                    c.sys.q("/var/lib/dpkg/info/hello.list"));
            assert_deviations(
                {{"/usr/share/doc", "missing"},
                 {"/usr/share/doc/hello", "missing"},
                 {"/usr/share/doc/hello/README", "missing"}},
                json::parse(verify({"--root", c.sys.root.dir(), "--pkgdesc", c.sys.ref,
                                    "--trust-unsigned", "--format", "json", "-q"})
                                .out));
            CPPUNIT_ASSERT_EQUAL(0, c.collect().status);
            const RunResult judged = c.judge(c.reference());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(judged.err, 1, judged.status);
            // /usr/share is listed: its names were, and doc is not among them.
            assert_deviations({{"/usr/share/doc", "missing"},
                               {"/usr/share/doc/hello", "missing"},
                               {"/usr/share/doc/hello/README", "missing"}},
                              json::parse(judged.out));
        }
        if (have_tool("setfacl")) {
            Collected c;
            if (sh("setfacl -m u:7001:r " + c.sys.q("/usr/share/doc/hello/README")).status == 0) {
                const json doc = c.assert_same("ACL");
                assert_deviations(
                    {{"/usr/share/doc/hello/README", "metadata system.posix_acl_access"}}, doc);
            }
        }
        if (running_as_root() && have_tool("setcap")) {
            Collected c;
            must_sh("setcap cap_net_raw+ep " + c.sys.q("/usr/bin/hello"));
            assert_deviations({{"/usr/bin/hello", "metadata security.capability"},
                               {"/usr/bin/hello-again", "metadata security.capability"}},
                              c.assert_same("capability"));
            // --ignore-xattr is the verifying host's to give.
            assert_deviations({}, c.assert_same("capability ignored", {"--no-unowned"},
                                                {"--ignore-xattr", "security.capability"}));
        }
    }

    void testControlMembersAndDatabaseTampering() {
        {
            Collected c;
            must_sh("echo '0123 usr/bin/evil' >> " + c.sys.q("/var/lib/dpkg/info/hello.md5sums") +
                    " && printf '#!/bin/sh\\nevil\\n' > " +
                    c.sys.q("/var/lib/dpkg/info/hello.postrm") + " && mkfifo " +
                    c.sys.q("/var/lib/dpkg/info/hello.prerm") + " && chmod o+w " +
                    c.sys.q("/var/lib/dpkg/info/hello.conffiles"));
            const json doc = c.assert_same("control members");
            const Deviations found = deviations(doc);
            CPPUNIT_ASSERT(found.count("/var/lib/dpkg/info/hello.md5sums") == 1);
            CPPUNIT_ASSERT(found.count("/var/lib/dpkg/info/hello.postrm") == 1);
            CPPUNIT_ASSERT(found.count("/var/lib/dpkg/info/hello.prerm") == 1);
            CPPUNIT_ASSERT(found.count("/var/lib/dpkg/info/hello.conffiles") == 1);
        }
        {
            // A package whose md5sums dpkg wrote itself: proven line by line from the MD5s
            // collected.
            Collected c;
            const std::string dir = c.sys.tmp / "nosums";
            write_control(dir, "nosums", "1.0", "all");
            build_deb(dir, c.sys.tmp / "nosums.deb", "xz",
                      "mkdir -p usr/share/nosums && echo data > usr/share/nosums/file");
            const std::string ref =
                make_reference(c.sys.tmp, {c.sys.deb, c.sys.tmp / "nosums.deb"}, "ref2");
            c.sys.root.install(c.sys.tmp / "nosums.deb");
            must_sh("cd " + shell_quote(c.sys.root.dir()) +
                    " && md5sum usr/share/nosums/file > var/lib/dpkg/info/nosums.md5sums");
            std::vector<std::string> args{"--pkgdesc", ref};
            const RunResult live = verify({"--root", c.sys.root.dir(), "--pkgdesc", ref,
                                           "--trust-unsigned", "--format", "json", "-q", "--all"});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(live.err, 0, live.status);
            CPPUNIT_ASSERT_EQUAL(0, c.collect().status);
            const RunResult judged =
                c.judge({"--pkgdesc", ref, "--trust-unsigned", "--format", "json", "-q", "--all"});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(judged.err, 0, judged.status);
            CPPUNIT_ASSERT_EQUAL(live.out, judged.out);
            CPPUNIT_ASSERT_EQUAL(
                std::string("pristine"),
                file_entry(json::parse(judged.out), "/var/lib/dpkg/info/nosums.md5sums")["status"]
                    .get<std::string>());
        }
    }

    void testALargeDatabase() {
        // A status file of some MiB, as on a real system: the records after it are read across
        // the reader's buffer refills.
        Collected c;
        must_sh("awk 'BEGIN { for (i = 1; i <= 2500; i++) { printf \"Package: gone%d\\nStatus: "
                "purge ok not-installed\\nArchitecture: all\\nVersion: 1.0\\nDescription: "
                "padding\\n\", i; for (j = 0; j < 40; j++) print \" "
                "0123456789012345678901234567890123456789012345678901234567890123\"; print "
                "\"\" } }' >> " +
                c.sys.q("/var/lib/dpkg/status"));
        CPPUNIT_ASSERT(read_file(c.sys.root / "/var/lib/dpkg/status").size() > (6u << 20));
        must_sh("chmod 0600 " + c.sys.q("/usr/share/doc/hello/README"));
        const json doc = c.assert_same("large database");
        assert_deviations({{"/usr/share/doc/hello/README", "metadata mode"}}, doc);
    }

    void testPackagesWithoutReferenceDataAgainstTheirMd5sums() {
        Collected c;
        const std::string other = build_small_deb(c.sys.tmp.path(), "other", "1.0", "other text");
        c.sys.root.install(other);
        must_sh("cd " + shell_quote(c.sys.root.dir()) +
                " && md5sum usr/bin/other > var/lib/dpkg/info/other.md5sums" +
                " && echo changed >> usr/bin/other");
        const json doc = c.assert_same("unreferenced package");
        CPPUNIT_ASSERT_EQUAL(std::string("modified"),
                             file_entry(doc, "/usr/bin/other")["status"].get<std::string>());
        // Collected without MD5s: nothing to compare them with there.
        CPPUNIT_ASSERT_EQUAL(0, c.collect({"--no-unowned", "--no-md5"}).status);
        const RunResult judged = c.judge(c.reference());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(judged.err, 1, judged.status);
        const json unhashed = json::parse(judged.out);
        const json& file = file_entry(unhashed, "/usr/bin/other");
        CPPUNIT_ASSERT_EQUAL(std::string("unverifiable"), file["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("no MD5 collected (pkgdesc-verify --collect --no-md5)"),
                             file["reason"].get<std::string>());
        // hello's files have their SHA-256: still pristine.
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, unhashed["summary"]["modified"].get<std::size_t>());
    }

    void testUnownedFilesAsOnTheRoot() {
        Collected c;
        must_sh("cp " + c.sys.q("/usr/bin/hello") + " " + c.sys.q("/usr/bin/planted") +
                " && chmod 4755 " + c.sys.q("/usr/bin/planted") + " && mkdir -p " +
                c.sys.q("/etc/cron.d") + " && echo '* * * * * root /usr/bin/planted' > " +
                c.sys.q("/etc/cron.d/planted") + " && mkdir -p " + c.sys.q("/opt/deep/er") +
                " && ln -s /etc/shadow " + c.sys.q("/opt/deep/er/link"));
        const json doc = c.assert_same("unowned", {"--unowned"});
        const Deviations found = deviations(doc);
        CPPUNIT_ASSERT_MESSAGE(doc.dump(), found.count("/usr/bin/planted") == 1);
        CPPUNIT_ASSERT(found.count("/etc/cron.d/planted") == 1);
        CPPUNIT_ASSERT(found.count("/opt/deep/er/link") == 1);
        // The default with --root: the scan, on both sides.
        c.assert_same("unowned by default", {});
        // A walked directory whose name has a comma is that one directory there too.
        must_sh("mkdir -p " + c.sys.q("/srv/x,/y") + " && echo evil > " +
                c.sys.q("/srv/x,/y/evil"));
        const json comma = c.assert_same("comma", {"--unowned-dir", "/srv/x,/y"});
        CPPUNIT_ASSERT_MESSAGE(comma.dump(), deviations(comma).count("/srv/x,/y/evil") == 1);
        // Collected without the walk: --unowned cannot be honoured.
        CPPUNIT_ASSERT_EQUAL(0, c.collect({"--no-unowned"}).status);
        const RunResult refused = c.judge(with(c.reference(), {"--unowned"}));
        CPPUNIT_ASSERT_EQUAL(2, refused.status);
        CPPUNIT_ASSERT_MESSAGE(refused.err,
                               refused.err.find("--collect --unowned") != std::string::npos);
    }

    void testWhatTheCollectorCouldNotObserveIsNotHidden() {
        if (!running_as_root()) {
            skip("a tree deeper than PATH_MAX is made as root here");
            return;
        }
        // A name the collector lists but cannot observe (a path longer than PATH_MAX) stays
        // one of its directory's names: reported, never a clean system.
        Collected c;
        must_sh("bash -c " + shell_quote("cd " + c.sys.q("/usr") +
                                         " && mkdir local && cd local && for i in {1..2100}; do "
                                         "mkdir a && cd a || exit 1; done; echo payload > evil"));
        const json doc =
            c.assert_same("beyond PATH_MAX", {"--unowned"}, {"--unowned-allow", "/usr/local/**"});
        bool unverifiable = false;
        for (const json& file : doc["files"]) {
            unverifiable = unverifiable || (file["status"] == "unverifiable" &&
                                            file["reason"] == "cannot open directory: File name "
                                                              "too long");
        }
        CPPUNIT_ASSERT_MESSAGE(doc.dump().substr(0, 2000), unverifiable);
        must_sh("rm -rf " + c.sys.q("/usr/local"));
    }

    void testHardLinkPartnerThroughASymlink() {
        // Another name of a hard link's target, reachable only through a symlinked directory,
        // proves nothing, as on the root.
        TempDir tmp;
        const std::string dir = tmp / "hl";
        write_control(dir, "hl", "1.0", "all");
        build_deb(dir, tmp / "hl.deb", "xz",
                  "mkdir -p usr/lib/hl/a usr/lib/hl/b && echo content > usr/lib/hl/a/f && ln "
                  "usr/lib/hl/a/f usr/lib/hl/b/g");
        Collected c;
        c.sys.root.install(tmp / "hl.deb");
        const std::string ref = make_reference(c.sys.tmp, {c.sys.deb, tmp / "hl.deb"}, "ref-hl");
        const std::string r = c.sys.root / "/usr/lib/hl";
        must_sh("cd " + shell_quote(r) +
                " && rm -rf a && ln -s b a && ln b/g b/f && rm b/g && ln "
                "b/f b/g");
        const std::vector<std::string> args{"--pkgdesc", ref,  "--trust-unsigned", "--format",
                                            "json",      "-q", "--no-unowned"};
        const RunResult live = verify_as_given(with({"--root", c.sys.root.dir()}, args));
        CPPUNIT_ASSERT_EQUAL(0, c.collect().status);
        const RunResult judged = c.judge(args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(judged.err, live.status, judged.status);
        CPPUNIT_ASSERT_EQUAL(live.out, judged.out);
        CPPUNIT_ASSERT_EQUAL(
            std::string("metadata"),
            file_entry(json::parse(judged.out), "/usr/lib/hl/b/g")["status"].get<std::string>());
    }

    void testThroughAPipe() {
        Collected c;
        must_sh("chmod 4755 " + c.sys.q("/usr/sbin/hellod"));
        const RunResult live = verify({"--root", c.sys.root.dir(), "--pkgdesc", c.sys.ref,
                                       "--trust-unsigned", "--format", "json", "-q"});
        const std::string v = shell_quote(program("PKGDESC_VERIFY"));
        const std::string judge = v + " --from-collected - --pkgdesc " + shell_quote(c.sys.ref) +
                                  " --trust-unsigned --format json -q";
        // As root, the verifier runs in a mount namespace of its own where an empty file system
        // hides the root while the collector still reads it.
        const bool hidden =
            running_as_root() && have_tool("unshare") && sh("unshare -m true").status == 0;
        const RunResult piped =
            sh(v + " --collect --no-unowned --root " + shell_quote(c.sys.root.dir()) + " | " +
               (hidden ? "unshare -m sh -c " +
                             shell_quote("mount -t tmpfs none " + shell_quote(c.sys.root.dir()) +
                                         " && test ! -e " + c.sys.q("/var/lib/dpkg/status") +
                                         " && exec " + judge)
                       : judge));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(piped.err, 1, piped.status);
        CPPUNIT_ASSERT_EQUAL(live.out, piped.out);
        assert_deviations({{"/usr/sbin/hellod", "metadata mode"}}, json::parse(piped.out));
    }

    void testCollectingWritesNothingAndNeedsNoReferenceData() {
        Collected c;
        const std::string listing =
            "find " + shell_quote(c.sys.root.dir()) + " -printf '%p %y %m %s %T@ %C@\\n' | sort";
        const std::string before = must(sh(listing));
        // No reference data, no keys, no network: --collect takes none.
        const RunResult r = c.collect({"--no-unowned"}, {"GNUPGHOME=/nonexistent"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(before, must(sh(listing)));
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("collected ") != std::string::npos);
        CPPUNIT_ASSERT(read_file(c.stream).starts_with("pkgdesc-collected 1\n"));
        // Not onto a terminal.
        if (have_tool("script")) {
            const RunResult tty = sh(
                "script -qec " +
                shell_quote(program("PKGDESC_VERIFY") + " --collect --root " + c.sys.root.dir()) +
                " /dev/null");
            CPPUNIT_ASSERT_MESSAGE(tty.out, tty.out.find("a terminal") != std::string::npos);
        }
    }

    void testTruncatedEditedAndHostileStreamsAreRefused() {
        Collected c;
        CPPUNIT_ASSERT_EQUAL(0, c.collect().status);
        const std::string text = read_file(c.stream);
        auto refused = [&](const std::string& name, const std::string& content,
                           const std::string& reason, int status = 2) {
            const std::string file = c.sys.tmp / name;
            write_file(file, content);
            const RunResult r = c.judge(c.reference(), file);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name + ": " + r.err, status, r.status);
            CPPUNIT_ASSERT_MESSAGE(name + ": " + r.err, r.err.find(reason) != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(name + ": " + r.out, r.out.empty());
        };
        refused("empty", "", "does not start with");
        refused("truncated", text.substr(0, text.size() / 2), "truncated");
        refused("no end", text.substr(0, text.rfind("\ne ") + 1), "no end record");
        refused("no newline", text.substr(0, text.size() - 1), "truncated");
        // An observation edited (the file's digest): the end record no longer says what is
        // there.
        std::string edited = text;
        const std::size_t at = edited.find(" h=", edited.find("o /usr/sbin/hellod "));
        CPPUNIT_ASSERT(at != std::string::npos);
        edited[at + 3] = edited[at + 3] == '0' ? '1' : '0';
        refused("edited", edited, "edited, or damaged");
        refused("appended", text + "o /usr/bin/x m\n", "data after its end record");
        // Hostile records, each refused with what it is.
        const std::string head = text.substr(0, text.find('\n', text.find("\nh ") + 1) + 1);
        auto with_end = [&](const std::string& body) {
            const std::string all = head + body;
            const std::size_t records =
                static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n') + 1);
            // Not a valid end: refused before any end matters.
            return all + "e " + std::to_string(records) + " " + std::string(64, '0') + "\n";
        };
        refused("outside the copy", with_end("n /etc/shadow f 3\nabc\n"),
                "a file verification does not read");
        refused("dot dot", with_end("n /usr/lib/tmpfiles.d/.. f 1\na\n"),
                "a file verification does not read");
        refused("bad alias", with_end("a /bin /etc\n"), "not a standard one");
        refused("info slash", with_end("i a/b u x\n"), "an info name that is not one");
        refused("long blob", with_end("n /etc/passwd f 99999999999\n"), "is not a number");
        refused("short blob", with_end("n /etc/passwd f 10\nab\n"), "longer than it says");
        refused("twice", with_end("o /x m\no /x m\n"), "observed twice");
        refused("bad stat", with_end("o /x f 1 2 3\n"), "too few fields");
        refused("bad digest", with_end("o /x f 33188 0 0 1 1 1 1 0 0 0 0 0 0 R h=zz\n"),
                "not hexadecimal");
        refused("short digest", with_end("o /x f 33188 0 0 1 1 1 1 0 0 0 0 0 0 R h=00\n"),
                "wrong length");
        refused("bad mode", with_end("o /x f 99999999 0 0 1 1 1 1 0 0 0 0 0 0\n"), "no file's");
        refused("unknown record", with_end("z whatever\n"), "unknown record");
        refused("NUL in a name", with_end("i hello.list\\000x.list u x\n"), "NUL byte");
        refused("NUL in a path", with_end("n /var/lib/dpkg/alternatives/a\\000b f 1\nx\n"),
                "NUL byte");
        refused("listed name unobserved", with_end("c /x 16877\n"), "without its observation");
        refused("content of a FIFO",
                with_end("i hello.list o 4480 0 0 3 1 1 1 0 0 0 0 0 0 c= 3\nabc\n"),
                "with what only a regular file has");
        refused("no header", "pkgdesc-collected 1\no /x m\n", "not the header");
        const std::string zeros = std::string(64, '0');
        refused("header field twice",
                "pkgdesc-collected 1\nh root=/ time=1 time=2\ne 1 " + zeros + "\n", "given twice");
        refused("unknown header field",
                "pkgdesc-collected 1\nh root=/ time=1 trusted=1\ne 1 " + zeros + "\n",
                "an unknown field of the header");
        refused("no time", "pkgdesc-collected 1\nh root=/ live=1\ne 1 " + zeros + "\n",
                "without the time");
        refused("relative root", "pkgdesc-collected 1\nh root=x time=1\ne 1 " + zeros + "\n",
                "not absolute");
        refused("escaped nonce",
                "pkgdesc-collected 1\nh root=/ time=1 nonce=\\116\ne 1 " + zeros + "\n",
                "a nonce that is not one");
        // Longer than 1 MiB, however the bytes arrive (here its end comes in the read past the
        // limit).
        refused("line over 1 MiB", with_end("o /x m " + std::string((1u << 20) + 100, 'a') + "\n"),
                "a line longer than 1048576 bytes");
        refused("alias twice", with_end("a /bin usr/bin\na /bin usr/bin\n"),
                "an alias given twice");
        refused("binary", std::string("pkgdesc-collected 1\n\0\0\0\n", 24), "too few fields");
        // The records made valid again, but the end's digest is not theirs.
        refused("forged end", with_end("o /x m\n"), "edited, or damaged");
    }

    void testEd25519SignedStream() {
        Collected c;
        const auto [key, pub] = ed25519_pair(c.sys.tmp / "key");
        const auto [other, other_pub] = ed25519_pair(c.sys.tmp / "other");
        must_sh("chmod 0700 " + c.sys.q("/usr/lib/hello"));
        const RunResult signed_run = c.collect({"--no-unowned", "--collect-ed25519-key", key});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(signed_run.err, 0, signed_run.status);
        const std::vector<std::string> args =
            with(c.reference(), {"--collected-ed25519-public", pub});
        const RunResult ok = c.judge(args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.err, 1, ok.status);
        assert_deviations({{"/usr/lib/hello", "metadata mode"}}, json::parse(ok.out));
        // Without -q the signer is named.
        const RunResult named = c.judge(
            {"--pkgdesc", c.sys.ref, "--trust-unsigned", "--collected-ed25519-public", pub});
        CPPUNIT_ASSERT_MESSAGE(named.err,
                               named.err.find("signed by ed25519:") != std::string::npos);
        // Another key: exit 3, nothing reported.
        const RunResult wrong =
            c.judge(with(c.reference(), {"--collected-ed25519-public", other_pub}));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(wrong.err, 3, wrong.status);
        CPPUNIT_ASSERT(wrong.out.empty());
        CPPUNIT_ASSERT_MESSAGE(wrong.err, wrong.err.find("not made by any of the given Ed25519 "
                                                         "keys") != std::string::npos);
        // Edited after signing: exit 3.
        const std::string text = read_file(c.stream);
        std::string edited = text;
        const std::size_t at = edited.find(" 16832 ");
        CPPUNIT_ASSERT_MESSAGE("the mode of /usr/lib/hello in the stream", at != std::string::npos);
        edited.replace(at, 7, " 16877 "); // 0700 -> 0755: "pristine"
        write_file(c.sys.tmp / "edited", edited);
        const RunResult tampered = c.judge(args, c.sys.tmp / "edited");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(tampered.err, 3, tampered.status);
        CPPUNIT_ASSERT(tampered.out.empty());
        CPPUNIT_ASSERT_MESSAGE(tampered.err, tampered.err.find("edited since it was signed") !=
                                                 std::string::npos);
        // Signed again over the edit by another key: still refused.
        write_file(c.sys.tmp / "resigned", resealed(text, edited, c.sys.tmp.path(), other));
        const RunResult resigned = c.judge(args, c.sys.tmp / "resigned");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(resigned.err, 3, resigned.status);
        // ... and accepted by the other key, so the forgery itself is well formed.
        const RunResult forged = c.judge(
            with(c.reference(), {"--collected-ed25519-public", other_pub}), c.sys.tmp / "resigned");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(forged.err, 0, forged.status);
        // The signature stripped: exit 3 when a key is given.
        write_file(c.sys.tmp / "stripped", text.substr(0, text.find("\ns ed25519 ") + 1));
        const RunResult stripped = c.judge(args, c.sys.tmp / "stripped");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(stripped.err, 3, stripped.status);
        CPPUNIT_ASSERT_MESSAGE(stripped.err, stripped.err.find("not signed") != std::string::npos);
        // A key that cannot sign: nothing written, exit 3.
        const RunResult nokey = c.collect({"--collect-ed25519-key", pub});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(nokey.err, 3, nokey.status);
        CPPUNIT_ASSERT(read_file(c.stream).empty());
    }

    void testOpenPgpSignedStream() {
        if (!have_tool("gpg")) {
            skip("gpg is not installed");
            return;
        }
        Collected c;
        const GnupgHome gpg(c.sys.tmp / "gnupg");
        const std::string keyring = c.sys.tmp / "key.gpg";
        gpg.export_public(keyring);
        const RunResult r =
            c.collect({"--no-unowned", "--collect-key", gpg.fingerprint()}, {gpg.env()});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const RunResult ok =
            c.judge({"--pkgdesc", c.sys.ref, "--trust-unsigned", "--collected-keyring", keyring});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.err, 0, ok.status);
        CPPUNIT_ASSERT_MESSAGE(ok.err,
                               ok.err.find("signed by " + gpg.fingerprint()) != std::string::npos);
        // An Ed25519 key cannot prove an OpenPGP signature.
        const std::string pub = c.sys.tmp / "pub.pem";
        must_sh("openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out " +
                shell_quote(pub));
        const RunResult other = c.judge(with(c.reference(), {"--collected-ed25519-public", pub}));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(other.err, 3, other.status);
    }

    void testSignatureProvenBeforeParsing() {
        // With a key, a stream is authenticated before any record is parsed: a record made
        // malformed after signing is an edit (exit 3), not a malformed stream; without a key
        // the parser names the record (exit 2).
        Collected c;
        const auto [key, pub] = ed25519_pair(c.sys.tmp / "key");
        CPPUNIT_ASSERT_EQUAL(0, c.collect({"--no-unowned", "--collect-ed25519-key", key}).status);
        std::string edited = read_file(c.stream);
        const std::size_t at = edited.find("\no /usr/sbin/hellod f ");
        CPPUNIT_ASSERT(at != std::string::npos);
        const std::size_t line_end = edited.find('\n', at + 1);
        edited.replace(at, line_end - at, "\no /usr/sbin/hellod q");
        write_file(c.sys.tmp / "malformed", edited);
        const RunResult keyed = c.judge(with(c.reference(), {"--collected-ed25519-public", pub}),
                                        c.sys.tmp / "malformed");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(keyed.err, 3, keyed.status);
        CPPUNIT_ASSERT_MESSAGE(keyed.err,
                               keyed.err.find("edited since it was signed") != std::string::npos);
        CPPUNIT_ASSERT(keyed.out.empty());
        const RunResult unkeyed = c.judge(c.reference(), c.sys.tmp / "malformed");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(unkeyed.err, 2, unkeyed.status);
        CPPUNIT_ASSERT_MESSAGE(unkeyed.err, unkeyed.err.find("an unknown kind of observation") !=
                                                std::string::npos);
        // An unsigned stream whose records would each be refused: refused as unsigned, having
        // been read through.
        std::string junk = "pkgdesc-collected 1\n";
        for (int i = 0; i < 1000; ++i) {
            junk += "z " + std::to_string(i) + "\n";
        }
        write_file(c.sys.tmp / "junk", junk + "e 1000 " + std::string(64, '0') + "\n");
        const RunResult unsigned_junk =
            c.judge(with(c.reference(), {"--collected-ed25519-public", pub}), c.sys.tmp / "junk");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(unsigned_junk.err, 3, unsigned_junk.status);
        CPPUNIT_ASSERT_MESSAGE(unsigned_junk.err,
                               unsigned_junk.err.find("not signed") != std::string::npos);
    }

    void testRelativeRootAndUnreadableKeys() {
        Collected c;
        // A relative root is named absolute in the stream.
        const RunResult rel = sh("cd " + shell_quote(c.sys.tmp.path()) + " && " +
                                 shell_quote(program("PKGDESC_VERIFY")) + " --collect --root " +
                                 shell_quote(c.sys.root.dir().substr(c.sys.tmp.path().size() + 1)) +
                                 " --no-unowned > " + shell_quote(c.stream));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(rel.err, 0, rel.status);
        CPPUNIT_ASSERT_MESSAGE(read_file(c.stream).substr(0, 200),
                               read_file(c.stream).find("\nh root=" + c.sys.root.dir() + " ") !=
                                   std::string::npos);
        const RunResult judged = c.judge(c.reference());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(judged.err, 0, judged.status);
        // A key that cannot be read is refused before the stream is read: here one that never
        // ends.
        const std::string fifo = c.sys.tmp / "fifo";
        const RunResult early =
            sh("mkfifo " + shell_quote(fifo) + " && { sleep 60 > " + shell_quote(fifo) +
               " 2>/dev/null & } ; p=$!; timeout 30 " + shell_quote(program("PKGDESC_VERIFY")) +
               " --from-collected " + shell_quote(fifo) + " --pkgdesc " + shell_quote(c.sys.ref) +
               " --trust-unsigned --collected-ed25519-public /nonexistent/key.pem; r=$?; "
               "kill $p 2>/dev/null; exit $r");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(early.err, 3, early.status);
        CPPUNIT_ASSERT_MESSAGE(early.err,
                               early.err.find("/nonexistent/key.pem") != std::string::npos);
    }

    void testReplayedAndStaleStreams() {
        Collected c;
        const auto [key, pub] = ed25519_pair(c.sys.tmp / "key");
        const std::string nonce = "f3a9c1d2e4b5a6978877665544332211";
        CPPUNIT_ASSERT_EQUAL(
            0, c.collect({"--no-unowned", "--collect-ed25519-key", key, "--collect-nonce", nonce})
                   .status);
        const std::string text = read_file(c.stream);
        const std::vector<std::string> keyed =
            with(c.reference(), {"--collected-ed25519-public", pub});
        auto judged = [&](const std::vector<std::string>& args, const std::string& content) {
            write_file(c.sys.tmp / "given", content);
            return c.judge(with(keyed, args), c.sys.tmp / "given");
        };
        auto refused = [&](const std::vector<std::string>& args, const std::string& content,
                           const std::string& reason) {
            const RunResult r = judged(args, content);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
            CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(reason) != std::string::npos);
            CPPUNIT_ASSERT(r.out.empty());
        };
        // The collection asked for, fresh: verified.
        const RunResult ok =
            judged({"--collected-nonce", nonce, "--collected-max-age", "1h"}, text);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.err, 0, ok.status);
        // Another request's nonce: a replay.
        refused({"--collected-nonce", "0123"}, text, "collected for another request");
        // The nonce edited into the signed stream: an edit.
        std::string renonced = text;
        renonced.replace(renonced.find(nonce), nonce.size(), "0123");
        refused({"--collected-nonce", "0123"}, renonced, "edited since it was signed");
        // A collection made without a nonce.
        CPPUNIT_ASSERT_EQUAL(0, c.collect({"--no-unowned", "--collect-ed25519-key", key}).status);
        refused({"--collected-nonce", nonce}, read_file(c.stream), "collected without a nonce");
        // Older than allowed, or from the future: signed by the collector's own key (its
        // clock, or an old stream kept), refused by age alone.
        const std::size_t at = text.find(" time=") + 6;
        const std::int64_t time = std::stoll(text.substr(at, text.find(' ', at) - at));
        auto at_time = [&](std::int64_t t) {
            std::string edited = text;
            edited.replace(at, std::to_string(time).size(), std::to_string(t));
            return resealed(text, edited, c.sys.tmp.path(), key);
        };
        const std::string old = at_time(time - 7200);
        refused({"--collected-max-age", "1h"}, old, "older than the 3600 seconds allowed");
        const RunResult old_ok = judged({"--collected-max-age", "3h"}, old);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(old_ok.err, 0, old_ok.status);
        refused({"--collected-max-age", "7d"}, at_time(time + 3600),
                "seconds after this host's clock says it is now");
        // Bad values are usage errors.
        for (const auto& [args, reason] :
             std::vector<std::pair<std::vector<std::string>, std::string>>{
                 {{"--collected-max-age", "0"}, "not a duration"},
                 {{"--collected-max-age", "1y"}, "not a duration"},
                 {{"--collected-nonce", "a b"}, "a nonce is"},
                 {{"--collected-nonce", ""}, "a nonce is"}}) {
            const RunResult r = judged(args, text);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
            CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(reason) != std::string::npos);
        }
        const RunResult bad = c.collect({"--collect-nonce", std::string(257, 'a')});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(bad.err, 2, bad.status);
    }

    void testOptionsThatDoNotApply() {
        Collected c;
        auto usage = [&](const std::vector<std::string>& args, const std::string& reason) {
            const RunResult r = verify_as_given(args);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
            CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(reason) != std::string::npos);
        };
        usage({"--collect", "--pkgdesc", c.sys.ref}, "--pkgdesc does not apply to --collect");
        usage({"--collect", "--format", "json"}, "--format does not apply to --collect");
        usage({"--collect", "hello"}, "takes no PACKAGE arguments");
        usage({"--collect", "--from-collected", "x"}, "one host collects");
        usage({"--from-collected", "x", "--root", "/"}, "--root does not apply");
        usage({"--from-collected", "x", "--incremental"}, "--incremental does not apply");
        usage({"--collect-ed25519-key", "k"}, "apply to --collect");
        usage({"--no-md5", "--pkgdesc", c.sys.ref, "--trust-unsigned"}, "apply to --collect");
        usage({"--collected-keyring", "k", "--pkgdesc", c.sys.ref, "--trust-unsigned"},
              "apply to --from-collected");
        usage({"--collected-nonce", "n", "--pkgdesc", c.sys.ref, "--trust-unsigned"},
              "apply to --from-collected");
        usage({"--collected-max-age", "1h", "--pkgdesc", c.sys.ref, "--trust-unsigned"},
              "apply to --from-collected");
        usage({"--collect-nonce", "n", "--pkgdesc", c.sys.ref, "--trust-unsigned"},
              "apply to --collect");
        const RunResult missing = verify_as_given({"--from-collected", c.sys.tmp / "nothing",
                                                   "--pkgdesc", c.sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, missing.status);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(CollectTest, "e2e.verify.collect");
