// End-to-end tests of signed pkgdesc repositories: pkgdesc-gen --repo publishes and signs with a
// real GnuPG key made in a temporary home; pkgdesc-verify --repo --keyring accepts exactly what
// that key signed, fresh and whole, and refuses everything else with exit status 3, before it
// declares any file pristine.
#include "../support/fixtures.hpp"
#include "../support/gnupg.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <ctime>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

void must(const RunResult& r, const std::string& what) {
    if (r.status != 0) {
        throw std::runtime_error(what + " failed (" + std::to_string(r.status) + "): " + r.err);
    }
}

// A system with "hello 1.0" installed, a signing key, and a repository holding hello 1.0.
struct Fixture {
    TempDir tmp;
    GnupgHome key{tmp / "gnupg"};
    std::string hello = build_small_deb(tmp.path(), "hello", "1.0", "hello");
    SystemRoot root{tmp / "root"};
    std::string repo = tmp / "repo";
    std::string keyring = tmp / "key.gpg";
    std::string state = tmp / "state";
    std::string publisher_state = tmp / "publisher-state";

    Fixture() {
        root.install(hello);
        key.export_public(keyring);
        publish({hello});
    }

    RunResult publish(const std::vector<std::string>& files,
                      const std::vector<std::string>& extra = {},
                      const std::string& suite_name = "stable") const {
        std::vector<std::string> argv{
            program("PKGDESC_GEN"), "--repo", repo,          "--suite",      suite_name,
            "--component",          "main",   "--state-dir", publisher_state};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.insert(argv.end(), files.begin(), files.end());
        return run(argv, {key.env()});
    }

    RunResult verify(const std::vector<std::string>& extra = {},
                     const std::string& keyring_file = {}) const {
        std::vector<std::string> argv{program("PKGDESC_VERIFY"),
                                      "--root",
                                      root.dir(),
                                      "--repo",
                                      repo,
                                      "--keyring",
                                      keyring_file.empty() ? keyring : keyring_file,
                                      "--state-dir",
                                      state};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv);
    }

    std::string suite(const std::string& name) const { return repo + "/dists/stable/" + name; }

    // Exit status 3, the reason on standard error, and not one file called pristine: the
    // listing of pristine files is empty as well.
    void assert_refused(const std::string& reason) const {
        const RunResult r = verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(reason) != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        const RunResult list = verify({"--list", "pristine"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(list.err, 3, list.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), list.out);
    }
};

json verify_json(const Fixture& f, const std::vector<std::string>& extra, int status) {
    std::vector<std::string> args{"--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = f.verify(args);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, status, r.status);
    return json::parse(r.out);
}

} // namespace

class TrustRepoTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TrustRepoTest);
    CPPUNIT_TEST(testPublishedRepositoryLayoutAndSignatures);
    CPPUNIT_TEST(testSignedRepositoryProvesPristineFiles);
    CPPUNIT_TEST(testArmoredKeyringAndFileUri);
    CPPUNIT_TEST(testTamperedFileIsFoundThroughTheRepository);
    CPPUNIT_TEST(testVersionsLiveSideBySide);
    CPPUNIT_TEST(testVersionNotInRepositoryIsUnreferencedWithReason);
    CPPUNIT_TEST(testPublishedVersionNeverChanges);
    CPPUNIT_TEST(testPublishingSignsOnlyWhatIsProven);
    CPPUNIT_TEST(testKeyRotation);
    CPPUNIT_TEST(testPublishingNeverWritesThroughSymlinks);
    CPPUNIT_TEST(testTamperedIndexIsRefused);
    CPPUNIT_TEST(testTruncatedIndexIsRefused);
    CPPUNIT_TEST(testTamperedPoolStanzaIsRefused);
    CPPUNIT_TEST(testMissingIndexIsRefused);
    CPPUNIT_TEST(testReleaseEditedAfterSigningIsRefused);
    CPPUNIT_TEST(testTextOutsideTheSignedMessageIsRefused);
    CPPUNIT_TEST(testSignatureByAnotherKeyIsRefused);
    CPPUNIT_TEST(testExpiredValidUntilIsRefused);
    CPPUNIT_TEST(testMissingInReleaseIsRefused);
    CPPUNIT_TEST(testReleaseMovedToAnotherSuiteIsRefused);
    CPPUNIT_TEST(testOlderReleaseReplayedIsRefused);
    CPPUNIT_TEST(testUsageErrors);
    CPPUNIT_TEST_SUITE_END();

public:
    void testPublishedRepositoryLayoutAndSignatures() {
        Fixture f;
        for (const char* name :
             {"Release", "InRelease", "Release.gpg", "main/binary-amd64/Pkgdesc.xz"}) {
            CPPUNIT_ASSERT_MESSAGE(name, exists(f.suite(name)));
        }
        // The index holds exactly what pkgdesc-gen prints for the .deb.
        const RunResult index = run({"xz", "-dc", f.suite("main/binary-amd64/Pkgdesc.xz")});
        const RunResult gen = run({program("PKGDESC_GEN"), f.hello});
        CPPUNIT_ASSERT_EQUAL(gen.out, index.out);
        // gpgv (GnuPG's own verifier) accepts both signatures with the exported key, and the
        // Release lists the index's real SHA256.
        must(run({"gpgv", "--keyring", f.keyring, f.suite("InRelease")}), "gpgv InRelease");
        must(run({"gpgv", "--keyring", f.keyring, f.suite("Release.gpg"), f.suite("Release")}),
             "gpgv Release.gpg");
        const std::string sha =
            run({"sha256sum", f.suite("main/binary-amd64/Pkgdesc.xz")}).out.substr(0, 64);
        const std::string release = read_file(f.suite("Release"));
        CPPUNIT_ASSERT_MESSAGE(release, release.find(sha) != std::string::npos);
        CPPUNIT_ASSERT(release.find("Valid-Until: ") != std::string::npos);
        CPPUNIT_ASSERT(release.find("Suite: stable\n") != std::string::npos);
    }

    void testSignedRepositoryProvesPristineFiles() {
        Fixture f;
        const RunResult r = f.verify({"--list", "pristine"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT(r.out.find("/usr/bin/hello\n") != std::string::npos);
        const json doc = verify_json(f, {}, 0);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, doc["unreferenced"].size());
        CPPUNIT_ASSERT(doc["summary"]["pristine"].get<std::size_t>() >= 6);
        // The Release seen is remembered for rollback detection.
        const std::string history = read_file(f.state + "/release-history");
        CPPUNIT_ASSERT_MESSAGE(history, history.find(f.key.fingerprint()) != std::string::npos);
    }

    void testArmoredKeyringAndFileUri() {
        Fixture f;
        const std::string armored = f.tmp / "key.asc";
        f.key.export_public(armored, true);
        const RunResult r =
            run({program("PKGDESC_VERIFY"), "--root", f.root.dir(), "--repo", "file://" + f.repo,
                 "--keyring", armored, "--state-dir", f.state, "--suite", "stable"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
    }

    void testTamperedFileIsFoundThroughTheRepository() {
        Fixture f;
        write_file(f.root / "/usr/bin/hello", "HELLO\n", 0755);
        const json doc = verify_json(f, {}, 1);
        bool found = false;
        for (const json& file : doc["files"]) {
            if (file["path"] == "/usr/bin/hello") {
                found = file["status"] == "modified";
            }
        }
        CPPUNIT_ASSERT(found);
    }

    void testVersionsLiveSideBySide() {
        Fixture f;
        const std::string newer = build_small_deb(f.tmp.path(), "hello", "2.0", "hello two");
        const RunResult p = f.publish({newer});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(p.err, 0, p.status);
        CPPUNIT_ASSERT_MESSAGE(p.out, p.out.find("1 stanzas added") != std::string::npos);
        const std::string index = run({"xz", "-dc", f.suite("main/binary-amd64/Pkgdesc.xz")}).out;
        const std::size_t v1 = index.find("Version: 1.0\n");
        const std::size_t v2 = index.find("Version: 2.0\n");
        CPPUNIT_ASSERT(v1 != std::string::npos && v2 != std::string::npos && v1 < v2);
        // The installed 1.0 is still proven.
        const RunResult r = f.verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        // Publishing the same .deb again changes no index.
        const std::string before = read_file(f.suite("main/binary-amd64/Pkgdesc.xz"));
        const RunResult again = f.publish({f.hello});
        CPPUNIT_ASSERT_EQUAL(0, again.status);
        CPPUNIT_ASSERT_MESSAGE(again.out,
                               again.out.find("0 stanzas added, 1 already") != std::string::npos);
        CPPUNIT_ASSERT(before == read_file(f.suite("main/binary-amd64/Pkgdesc.xz")));
    }

    void testVersionNotInRepositoryIsUnreferencedWithReason() {
        Fixture f;
        const std::string other = build_small_deb(f.tmp.path(), "other", "3.1", "other");
        f.root.install(other);
        const json doc = verify_json(f, {}, 1);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, doc["unreferenced"].size());
        CPPUNIT_ASSERT_EQUAL(std::string("other"),
                             doc["unreferenced"][0]["package"].get<std::string>());
        const std::string reason = doc["unreferenced"][0]["reason"].get<std::string>();
        CPPUNIT_ASSERT_MESSAGE(reason, reason.find("in no signed repository") != std::string::npos);
        for (const json& file : doc["files"]) {
            CPPUNIT_ASSERT(file["package"] != "other" || file["status"] != "pristine");
        }
        const RunResult text = f.verify();
        CPPUNIT_ASSERT_MESSAGE(text.out, text.out.find("  other 3.1: this version is in no signed "
                                                       "repository") != std::string::npos);
    }

    void testPublishedVersionNeverChanges() {
        Fixture f;
        const std::string inrelease = read_file(f.suite("InRelease"));
        TempDir other;
        const std::string rebuilt = build_small_deb(other.path(), "hello", "1.0", "rebuilt");
        const RunResult p = f.publish({rebuilt});
        CPPUNIT_ASSERT_EQUAL(2, p.status);
        CPPUNIT_ASSERT_MESSAGE(p.err, p.err.find("a different stanza for hello 1.0 (amd64) is "
                                                 "already published") != std::string::npos);
        CPPUNIT_ASSERT(inrelease == read_file(f.suite("InRelease")));
        // A bad input publishes nothing either.
        write_file(f.tmp / "bad.deb", "!<arch>\ngarbage");
        const RunResult bad =
            f.publish({build_small_deb(f.tmp.path(), "third", "1", "x"), f.tmp / "bad.deb"});
        CPPUNIT_ASSERT_EQUAL(2, bad.status);
        CPPUNIT_ASSERT_MESSAGE(bad.err, bad.err.find("nothing published") != std::string::npos);
        CPPUNIT_ASSERT(inrelease == read_file(f.suite("InRelease")));
    }

    void testPublishingSignsOnlyWhatIsProven() {
        Fixture f;
        // An index planted next to the published ones is not signed by the next publish.
        const std::string planted = f.repo + "/dists/stable/x/binary-amd64/Pkgdesc.xz";
        must(sh("mkdir -p " + shell_quote(f.repo + "/dists/stable/x/binary-amd64") + " && " +
                program("PKGDESC_GEN") + " " +
                shell_quote(build_small_deb(f.tmp.path(), "bash", "5", "evil")) + " | xz > " +
                shell_quote(planted)),
             "plant");
        must(f.publish({build_small_deb(f.tmp.path(), "world", "1", "world")}), "publish");
        CPPUNIT_ASSERT(read_file(f.suite("Release")).find("x/binary-amd64") == std::string::npos);
        // A published index changed behind the publisher's back stops the next publish.
        const std::string index = f.suite("main/binary-amd64/Pkgdesc.xz");
        const std::string genuine = read_file(index);
        must(sh("xz -dc " + shell_quote(index) + " | sed 's/^ [0-9a-f]/ 0/' | xz > " +
                shell_quote(index + ".new") + " && mv " + shell_quote(index + ".new") + " " +
                shell_quote(index)),
             "tamper");
        const std::string inrelease = read_file(f.suite("InRelease"));
        const RunResult r = f.publish({build_small_deb(f.tmp.path(), "third", "1", "third")});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("does not match the published InRelease") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(inrelease == read_file(f.suite("InRelease")));
        write_file(index, genuine);
        // Another suite's validly signed state copied over this one is not taken over.
        must(f.publish({f.hello}, {}, "experimental"), "publish experimental");
        must(sh("cp -a " + shell_quote(f.repo + "/dists/stable") + " " +
                shell_quote(f.tmp / "stable-saved") + " && rm -r " +
                shell_quote(f.repo + "/dists/stable") + " && cp -a " +
                shell_quote(f.repo + "/dists/experimental") + " " +
                shell_quote(f.repo + "/dists/stable")),
             "copy");
        const RunResult copied = f.publish({f.hello});
        CPPUNIT_ASSERT_EQUAL(2, copied.status);
        CPPUNIT_ASSERT_MESSAGE(copied.err,
                               copied.err.find("signed for suite 'experimental', not 'stable'") !=
                                   std::string::npos);
        must(sh("rm -r " + shell_quote(f.repo + "/dists/stable") + " && mv " +
                shell_quote(f.tmp / "stable-saved") + " " + shell_quote(f.repo + "/dists/stable")),
             "restore");
        // A state signed by another of the user's keys is not taken over by the default key.
        const std::string other = f.key.add_key("other key");
        const std::string other_repo = f.tmp / "other-repo";
        must(run({program("PKGDESC_GEN"), "--repo", other_repo, "--suite", "stable", "--component",
                  "main", "--sign-key", other, "--state-dir", f.tmp / "other-state", f.hello},
                 {f.key.env()}),
             "publish with the other key");
        must(sh("rm -r " + shell_quote(f.repo + "/dists/stable") + " && cp -a " +
                shell_quote(other_repo + "/dists/stable") + " " + shell_quote(f.repo + "/dists/")),
             "copy");
        const RunResult laundered = f.publish({f.hello});
        CPPUNIT_ASSERT_EQUAL(2, laundered.status);
        CPPUNIT_ASSERT_MESSAGE(laundered.err, laundered.err.find(other) != std::string::npos);
        // An unsigned Release is not taken over either.
        must(sh("rm " + shell_quote(f.suite("InRelease"))), "rm");
        const RunResult unsigned_release = f.publish({f.hello});
        CPPUNIT_ASSERT_EQUAL(2, unsigned_release.status);
        CPPUNIT_ASSERT_MESSAGE(unsigned_release.err,
                               unsigned_release.err.find("a Release without InRelease") !=
                                   std::string::npos);
    }

    void testPublishingNeverWritesThroughSymlinks() {
        Fixture f;
        const std::string outside = f.tmp / "outside";
        must(sh("mkdir " + shell_quote(outside) + " && rm -r " + shell_quote(f.repo + "/pool") +
                " && ln -s " + shell_quote(outside) + " " + shell_quote(f.repo + "/pool")),
             "symlink");
        const RunResult r = f.publish({build_small_deb(f.tmp.path(), "world", "1", "world")});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not a directory (a symbolic link?)") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(list_dir(outside).empty());
    }

    void testKeyRotation() {
        Fixture f;
        const std::string next = f.key.add_key("next key");
        const std::string next_keyring = f.tmp / "next.gpg";
        must(run({"gpg", "--batch", "--output", next_keyring, "--export", next}, {f.key.env()}),
             "export");
        // Without --previous-key, the suite signed by the old key is not taken over.
        const std::string world = build_small_deb(f.tmp.path(), "world", "1", "world");
        const RunResult refused = f.publish({world}, {"--sign-key", next});
        CPPUNIT_ASSERT_EQUAL(2, refused.status);
        // With it, the new key takes over; verifiers that hold both keys follow, those with the
        // old key alone now refuse.
        must(f.publish({world}, {"--sign-key", next, "--previous-key", f.key.fingerprint()}),
             "rotate");
        const RunResult both = f.verify({"--keyring", next_keyring});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(both.err, 0, both.status);
        const RunResult old_only = f.verify();
        CPPUNIT_ASSERT_EQUAL(3, old_only.status);
        // The old key alone can no longer publish over the new key's signature.
        CPPUNIT_ASSERT_EQUAL(2, f.publish({world}, {"--sign-key", f.key.fingerprint()}).status);
    }

    void testTamperedIndexIsRefused() {
        Fixture f;
        const std::string path = f.suite("main/binary-amd64/Pkgdesc.xz");
        std::string data = read_file(path);
        data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 1);
        write_file(path, data);
        f.assert_refused("SHA256 does not match the signed Release");
    }

    void testTruncatedIndexIsRefused() {
        Fixture f;
        const std::string path = f.suite("main/binary-amd64/Pkgdesc.xz");
        const std::string data = read_file(path);
        write_file(path, data.substr(0, data.size() - 10));
        f.assert_refused("the signed Release says");
    }

    void testTamperedPoolStanzaIsRefused() {
        Fixture f;
        // The lookup index names hello's stanza by SHA-256; the stanza is in the pool.
        const std::string lookup =
            run({"xz", "-dc", f.suite("main/binary-amd64/Pkgdesc-Index.xz")}).out;
        CPPUNIT_ASSERT_MESSAGE(lookup, lookup.rfind("hello amd64 1.0 ", 0) == 0);
        const std::string sha = lookup.substr(16, 64);
        const std::string stanza = f.repo + "/pool/" + sha.substr(0, 2) + "/" + sha + ".pkgdesc";
        const std::string text = read_file(stanza);
        CPPUNIT_ASSERT_EQUAL(run({program("PKGDESC_GEN"), f.hello}).out, text);
        // A stanza changed to vouch for a modified file is refused (same size, one digit).
        std::string forged = text;
        const std::size_t at = forged.find("Content-SHA256:\n ") + 17;
        forged[at] = forged[at] == '0' ? '1' : '0';
        write_file(stanza, forged);
        f.assert_refused("does not match the signed lookup index");
        // A sparse giant in its place is refused before it is read, as untrusted.
        must(sh("truncate -s 4G " + shell_quote(stanza)), "truncate");
        f.assert_refused("not what was signed");
        must(sh("rm " + shell_quote(stanza)), "rm");
        f.assert_refused("but missing");
    }

    void testMissingIndexIsRefused() {
        Fixture f;
        must(sh("rm " + shell_quote(f.suite("main/binary-amd64/Pkgdesc.xz"))), "rm");
        f.assert_refused("listed in the signed Release but missing");
    }

    void testReleaseEditedAfterSigningIsRefused() {
        Fixture f;
        std::string inrelease = read_file(f.suite("InRelease"));
        const std::size_t at = inrelease.find("Valid-Until: ");
        inrelease.replace(at + 18, 4, "2099"); // extend the validity: the signature breaks
        write_file(f.suite("InRelease"), inrelease);
        f.assert_refused("bad signature");
    }

    void testTextOutsideTheSignedMessageIsRefused() {
        Fixture f;
        const std::string inrelease = read_file(f.suite("InRelease"));
        write_file(f.suite("InRelease"), inrelease + "SHA256:\n 00 1 main/x\n");
        f.assert_refused("not exactly one clear-signed OpenPGP message");
        write_file(f.suite("InRelease"), "Suite: stable\n" + inrelease);
        f.assert_refused("not a clear-signed OpenPGP message");
        write_file(f.suite("InRelease"), read_file(f.suite("Release")));
        f.assert_refused("not a clear-signed OpenPGP message");
    }

    void testSignatureByAnotherKeyIsRefused() {
        Fixture f;
        // The repository is right, but the keyring holds another key.
        GnupgHome stranger(f.tmp / "stranger", "stranger");
        const std::string stranger_keyring = f.tmp / "stranger.gpg";
        stranger.export_public(stranger_keyring);
        const RunResult r = f.verify({}, stranger_keyring);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("a key not in the keyring") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        // The stranger cannot take the repository over: publishing checks the published
        // InRelease against the signing key first.
        const std::string before = read_file(f.suite("InRelease"));
        const RunResult takeover =
            run({program("PKGDESC_GEN"), "--repo", f.repo, "--suite", "stable", "--component",
                 "main", "--state-dir", f.tmp / "stranger-state", f.hello},
                {stranger.env()});
        CPPUNIT_ASSERT_EQUAL(2, takeover.status);
        CPPUNIT_ASSERT_MESSAGE(takeover.err,
                               takeover.err.find("a key not in the keyring") != std::string::npos);
        CPPUNIT_ASSERT(before == read_file(f.suite("InRelease")));
        // A repository of the stranger's own is refused with the right keyring.
        must(sh("rm -r " + shell_quote(f.repo)), "rm");
        must(run({program("PKGDESC_GEN"), "--repo", f.repo, "--suite", "stable", "--component",
                  "main", "--state-dir", f.tmp / "stranger-state", f.hello},
                 {stranger.env()}),
             "stranger's repository");
        f.assert_refused("a key not in the keyring");
        // A keyring that holds no key at all is refused too.
        write_file(f.tmp / "empty.gpg", "");
        const RunResult empty = f.verify({}, f.tmp / "empty.gpg");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(empty.err, 3, empty.status);
        CPPUNIT_ASSERT_MESSAGE(empty.err, empty.err.find("holds no usable OpenPGP public key") !=
                                              std::string::npos);
    }

    void testExpiredValidUntilIsRefused() {
        Fixture f;
        must(sh("rm -r " + shell_quote(f.repo) + " " + shell_quote(f.publisher_state)), "rm");
        const std::string ten_days_ago = std::to_string(std::time(nullptr) - 10 * 86400);
        must(f.publish({f.hello}, {"--date", ten_days_ago, "--valid-for", "7"}), "publish");
        f.assert_refused("expired on");
        // Without Valid-Until (--valid-for 0) an old Release is accepted: freshness is then up
        // to the publisher.
        must(sh("rm -rf " + shell_quote(f.repo) + " " + shell_quote(f.state) + " " +
                shell_quote(f.publisher_state)),
             "rm");
        must(f.publish({f.hello}, {"--date", ten_days_ago, "--valid-for", "0"}), "publish");
        CPPUNIT_ASSERT(read_file(f.suite("Release")).find("Valid-Until") == std::string::npos);
        const RunResult r = f.verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
    }

    void testMissingInReleaseIsRefused() {
        Fixture f;
        must(sh("rm " + shell_quote(f.suite("InRelease"))), "rm");
        // Release and Release.gpg are still there: they are not enough.
        f.assert_refused("InRelease: missing");
    }

    void testReleaseMovedToAnotherSuiteIsRefused() {
        Fixture f;
        must(sh("cp -a " + shell_quote(f.repo + "/dists/stable") + " " +
                shell_quote(f.repo + "/dists/testing")),
             "cp");
        const RunResult r = f.verify({"--suite", "testing"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("signed for suite 'stable', not 'testing'") !=
                                          std::string::npos);
    }

    void testOlderReleaseReplayedIsRefused() {
        Fixture f;
        // An old, validly signed state of the suite, kept by the attacker.
        const std::time_t now = std::time(nullptr);
        must(sh("rm -r " + shell_quote(f.repo) + " " + shell_quote(f.publisher_state)), "rm");
        must(f.publish({f.hello}, {"--date", std::to_string(now - 3600)}), "publish old");
        must(sh("cp -a " + shell_quote(f.repo) + " " + shell_quote(f.tmp / "old")), "cp");
        // The publisher moves on; the verifier sees the new Release.
        must(f.publish({build_small_deb(f.tmp.path(), "hello", "1.1", "security fix")},
                       {"--date", std::to_string(now)}),
             "publish new");
        const RunResult seen = f.verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(seen.err, 0, seen.status);
        // The attacker serves the old one again.
        must(sh("rm -r " + shell_quote(f.repo) + " && mv " + shell_quote(f.tmp / "old") + " " +
                shell_quote(f.repo)),
             "replay");
        f.assert_refused("rollback: this Release is dated");
        // The publisher cannot go back in time by mistake either.
        const RunResult back = f.publish({f.hello}, {"--date", std::to_string(now - 7200)});
        CPPUNIT_ASSERT_EQUAL(2, back.status);
        CPPUNIT_ASSERT_MESSAGE(back.err, back.err.find("rollback") != std::string::npos);
    }

    void testUsageErrors() {
        Fixture f;
        const RunResult no_keyring =
            run({program("PKGDESC_VERIFY"), "--root", f.root.dir(), "--repo", f.repo});
        CPPUNIT_ASSERT_EQUAL(2, no_keyring.status);
        CPPUNIT_ASSERT(no_keyring.err.find("--repo needs --keyring") != std::string::npos);
        const RunResult http = f.verify({"--repo", "http://example.org/repo"});
        CPPUNIT_ASSERT_EQUAL(2, http.status);
        CPPUNIT_ASSERT(http.err.find("only local directories and file: URIs") != std::string::npos);
        const RunResult no_suite =
            run({program("PKGDESC_GEN"), "--repo", f.repo, "--suite", "x", f.hello});
        CPPUNIT_ASSERT_EQUAL(2, no_suite.status);
        const RunResult bad_name = f.publish({f.hello}, {}, "../x");
        CPPUNIT_ASSERT_MESSAGE(bad_name.err,
                               bad_name.err.find("not a valid suite name") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(2, bad_name.status);
        const RunResult no_key =
            run({program("PKGDESC_GEN"), "--repo", f.tmp / "r2", "--state-dir", f.publisher_state,
                 "--suite", "s", "--component", "main", "--sign-key", "nobody@nowhere", f.hello},
                {f.key.env()});
        CPPUNIT_ASSERT_EQUAL(2, no_key.status);
        CPPUNIT_ASSERT_MESSAGE(no_key.err,
                               no_key.err.find("no such secret key") != std::string::npos);
        CPPUNIT_ASSERT(!exists(f.tmp / "r2/dists/s/InRelease"));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(TrustRepoTest, "e2e.trust.repo");
