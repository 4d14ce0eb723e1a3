// The evidence trail: pkgdesc-verify --evidence-dir on a real installed package, then
// --check-evidence on the trail as written and after each kind of tampering.
#include "../support/gnupg.hpp"
#include "../support/support.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

using namespace pkgdesc::test;

namespace {

// The standard output of a command that must succeed.
std::string must(const RunResult& r) {
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
    return r.out;
}

// One line of prooftrail.log, split.
struct TrailLine {
    std::string time, manifest, previous, report;
    std::string name() const { return report.substr(0, report.size() - 5); }
};

std::vector<TrailLine> trail_lines(const std::string& dir) {
    std::istringstream in(read_file(dir + "/prooftrail.log"));
    std::vector<TrailLine> lines;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        TrailLine l;
        fields >> l.time >> l.manifest >> l.previous >> l.report;
        lines.push_back(l);
    }
    return lines;
}

std::string sha256_of(const std::string& path) {
    return must(run({"sha256sum", path})).substr(0, 64);
}

// A trail of five runs of an installed hello, signed with an Ed25519 key (the fourth and fifth
// after a file was changed); the keys are beside it.
struct Trail {
    Installed sys;
    std::string dir = sys.tmp / "trail";
    std::string key = sys.tmp / "key.pem";
    std::string pub = sys.tmp / "pub.pem";
    std::string other_key = sys.tmp / "other.pem";
    std::string other_pub = sys.tmp / "other-pub.pem";

    Trail() {
        must_sh("mkdir " + shell_quote(dir) + " && openssl genpkey -algorithm ed25519 -out " +
                shell_quote(key) + " && openssl pkey -in " + shell_quote(key) + " -pubout -out " +
                shell_quote(pub) + " && openssl genpkey -algorithm ed25519 -out " +
                shell_quote(other_key) + " && openssl pkey -in " + shell_quote(other_key) +
                " -pubout -out " + shell_quote(other_pub));
        for (int i = 0; i < 5; ++i) {
            if (i == 3) {
                write_file(sys.root / "/usr/bin/hello", "HELLO\n", 0755);
            }
            const RunResult r = add(dir);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, i < 3 ? 0 : 1, r.status);
        }
    }
    RunResult add(const std::string& trail, const std::string& signing_key = "") const {
        return verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned",
                       "--evidence-dir", trail, "--evidence-ed25519-key",
                       signing_key.empty() ? key : signing_key});
    }
    RunResult check(const std::string& trail, const std::string& public_key = "") const {
        return verify_as_given({"--check-evidence", trail, "--evidence-ed25519-public",
                                public_key.empty() ? pub : public_key});
    }
    // A copy of the trail to tamper with.
    std::string copy(const std::string& name) const {
        const std::string to = sys.tmp / name;
        must_sh("cp -a " + shell_quote(dir) + " " + shell_quote(to));
        return to;
    }
    // The Ed25519 signature of FILE by KEY, as the trail keeps it.
    void sign(const std::string& file, const std::string& with) const {
        must_sh("openssl pkeyutl -sign -inkey " + shell_quote(with) + " -rawin -in " +
                shell_quote(file) + " | base64 -w0 > " + shell_quote(file + ".ed25519"));
    }
};

void assert_broken_at(const RunResult& r, const std::string& entry) {
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 3, r.status);
    CPPUNIT_ASSERT_MESSAGE(r.err + " (expected " + entry + ")",
                           r.err.find(": " + entry + ": ") != std::string::npos ||
                               r.err.find(": " + entry + " (") != std::string::npos);
    CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
}

} // namespace

class EvidenceTrailTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EvidenceTrailTest);
    CPPUNIT_TEST(testFiveRunsAreChainedSignedAndProven);
    CPPUNIT_TEST(testAnEditedReportIsFound);
    CPPUNIT_TEST(testADeletedEntryIsFound);
    CPPUNIT_TEST(testReorderedEntriesAreFound);
    CPPUNIT_TEST(testAnInsertedEntryIsFound);
    CPPUNIT_TEST(testAnEntrySignedAgainByAnotherKeyIsFound);
    CPPUNIT_TEST(testAnEditedManifestOrLogIsFound);
    CPPUNIT_TEST(testOpenPgpSignedTrail);
    CPPUNIT_TEST(testAKeyThatCannotSignAddsNothing);
    CPPUNIT_TEST(testAPassphraseIsNeverAskedFor);
    CPPUNIT_TEST(testOptionsThatMakeNoSenseAreRefused);
    CPPUNIT_TEST_SUITE_END();

public:
    void testFiveRunsAreChainedSignedAndProven() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        CPPUNIT_ASSERT_EQUAL(std::size_t{5}, lines.size());
        std::string previous(64, '0');
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const TrailLine& l = lines[i];
            const std::string manifest_path = t.dir + "/" + l.name() + ".manifest";
            CPPUNIT_ASSERT_EQUAL(previous, l.previous);
            CPPUNIT_ASSERT_EQUAL(sha256_of(manifest_path), l.manifest);
            const nlohmann::json m = nlohmann::json::parse(read_file(manifest_path));
            CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-evidence 1"), m["format"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(previous, m["previous"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(l.time, m["time"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(std::string(i < 3 ? "trusted" : "degraded"),
                                 m["state"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(l.report, m["files"][0]["name"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(sha256_of(t.dir + "/" + l.report),
                                 m["files"][0]["sha256"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(program("PKGDESC_VERIFY"), m["command"][0].get<std::string>());
            CPPUNIT_ASSERT_MESSAGE(m.dump(), std::find(m["command"].begin(), m["command"].end(),
                                                       t.key) != m["command"].end());
            CPPUNIT_ASSERT_MESSAGE(m.dump(), m["sources"][0].get<std::string>().find(t.sys.ref) !=
                                                 std::string::npos);
            // The report is the JSON report of the run: the changed file is in the last two.
            const nlohmann::json report = nlohmann::json::parse(read_file(t.dir + "/" + l.report));
            CPPUNIT_ASSERT_EQUAL(i < 3, report["files"].empty());
            // The signature verifies with openssl too.
            must_sh("base64 -d " + shell_quote(manifest_path + ".ed25519") + " > " +
                    shell_quote(t.sys.tmp / "sig") + " && openssl pkeyutl -verify -pubin -inkey " +
                    shell_quote(t.pub) + " -rawin -in " + shell_quote(manifest_path) +
                    " -sigfile " + shell_quote(t.sys.tmp / "sig") + " > /dev/null");
            previous = l.manifest;
        }
        const RunResult r = t.check(t.dir);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find(": 5 entries proven, signed by ed25519:") !=
                                          std::string::npos);
        // Another key proves nothing.
        assert_broken_at(t.check(t.dir, t.other_pub), "entry 1 (" + lines[0].name() + ")");
    }

    void testAnEditedReportIsFound() {
        Trail t;
        const std::string copy = t.copy("edited");
        const std::vector<TrailLine> lines = trail_lines(copy);
        // The fourth run's report, with the deviation removed.
        const std::string report = copy + "/" + lines[3].report;
        nlohmann::json doc = nlohmann::json::parse(read_file(report));
        doc["files"] = nlohmann::json::array();
        write_file(report, doc.dump());
        assert_broken_at(t.check(copy), "entry 4 (" + lines[3].name() + ")");
        const RunResult r = t.check(copy);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find("is not the one signed (edited)") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find("(3 entries before it proven)") != std::string::npos);
    }

    void testADeletedEntryIsFound() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        // The second entry: its files and its line.
        const std::string copy = t.copy("deleted");
        must_sh("rm " + shell_quote(copy + "/" + lines[1].name()) + ".* && sed -i 2d " +
                shell_quote(copy + "/prooftrail.log"));
        assert_broken_at(t.check(copy), "entry 2 (" + lines[2].name() + ")");
        // Only its line: its files are left over.
        const std::string line_only = t.copy("line-deleted");
        must_sh("sed -i 2d " + shell_quote(line_only + "/prooftrail.log"));
        assert_broken_at(t.check(line_only), "entry 2 (" + lines[2].name() + ")");
        // The first entry: the new first one links to a manifest before it.
        const std::string first = t.copy("first-deleted");
        must_sh("rm " + shell_quote(first + "/" + lines[0].name()) + ".* && sed -i 1d " +
                shell_quote(first + "/prooftrail.log"));
        assert_broken_at(t.check(first), "entry 1 (" + lines[1].name() + ")");
        // The whole log: the runs' files are in no line.
        const std::string no_log = t.copy("log-deleted");
        must_sh("rm " + shell_quote(no_log + "/prooftrail.log"));
        assert_broken_at(t.check(no_log), "entry 1 (" + lines[0].name() + ")");
        // The last entry's line, its files kept: they are in no line.
        const std::string last = t.copy("last-line-deleted");
        must_sh("sed -i 5d " + shell_quote(last + "/prooftrail.log"));
        assert_broken_at(t.check(last), "entry 5 (" + lines[4].name() + ")");
    }

    void testReorderedEntriesAreFound() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        const std::string copy = t.copy("reordered");
        must_sh("cd " + shell_quote(copy) +
                " && { sed -n 1,2p prooftrail.log; sed -n 4p prooftrail.log; "
                "sed -n 3p prooftrail.log; sed -n 5p prooftrail.log; } > log && mv log "
                "prooftrail.log");
        assert_broken_at(t.check(copy), "entry 3 (" + lines[3].name() + ")");
    }

    void testAnInsertedEntryIsFound() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        // A run of its own trail (another key, same chain position as entry 3) put in between.
        const std::string copy = t.copy("inserted");
        const std::string forged = t.sys.tmp / "forged";
        // (A copy of the trail's files, so that the new run's name is none of theirs.)
        must_sh("cp -a " + shell_quote(t.dir) + " " + shell_quote(forged) + " && sed -i '3,$d' " +
                shell_quote(forged + "/prooftrail.log"));
        const RunResult added = t.add(forged, t.other_key);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(added.err, 1, added.status);
        const TrailLine extra = trail_lines(forged).back();
        must_sh("cp " + shell_quote(forged + "/" + extra.name()) + ".* " + shell_quote(copy) +
                " && cd " + shell_quote(copy) + " && { sed -n 1,2p prooftrail.log; tail -n 1 " +
                shell_quote(forged + "/prooftrail.log") +
                "; sed -n '3,$p' prooftrail.log; } > log && mv log prooftrail.log");
        // Its signature is by no key of the trail's.
        assert_broken_at(t.check(copy), "entry 3 (" + extra.name() + ")");
        // Made with the trail's own key (a stolen key) it still breaks the link after it.
        const std::string stolen = t.copy("inserted-stolen-key");
        const std::string forged2 = t.sys.tmp / "forged2";
        must_sh("cp -a " + shell_quote(t.dir) + " " + shell_quote(forged2) + " && sed -i '3,$d' " +
                shell_quote(forged2 + "/prooftrail.log"));
        CPPUNIT_ASSERT_EQUAL(1, t.add(forged2).status);
        const TrailLine extra2 = trail_lines(forged2).back();
        must_sh("cp " + shell_quote(forged2 + "/" + extra2.name()) + ".* " + shell_quote(stolen) +
                " && cd " + shell_quote(stolen) + " && { sed -n 1,2p prooftrail.log; tail -n 1 " +
                shell_quote(forged2 + "/prooftrail.log") +
                "; sed -n '3,$p' prooftrail.log; } > log && mv log prooftrail.log");
        assert_broken_at(t.check(stolen), "entry 4 (" + lines[2].name() + ")");
        // A run's files dropped in without a line.
        const std::string dropped = t.copy("dropped-in");
        must_sh("cp " + shell_quote(forged + "/" + extra.name()) + ".* " + shell_quote(dropped));
        assert_broken_at(t.check(dropped), "entry 6 (" + extra.name() + ")");
    }

    void testAnEntrySignedAgainByAnotherKeyIsFound() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        // The same manifest, signed by another key instead.
        const std::string copy = t.copy("resigned");
        t.sign(copy + "/" + lines[1].name() + ".manifest", t.other_key);
        assert_broken_at(t.check(copy), "entry 2 (" + lines[1].name() + ")");
        const RunResult r = t.check(copy);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not made by any of the given Ed25519 keys") !=
                                          std::string::npos);
        // The last entry rewritten whole (report, manifest, signature, log line) by another key:
        // the chain holds, the signature does not.
        const std::string rewritten = t.copy("rewritten");
        const std::string manifest = rewritten + "/" + lines[4].name() + ".manifest";
        nlohmann::json m = nlohmann::json::parse(read_file(manifest));
        write_file(rewritten + "/" + lines[4].report, "{\"files\": []}\n");
        m["files"][0]["sha256"] = sha256_of(rewritten + "/" + lines[4].report);
        m["files"][0]["size"] = 14;
        m["state"] = "trusted";
        write_file(manifest, m.dump(2) + "\n");
        t.sign(manifest, t.other_key);
        must_sh("sed -i 's/" + lines[4].manifest + "/" + sha256_of(manifest) + "/' " +
                shell_quote(rewritten + "/prooftrail.log"));
        assert_broken_at(t.check(rewritten), "entry 5 (" + lines[4].name() + ")");
        // ... and proven by the other key, it is the first four that fail.
        assert_broken_at(t.check(rewritten, t.other_pub), "entry 1 (" + lines[0].name() + ")");
    }

    void testAnEditedManifestOrLogIsFound() {
        Trail t;
        const std::vector<TrailLine> lines = trail_lines(t.dir);
        const std::string copy = t.copy("manifest-edited");
        must_sh("sed -i 's/\"degraded\"/\"trusted\"/' " +
                shell_quote(copy + "/" + lines[3].name() + ".manifest"));
        assert_broken_at(t.check(copy), "entry 4 (" + lines[3].name() + ")");
        const std::string unsigned_copy = t.copy("unsigned");
        must_sh("rm " + shell_quote(unsigned_copy + "/" + lines[2].name() + ".manifest.ed25519"));
        assert_broken_at(t.check(unsigned_copy), "entry 3 (" + lines[2].name() + ")");
        const std::string garbage = t.copy("garbage");
        must_sh("echo garbage >> " + shell_quote(garbage + "/prooftrail.log"));
        assert_broken_at(t.check(garbage), "entry 6");
        // A log cut before its last newline: reported, and no run is added to it.
        const std::string cut = t.copy("cut");
        must_sh("truncate -s -1 " + shell_quote(cut + "/prooftrail.log"));
        assert_broken_at(t.check(cut), "entry 5");
        const RunResult added = t.add(cut);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(added.err, 2, added.status);
        CPPUNIT_ASSERT_MESSAGE(added.err,
                               added.err.find("does not end with a newline") != std::string::npos);
        // Emptied: every run's files removed, the log emptied.
        const std::string emptied = t.copy("emptied");
        must_sh("rm " + shell_quote(emptied) + "/run-* && : > " +
                shell_quote(emptied + "/prooftrail.log"));
        assert_broken_at(t.check(emptied), "entry 1");
        // A report replaced by a symlink is not followed.
        const std::string linked = t.copy("linked");
        must_sh("cp " + shell_quote(linked + "/" + lines[0].report) + " " +
                shell_quote(t.sys.tmp / "saved.json") + " && ln -sf " +
                shell_quote(t.sys.tmp / "saved.json") + " " +
                shell_quote(linked + "/" + lines[0].report));
        assert_broken_at(t.check(linked), "entry 1 (" + lines[0].name() + ")");
    }

    void testOpenPgpSignedTrail() {
        Installed sys;
        const GnupgHome gpg(sys.tmp / "gnupg");
        const std::string second = gpg.add_key("second");
        const std::string dir = sys.tmp / "trail";
        const std::string keyring = sys.tmp / "key.gpg";
        must_sh("mkdir " + shell_quote(dir));
        gpg.export_public(keyring);
        for (int i = 0; i < 2; ++i) {
            const RunResult r = run({program("PKGDESC_VERIFY"), "--root", sys.root.dir(),
                                     "--no-unowned", "--pkgdesc", sys.ref, "--trust-unsigned",
                                     "--evidence-dir", dir, "--evidence-key", gpg.fingerprint()},
                                    {gpg.env()});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        }
        const std::vector<TrailLine> lines = trail_lines(dir);
        CPPUNIT_ASSERT(exists(dir + "/" + lines[0].name() + ".manifest.asc"));
        // gpgv agrees.
        must(run({"gpgv", "--keyring", keyring, dir + "/" + lines[0].name() + ".manifest.asc",
                  dir + "/" + lines[0].name() + ".manifest"}));
        const RunResult ok =
            verify_as_given({"--check-evidence", dir, "--evidence-keyring", keyring});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.err, 0, ok.status);
        CPPUNIT_ASSERT_MESSAGE(ok.out, ok.out.find("2 entries proven, signed by " +
                                                   gpg.fingerprint()) != std::string::npos);
        // Signed again by the second key of the same home: not the key of the keyring.
        const std::string manifest = dir + "/" + lines[1].name() + ".manifest";
        must(run({"gpg", "--batch", "--yes", "--local-user", second + "!", "--armor",
                  "--detach-sign", "--output", manifest + ".asc", manifest},
                 {gpg.env()}));
        assert_broken_at(verify_as_given({"--check-evidence", dir, "--evidence-keyring", keyring}),
                         "entry 2 (" + lines[1].name() + ")");
        // An Ed25519 key cannot prove an OpenPGP signature.
        const std::string pub = sys.tmp / "pub.pem";
        must_sh("openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out " +
                shell_quote(pub));
        assert_broken_at(
            verify_as_given({"--check-evidence", dir, "--evidence-ed25519-public", pub}),
            "entry 1 (" + lines[0].name() + ")");
    }

    void testAKeyThatCannotSignAddsNothing() {
        Installed sys;
        const std::string dir = sys.tmp / "trail";
        const std::string bad = sys.tmp / "bad.pem";
        must_sh("mkdir " + shell_quote(dir) +
                " && openssl genpkey -algorithm rsa -pkeyopt "
                "rsa_keygen_bits:1024 -out " +
                shell_quote(bad) + " 2>/dev/null");
        const RunResult r =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned",
                    "--evidence-dir", dir, "--evidence-ed25519-key", bad});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find(bad + ": not an Ed25519 key") != std::string::npos);
        // No report, no manifest, no line.
        CPPUNIT_ASSERT_EQUAL(std::string(), must(run({"sh", "-c",
                                                      "cd " + shell_quote(dir) +
                                                          " && ls run-* "
                                                          "2>/dev/null || true"})));
        CPPUNIT_ASSERT(!exists(dir + "/prooftrail.log"));
        // A directory that is not there: an error naming it.
        const RunResult missing =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned",
                    "--evidence-dir", sys.tmp / "none", "--evidence-ed25519-key", bad});
        CPPUNIT_ASSERT_EQUAL(2, missing.status);
        CPPUNIT_ASSERT_MESSAGE(missing.err,
                               missing.err.find(sys.tmp / "none") != std::string::npos);
    }

    void testAPassphraseIsNeverAskedFor() {
        // An OpenPGP key with a passphrase, and a terminal pinentry could prompt on: the run
        // fails at once (a prompt would hold the trail's lock for every other run).
        Installed sys;
        const std::string home = sys.tmp / "gnupg";
        const std::string dir = sys.tmp / "trail";
        must_sh("mkdir -m 0700 " + shell_quote(home) + " && mkdir " + shell_quote(dir) +
                " && GNUPGHOME=" + shell_quote(home) +
                " gpg --batch --pinentry-mode loopback --passphrase secret --quick-gen-key "
                "'with passphrase' ed25519 sign never 2>/dev/null");
        const std::string command = "GNUPGHOME=" + shell_quote(home) + " " +
                                    shell_quote(program("PKGDESC_VERIFY")) + " --root " +
                                    shell_quote(sys.root.dir()) + " --no-unowned --pkgdesc " +
                                    shell_quote(sys.ref) + " --trust-unsigned -q --evidence-dir " +
                                    shell_quote(dir) + " --evidence-key 'with passphrase'";
        const RunResult r = run({"timeout", "60", "script", "-qec", command, "/dev/null"});
        run({"gpgconf", "--kill", "all"}, {"GNUPGHOME=" + home});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("cannot sign") != std::string::npos);
        CPPUNIT_ASSERT(list_dir(dir).empty());
    }

    void testOptionsThatMakeNoSenseAreRefused() {
        Installed sys;
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
            {{"--evidence-dir", sys.tmp.path()}, "needs one key to sign with"},
            {{"--evidence-dir", sys.tmp.path(), "--evidence-key", "x", "--evidence-ed25519-key",
              "y"},
             "needs one key to sign with"},
            {{"--evidence-key", "x"}, "apply to --evidence-dir"},
            {{"--check-evidence", sys.tmp.path()}, "needs the keys that signed the trail"},
            {{"--evidence-keyring", "k"}, "apply to --check-evidence"},
            {{"--check-evidence", sys.tmp.path(), "--evidence-keyring", "k", "hello"},
             "give it alone"},
            {{"--evidence-dir", sys.tmp.path(), "--evidence-key", "x", "--format", "text"},
             "--evidence-dir keeps the JSON report"},
        };
        for (const auto& [args, message] : cases) {
            std::vector<std::string> argv{"--pkgdesc", sys.ref, "--trust-unsigned"};
            argv.insert(argv.end(), args.begin(), args.end());
            const RunResult r = verify_as_given(argv);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
            CPPUNIT_ASSERT_MESSAGE(r.err + " (expected " + message + ")",
                                   r.err.find(message) != std::string::npos);
        }
        // A directory that is no trail.
        const std::string empty = sys.tmp / "empty";
        must_sh("mkdir " + shell_quote(empty) +
                " && openssl genpkey -algorithm ed25519 | "
                "openssl pkey -pubout -out " +
                shell_quote(sys.tmp / "pub.pem"));
        const RunResult none = verify_as_given(
            {"--check-evidence", empty, "--evidence-ed25519-public", sys.tmp / "pub.pem"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(none.err, 2, none.status);
        CPPUNIT_ASSERT_MESSAGE(none.err,
                               none.err.find("not an evidence trail") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(EvidenceTrailTest, "e2e.verify.evidence");
