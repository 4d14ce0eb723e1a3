// Unit tests of reading aide --check reports and writing them back with entries left out. The
// reports are what Debian 12's aide 0.18.3-1+deb12u5 wrote, with its temporary root and database
// renamed to /srv/root and /srv/aide.db.gz.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/integrate/aide_report.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <set>
#include <sstream>

using namespace pkgdesc;

namespace {

const std::string k_dashes = "---------------------------------------------------";

// aide --check, the default text form (report_grouped=yes, report_summarize_changes=yes).
const std::string k_text =
    "Start timestamp: 2026-12-02 19:46:35 +0000 (AIDE 0.18.3)\n"
    "AIDE found differences between database and filesystem!!\n"
    "Root prefix: /srv/root\n"
    "\n"
    "Summary:\n"
    "  Total number of entries:\t13\n"
    "  Added entries:\t\t4\n"
    "  Removed entries:\t\t1\n"
    "  Changed entries:\t\t6\n"
    "\n"
    "---------------------------------------------------\n"
    "Added entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "d+++++++++++++++++: /usr/bin/d\n"
    "f+++++++++++++++++: /usr/bin/esc\\033\n"
    "f+++++++++++++++++: /usr/bin/n\n"
    "f+++++++++++++++++: /usr/bin/nl\\012x\n"
    "\n"
    "---------------------------------------------------\n"
    "Removed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "f-----------------: /etc/c.conf\n"
    "\n"
    "---------------------------------------------------\n"
    "Changed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "d = ... ...n ..   : /usr/bin\n"
    "f > ... ....H..   : /usr/bin/a\n"
    "f > ... ....H..   : /usr/bin/b\\sl\n"
    "f > ... ....H..   : /usr/bin/bs\\134012\n"
    "ll= ... ..i.  .   : /usr/bin/lnk\n"
    "f > ... ....H..   : /usr/bin/sp ace\n"
    "\n"
    "---------------------------------------------------\n"
    "Detailed information about changes:\n"
    "---------------------------------------------------\n"
    "\n"
    "Directory: /usr/bin\n"
    " Linkcount : 2                                | 3\n"
    "\n"
    "File: /usr/bin/a\n"
    " Size      : 2                                | 5\n"
    " SHA256    : h0KPxSKAPTEGXnvOPPA/5HUJZjHl4Hu9 | +Pt6Qg9TqQjaMvA9LGPKo+fNVGaleFvl\n"
    "             eg/eYMTPJcc=                     | DxSHCpKCr8M=\n"
    "\n"
    "File: /usr/bin/b\\sl\n"
    " Size      : 1                                | 2\n"
    " SHA256    : LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTb | dppObQADGJx+lsXZt+gQoNEcOhKDJSfs\n"
    "             AiWHF5IaSIE=                     | lLD4bSd/Uco=\n"
    "\n"
    "File: /usr/bin/bs\\134012\n"
    " Size      : 1                                | 2\n"
    " SHA256    : LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTb | dppObQADGJx+lsXZt+gQoNEcOhKDJSfs\n"
    "             AiWHF5IaSIE=                     | lLD4bSd/Uco=\n"
    "\n"
    "Link: /usr/bin/lnk\n"
    " Lname     : a                                | n\n"
    " Inode     : 10952984                         | 10952985\n"
    "\n"
    "File: /usr/bin/sp ace\n"
    " Size      : 1                                | 2\n"
    " SHA256    : LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTb | dppObQADGJx+lsXZt+gQoNEcOhKDJSfs\n"
    "             AiWHF5IaSIE=                     | lLD4bSd/Uco=\n"
    "\n"
    "\n"
    "---------------------------------------------------\n"
    "The attributes of the (uncompressed) database(s):\n"
    "---------------------------------------------------\n"
    "\n"
    "/srv/aide.db.gz\n"
    " MD5       : gC8u1QzdjC4xUv+exn+9tQ==\n"
    " SHA1      : yQ0GTim1BmqVY9vRhklnWTa2dMs=\n"
    " SHA256    : Xvs6IPXRRNemy1QzVq79J+pa0lHrwW8R\n"
    "             t4Umo2oyz7c=\n"
    " SHA512    : 8Ku95En0osk/fp8byo64mGoZqfj1NNFD\n"
    "             YL9MqAr9/5VmjqyMIgTxYmdr8/ma4LtM\n"
    "             RZNOAECfo4dS/G3v1rLSFw==\n"
    " RMD160    : 4c0h9PXrCprWpYAetYCjAVBhJD4=\n"
    " TIGER     : 9CwowboDKTqimU8GyvV8lx/akOQjzr+g\n"
    " CRC32     : 2ghkMg==\n"
    " CRC32B    : N8ll7w==\n"
    " HAVAL     : 2RVAb5LVAQcATgfWC+Kk7bqpTUgKx7pS\n"
    "             f5K420No/Hc=\n"
    " WHIRLPOOL : 2QkkPUGFujoU6/7mX9XT/1OAq6Ir8Zp4\n"
    "             W205pvsWOxZAEqchSeJvGdE4swLB+BLm\n"
    "             Y2HDmkEJjAG80MTGYZpdjA==\n"
    " GOST      : 64MBNeOyDenX1qhLwJgmpfz3mWmrgHLI\n"
    "             8+dZvxJhZlE=\n"
    "\n"
    "\n"
    "End timestamp: 2026-12-02 19:46:35 +0000 (run time: 0m 0s)\n";

// The same changes, report_format=json.
const std::string k_json =
    "{\n"
    "  \"start_time\": \"2026-12-02 19:46:35 +0000\",\n"
    "  \"aide_version\": \"0.18.3\",\n"
    "  \"outline\": \"AIDE found differences between database and filesystem!!\",\n"
    "  \"root_prefix\": \"/srv/root\",\n"
    "  \"number_of_entries\": {\n"
    "    \"total\": 13,\n"
    "    \"added\": 4,\n"
    "    \"removed\": 1,\n"
    "    \"changed\": 6\n"
    "  },\n"
    "  \"added\": {\n"
    "    \"/usr/bin/d\": \"d+++++++++++++++++\",\n"
    "    \"/usr/bin/esc\\u0027\": \"f+++++++++++++++++\",\n"
    "    \"/usr/bin/n\": \"f+++++++++++++++++\",\n"
    "    \"/usr/bin/nl\\nx\": \"f+++++++++++++++++\"\n"
    "  },\n"
    "  \"removed\": {\n"
    "    \"/etc/c.conf\": \"f-----------------\"\n"
    "  },\n"
    "  \"changed\": {\n"
    "    \"/usr/bin\": \"d = ... ...n ..   \",\n"
    "    \"/usr/bin/a\": \"f > ... ....H..   \",\n"
    "    \"/usr/bin/b\\\\sl\": \"f > ... ....H..   \",\n"
    "    \"/usr/bin/bs\\\\012\": \"f > ... ....H..   \",\n"
    "    \"/usr/bin/lnk\": \"ll= ... ..i.  .   \",\n"
    "    \"/usr/bin/sp ace\": \"f > ... ....H..   \"\n"
    "  },\n"
    "  \"details\": {\n"
    "    \"/usr/bin\": {\n"
    "      \"link_count\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 3\n"
    "      }\n"
    "    },\n"
    "    \"/usr/bin/a\": {\n"
    "      \"size\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 5\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"h0KPxSKAPTEGXnvOPPA/5HUJZjHl4Hu9eg/eYMTPJcc=\",\n"
    "        \"new\": \"+Pt6Qg9TqQjaMvA9LGPKo+fNVGaleFvlDxSHCpKCr8M=\"\n"
    "      }\n"
    "    },\n"
    "    \"/usr/bin/b\\\\sl\": {\n"
    "      \"size\": {\n"
    "        \"old\": 1,\n"
    "        \"new\": 2\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\",\n"
    "        \"new\": \"dppObQADGJx+lsXZt+gQoNEcOhKDJSfslLD4bSd/Uco=\"\n"
    "      }\n"
    "    },\n"
    "    \"/usr/bin/bs\\\\012\": {\n"
    "      \"size\": {\n"
    "        \"old\": 1,\n"
    "        \"new\": 2\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\",\n"
    "        \"new\": \"dppObQADGJx+lsXZt+gQoNEcOhKDJSfslLD4bSd/Uco=\"\n"
    "      }\n"
    "    },\n"
    "    \"/usr/bin/lnk\": {\n"
    "      \"link_name\": {\n"
    "        \"old\": \"a\",\n"
    "        \"new\": \"n\"\n"
    "      },\n"
    "      \"inode\": {\n"
    "        \"old\": 10952984,\n"
    "        \"new\": 10952985\n"
    "      }\n"
    "    },\n"
    "    \"/usr/bin/sp ace\": {\n"
    "      \"size\": {\n"
    "        \"old\": 1,\n"
    "        \"new\": 2\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\",\n"
    "        \"new\": \"dppObQADGJx+lsXZt+gQoNEcOhKDJSfslLD4bSd/Uco=\"\n"
    "      }\n"
    "    }\n"
    "  },\n"
    "  \"databases\": {\n"
    "    \"/srv/aide.db.gz\": {\n"
    "      \"md5\": \"gC8u1QzdjC4xUv+exn+9tQ==\",\n"
    "      \"sha1\": \"yQ0GTim1BmqVY9vRhklnWTa2dMs=\",\n"
    "      \"sha256\": \"Xvs6IPXRRNemy1QzVq79J+pa0lHrwW8Rt4Umo2oyz7c=\",\n"
    "      \"sha512\": "
    "\"8Ku95En0osk/fp8byo64mGoZqfj1NNFDYL9MqAr9/5VmjqyMIgTxYmdr8/ma4LtMRZNOAECfo4dS/"
    "G3v1rLSFw==\",\n"
    "      \"rmd160\": \"4c0h9PXrCprWpYAetYCjAVBhJD4=\",\n"
    "      \"tiger\": \"9CwowboDKTqimU8GyvV8lx/akOQjzr+g\",\n"
    "      \"crc32\": \"2ghkMg==\",\n"
    "      \"crc32b\": \"N8ll7w==\",\n"
    "      \"haval\": \"2RVAb5LVAQcATgfWC+Kk7bqpTUgKx7pSf5K420No/Hc=\",\n"
    "      \"whirlpool\": "
    "\"2QkkPUGFujoU6/7mX9XT/"
    "1OAq6Ir8Zp4W205pvsWOxZAEqchSeJvGdE4swLB+BLmY2HDmkEJjAG80MTGYZpdjA==\",\n"
    "      \"gost\": \"64MBNeOyDenX1qhLwJgmpfz3mWmrgHLI8+dZvxJhZlE=\"\n"
    "    }\n"
    "  },\n"
    "  \"end_time\": \"2026-12-02 19:46:35 +0000\",\n"
    "  \"run_time_seconds\": 0\n"
    "}\n";

// The end of the reports below, one database and the end time.
const std::string k_small_text_tail =
    "---------------------------------------------------\n"
    "The attributes of the (uncompressed) database(s):\n"
    "---------------------------------------------------\n"
    "\n"
    "/srv/aide.db.gz\n"
    " MD5       : cngYWvdS1XN9oMs0hW1jrw==\n"
    " SHA1      : 6+242g+VVxZKUzI5JXDGWWxdEkM=\n"
    " SHA256    : ExsgEdu12cB/bbTGWowmf4xwl/KjhnlL\n"
    "             C+r8enn7ung=\n"
    " SHA512    : nDEbnj1p9eMU8ZGzMwM5xb6NHDP8SXHz\n"
    "             +8jhhxjUsKsgkLPCkVFp6seO4sBjFDmo\n"
    "             NBgIqQHUKPxfpauqSNo4Iw==\n"
    " RMD160    : Yl52ItOQYW5FY2eBlRJOwfrDgj0=\n"
    " TIGER     : 8PwgmG/qOJwb7E007YpJiEfURvFR7As/\n"
    " CRC32     : oR6vtw==\n"
    " CRC32B    : 4rBlTQ==\n"
    " HAVAL     : V7vT6VHKRJrog3NjmflSRL38Dx1aPKSZ\n"
    "             s9s4MiggGNc=\n"
    " WHIRLPOOL : McXwONmq6KqBiGlPkpFmi3FfsXmLXtST\n"
    "             5lXbRN9hYxXQa5HyBZ7IKk1OYd03buEq\n"
    "             WE/Of17H4O/af5vE/fXH+A==\n"
    " GOST      : a60XASzov1DwS5Jx8o3YM2sv8M3/xFg7\n"
    "             O5bNa1BqdjI=\n"
    "\n"
    "\n"
    "End timestamp: 2026-12-02 19:51:00 +0000 (run time: 0m 0s)\n";

// The end of the JSON reports below.
const std::string k_small_json_tail =
    "  \"databases\": {\n"
    "    \"/srv/aide.db.gz\": {\n"
    "      \"md5\": \"cngYWvdS1XN9oMs0hW1jrw==\",\n"
    "      \"sha1\": \"6+242g+VVxZKUzI5JXDGWWxdEkM=\",\n"
    "      \"sha256\": \"ExsgEdu12cB/bbTGWowmf4xwl/KjhnlLC+r8enn7ung=\",\n"
    "      \"sha512\": "
    "\"nDEbnj1p9eMU8ZGzMwM5xb6NHDP8SXHz+8jhhxjUsKsgkLPCkVFp6seO4sBjFDmoNBgIqQHUKPxfpauqSNo4Iw==\","
    "\n"
    "      \"rmd160\": \"Yl52ItOQYW5FY2eBlRJOwfrDgj0=\",\n"
    "      \"tiger\": \"8PwgmG/qOJwb7E007YpJiEfURvFR7As/\",\n"
    "      \"crc32\": \"oR6vtw==\",\n"
    "      \"crc32b\": \"4rBlTQ==\",\n"
    "      \"haval\": \"V7vT6VHKRJrog3NjmflSRL38Dx1aPKSZs9s4MiggGNc=\",\n"
    "      \"whirlpool\": "
    "\"McXwONmq6KqBiGlPkpFmi3FfsXmLXtST5lXbRN9hYxXQa5HyBZ7IKk1OYd03buEqWE/Of17H4O/af5vE/"
    "fXH+A==\",\n"
    "      \"gost\": \"a60XASzov1DwS5Jx8o3YM2sv8M3/xFg7O5bNa1BqdjI=\"\n"
    "    }\n"
    "  },\n"
    "  \"end_time\": \"2026-12-02 19:51:00 +0000\",\n"
    "  \"run_time_seconds\": 0\n"
    "}\n";

// Fewer changes, report_format=json.
const std::string k_small_json =
    "{\n"
    "  \"start_time\": \"2026-12-02 19:51:00 +0000\",\n"
    "  \"aide_version\": \"0.18.3\",\n"
    "  \"outline\": \"AIDE found differences between database and filesystem!!\",\n"
    "  \"root_prefix\": \"/srv/root\",\n"
    "  \"number_of_entries\": {\n"
    "    \"total\": 5,\n"
    "    \"added\": 1,\n"
    "    \"removed\": 1,\n"
    "    \"changed\": 1\n"
    "  },\n"
    "  \"added\": {\n"
    "    \"/usr/bin/new\": \"f+++++++++++++++++\"\n"
    "  },\n"
    "  \"removed\": {\n"
    "    \"/etc/old.conf\": \"f-----------------\"\n"
    "  },\n"
    "  \"changed\": {\n"
    "    \"/usr/bin/tool\": \"f > ... ....H..   \"\n"
    "  },\n"
    "  \"details\": {\n"
    "    \"/usr/bin/tool\": {\n"
    "      \"size\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 5\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"/o7e65jMbTuTzy1XAAJUuEvZ66NLTffOS4fbi5N7dwM=\",\n"
    "        \"new\": \"wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYGZbTCu2wSltw=\"\n"
    "      }\n"
    "    }\n"
    "  },\n" +
    k_small_json_tail;

// report_summarize_changes=no, report_grouped=no.
const std::string k_plain_ungrouped =
    "Start timestamp: 2026-12-02 19:51:00 +0000 (AIDE 0.18.3)\n"
    "AIDE found differences between database and filesystem!!\n"
    "Root prefix: /srv/root\n"
    "\n"
    "Summary:\n"
    "  Total number of entries:\t5\n"
    "  Added entries:\t\t1\n"
    "  Removed entries:\t\t1\n"
    "  Changed entries:\t\t1\n"
    "\n"
    "---------------------------------------------------\n"
    "Added, removed and changed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "removed: /etc/old.conf\n"
    "added: /usr/bin/new\n"
    "changed: /usr/bin/tool\n"
    "\n"
    "---------------------------------------------------\n"
    "Detailed information about changes:\n"
    "---------------------------------------------------\n"
    "\n"
    "File: /usr/bin/tool\n"
    " Size      : 2                                | 5\n"
    " SHA256    : /o7e65jMbTuTzy1XAAJUuEvZ66NLTffO | wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYG\n"
    "             S4fbi5N7dwM=                     | ZbTCu2wSltw=\n"
    "\n"
    "\n" +
    k_small_text_tail;

// report_summarize_changes=yes, report_grouped=no.
const std::string k_summarized_ungrouped =
    "Start timestamp: 2026-12-02 19:51:00 +0000 (AIDE 0.18.3)\n"
    "AIDE found differences between database and filesystem!!\n"
    "Root prefix: /srv/root\n"
    "\n"
    "Summary:\n"
    "  Total number of entries:\t5\n"
    "  Added entries:\t\t1\n"
    "  Removed entries:\t\t1\n"
    "  Changed entries:\t\t1\n"
    "\n"
    "---------------------------------------------------\n"
    "Added, removed and changed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "f-----------------: /etc/old.conf\n"
    "f+++++++++++++++++: /usr/bin/new\n"
    "f > ... ....H..   : /usr/bin/tool\n"
    "\n"
    "---------------------------------------------------\n"
    "Detailed information about changes:\n"
    "---------------------------------------------------\n"
    "\n"
    "File: /usr/bin/tool\n"
    " Size      : 2                                | 5\n"
    " SHA256    : /o7e65jMbTuTzy1XAAJUuEvZ66NLTffO | wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYG\n"
    "             S4fbi5N7dwM=                     | ZbTCu2wSltw=\n"
    "\n"
    "\n" +
    k_small_text_tail;

// report_summarize_changes=no, report_grouped=yes.
const std::string k_plain_grouped =
    "Start timestamp: 2026-12-02 19:51:00 +0000 (AIDE 0.18.3)\n"
    "AIDE found differences between database and filesystem!!\n"
    "Root prefix: /srv/root\n"
    "\n"
    "Summary:\n"
    "  Total number of entries:\t5\n"
    "  Added entries:\t\t1\n"
    "  Removed entries:\t\t1\n"
    "  Changed entries:\t\t1\n"
    "\n"
    "---------------------------------------------------\n"
    "Added entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "added: /usr/bin/new\n"
    "\n"
    "---------------------------------------------------\n"
    "Removed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "removed: /etc/old.conf\n"
    "\n"
    "---------------------------------------------------\n"
    "Changed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "changed: /usr/bin/tool\n"
    "\n"
    "---------------------------------------------------\n"
    "Detailed information about changes:\n"
    "---------------------------------------------------\n"
    "\n"
    "File: /usr/bin/tool\n"
    " Size      : 2                                | 5\n"
    " SHA256    : /o7e65jMbTuTzy1XAAJUuEvZ66NLTffO | wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYG\n"
    "             S4fbi5N7dwM=                     | ZbTCu2wSltw=\n"
    "\n"
    "\n" +
    k_small_text_tail;

// report_level=added_removed_entries: added and removed entries have detailed blocks too.
const std::string k_all_details =
    "Start timestamp: 2026-12-02 19:51:00 +0000 (AIDE 0.18.3)\n"
    "AIDE found differences between database and filesystem!!\n"
    "Root prefix: /srv/root | Report level: added_removed_entries\n"
    "\n"
    "Summary:\n"
    "  Total number of entries:\t5\n"
    "  Added entries:\t\t1\n"
    "  Removed entries:\t\t1\n"
    "  Changed entries:\t\t1\n"
    "\n"
    "---------------------------------------------------\n"
    "Added entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "f+++++++++++++++++: /usr/bin/new\n"
    "\n"
    "---------------------------------------------------\n"
    "Removed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "f-----------------: /etc/old.conf\n"
    "\n"
    "---------------------------------------------------\n"
    "Changed entries:\n"
    "---------------------------------------------------\n"
    "\n"
    "f > ... ....H..   : /usr/bin/tool\n"
    "\n"
    "---------------------------------------------------\n"
    "Detailed information about changes:\n"
    "---------------------------------------------------\n"
    "\n"
    "File: /etc/old.conf\n"
    " File type : File\n"
    " Size      : 2\n"
    " Perm      : -rw-r--r--\n"
    " Uid       : 0\n"
    " Gid       : 0\n"
    " Mtime     : 2026-12-02 19:51:00 +0000\n"
    " Ctime     : 2026-12-02 19:51:00 +0000\n"
    " Inode     : 10952952\n"
    " Linkcount : 1\n"
    " SHA256    : dCfRUgBfntD6Mcdu+ZY89LtH3ObidoER\n"
    "             2esO2/5ZxwQ=\n"
    " ACL       : A: user::rw-\n"
    "             A: group::r--\n"
    "             A: other::r--\n"
    " XAttrs    : num=0\n"
    "\n"
    "File: /usr/bin/new\n"
    " File type :                                    File\n"
    " Size      :                                    2\n"
    " Perm      :                                    -rw-r--r--\n"
    " Uid       :                                    0\n"
    " Gid       :                                    0\n"
    " Mtime     :                                    2026-12-02 19:51:00 +0000\n"
    " Ctime     :                                    2026-12-02 19:51:00 +0000\n"
    " Inode     :                                    10953023\n"
    " Linkcount :                                    1\n"
    " SHA256    :                                    pPtiFJWgEiSTsiA1kcRIkDxHLjBqHt5U\n"
    "                                                +rrYKeAQdcA=\n"
    " ACL       :                                    A: user::rw-\n"
    "                                                A: group::r--\n"
    "                                                A: other::r--\n"
    " XAttrs    :                                    num=0\n"
    "\n"
    "File: /usr/bin/tool\n"
    " Size      : 2                                | 5\n"
    " SHA256    : /o7e65jMbTuTzy1XAAJUuEvZ66NLTffO | wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYG\n"
    "             S4fbi5N7dwM=                     | ZbTCu2wSltw=\n"
    "\n"
    "\n" +
    k_small_text_tail;

// report_format=json, report_summarize_changes=no: lists of paths.
const std::string k_plain_grouped_json =
    "{\n"
    "  \"start_time\": \"2026-12-02 19:51:00 +0000\",\n"
    "  \"aide_version\": \"0.18.3\",\n"
    "  \"outline\": \"AIDE found differences between database and filesystem!!\",\n"
    "  \"root_prefix\": \"/srv/root\",\n"
    "  \"number_of_entries\": {\n"
    "    \"total\": 5,\n"
    "    \"added\": 1,\n"
    "    \"removed\": 1,\n"
    "    \"changed\": 1\n"
    "  },\n"
    "  \"added\": [\n"
    "    \"/usr/bin/new\"\n"
    "  ],\n"
    "  \"removed\": [\n"
    "    \"/etc/old.conf\"\n"
    "  ],\n"
    "  \"changed\": [\n"
    "    \"/usr/bin/tool\"\n"
    "  ],\n"
    "  \"details\": {\n"
    "    \"/usr/bin/tool\": {\n"
    "      \"size\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 5\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"/o7e65jMbTuTzy1XAAJUuEvZ66NLTffOS4fbi5N7dwM=\",\n"
    "        \"new\": \"wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYGZbTCu2wSltw=\"\n"
    "      }\n"
    "    }\n"
    "  },\n" +
    k_small_json_tail;

// report_format=json, report_summarize_changes=no, report_grouped=no.
const std::string k_plain_ungrouped_json =
    "{\n"
    "  \"start_time\": \"2026-12-02 19:51:00 +0000\",\n"
    "  \"aide_version\": \"0.18.3\",\n"
    "  \"outline\": \"AIDE found differences between database and filesystem!!\",\n"
    "  \"root_prefix\": \"/srv/root\",\n"
    "  \"number_of_entries\": {\n"
    "    \"total\": 5,\n"
    "    \"added\": 1,\n"
    "    \"removed\": 1,\n"
    "    \"changed\": 1\n"
    "  },\n"
    "  \"entries\": {\n"
    "    \"/etc/old.conf\": \"removed\",\n"
    "    \"/usr/bin/new\": \"added\",\n"
    "    \"/usr/bin/tool\": \"changed\"\n"
    "  },\n"
    "  \"details\": {\n"
    "    \"/usr/bin/tool\": {\n"
    "      \"size\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 5\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"/o7e65jMbTuTzy1XAAJUuEvZ66NLTffOS4fbi5N7dwM=\",\n"
    "        \"new\": \"wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYGZbTCu2wSltw=\"\n"
    "      }\n"
    "    }\n"
    "  },\n" +
    k_small_json_tail;

// report_format=json, report_grouped=no.
const std::string k_summarized_ungrouped_json =
    "{\n"
    "  \"start_time\": \"2026-12-02 19:51:00 +0000\",\n"
    "  \"aide_version\": \"0.18.3\",\n"
    "  \"outline\": \"AIDE found differences between database and filesystem!!\",\n"
    "  \"root_prefix\": \"/srv/root\",\n"
    "  \"number_of_entries\": {\n"
    "    \"total\": 5,\n"
    "    \"added\": 1,\n"
    "    \"removed\": 1,\n"
    "    \"changed\": 1\n"
    "  },\n"
    "  \"entries\": {\n"
    "    \"/etc/old.conf\": \"f-----------------\",\n"
    "    \"/usr/bin/new\": \"f+++++++++++++++++\",\n"
    "    \"/usr/bin/tool\": \"f > ... ....H..   \"\n"
    "  },\n"
    "  \"details\": {\n"
    "    \"/usr/bin/tool\": {\n"
    "      \"size\": {\n"
    "        \"old\": 2,\n"
    "        \"new\": 5\n"
    "      },\n"
    "      \"sha256\": {\n"
    "        \"old\": \"/o7e65jMbTuTzy1XAAJUuEvZ66NLTffOS4fbi5N7dwM=\",\n"
    "        \"new\": \"wb4fcyDW3oegJqxi4kW5GH8zdVZKMbYGZbTCu2wSltw=\"\n"
    "      }\n"
    "    }\n"
    "  },\n" +
    k_small_json_tail;

// A path with its control characters shown as <xx>.
std::string printable(const std::string& path) {
    std::string out;
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            const char* digits = "0123456789abcdef";
            out += std::string("<") + digits[byte >> 4] + digits[byte & 15] + ">";
        } else {
            out += c;
        }
    }
    return out;
}

std::string describe(const AideReport& report) {
    std::string out;
    for (const AideReportEntry& e : report.entries()) {
        out += std::string(e.change == AideChange::added     ? "added"
                           : e.change == AideChange::removed ? "removed"
                                                             : "changed") +
               " " + (e.type ? e.type : '-') + " " + printable(e.path) +
               (e.exact ? "" : " inexact") + "\n";
    }
    return out;
}

std::string describe(const std::string& report) {
    return describe(AideReport::parse(report, "report"));
}

// The report written back without the entries of the paths in `dropped`.
std::string rewrite(const std::string& report, const std::set<std::string>& dropped,
                    const std::vector<std::pair<std::string, std::size_t>>& suppressed = {}) {
    const AideReport parsed = AideReport::parse(report, "report");
    std::ostringstream out;
    CPPUNIT_ASSERT(parsed.write(
        out, [&](std::size_t i) { return dropped.count(parsed.entries()[i].path) == 0; },
        suppressed));
    return out.str();
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    CPPUNIT_ASSERT_MESSAGE(from, at != std::string::npos);
    CPPUNIT_ASSERT_MESSAGE(from, text.find(from, at + 1) == std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string without(const std::string& text, const std::string& piece) {
    return replaced(text, piece, "");
}

// The detailed block of a text report under `header`, with the blank line before it.
std::string block(const std::string& text, const std::string& header) {
    const std::size_t at = text.find("\n" + header + "\n");
    CPPUNIT_ASSERT(at != std::string::npos);
    return text.substr(at, text.find("\n\n", at + 1) + 1 - at);
}

std::string section(const std::string& title, const std::string& lines) {
    return "\n" + k_dashes + "\n" + title + "\n" + k_dashes + "\n\n" + lines;
}

std::string error_of(const std::string& report) {
    try {
        AideReport::parse(report, "report");
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}

// Parses every prefix of `report`: each must parse or be refused with a ParseError, and what
// parses must write.
void parse_every_prefix(const std::string& report) {
    for (std::size_t cut = 0; cut <= report.size(); ++cut) {
        try {
            const AideReport parsed = AideReport::parse(report.substr(0, cut), "cut");
            std::ostringstream out;
            CPPUNIT_ASSERT(parsed.write(out, [](std::size_t i) { return i % 2 == 0; },
                                        {{"Pristine package files", 1}}));
        } catch (const ParseError&) {
        }
    }
}

class AideReportTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AideReportTest);
    CPPUNIT_TEST(testParsesTheTextForm);
    CPPUNIT_TEST(testWritesTheTextFormBackAsItWas);
    CPPUNIT_TEST(testAppendsNothingWhenEveryCountIsZero);
    CPPUNIT_TEST(testLeavesOutEntriesTheirBlocksAndEmptiedSections);
    CPPUNIT_TEST(testLeavesOutEverythingButTheOutlineWhenNothingIsKept);
    CPPUNIT_TEST(testKeepsWhatItDoesNotKnowBeforeTheSummary);
    CPPUNIT_TEST(testRejectsSectionsAideDoesNotWrite);
    CPPUNIT_TEST(testRejectsJsonMembersAideDoesNotWrite);
    CPPUNIT_TEST(testParsesTheUngroupedPlainForm);
    CPPUNIT_TEST(testRetitlesAnUngroupedSectionAfterWhatItKeeps);
    CPPUNIT_TEST(testParsesTheUngroupedSummarizedForm);
    CPPUNIT_TEST(testParsesTheGroupedPlainForm);
    CPPUNIT_TEST(testLeavesOutTheBlocksOfAddedAndRemovedEntries);
    CPPUNIT_TEST(testParsesTheJsonForm);
    CPPUNIT_TEST(testWritesTheJsonFormBackAsItWas);
    CPPUNIT_TEST(testJsonLeavesOutEntriesTheirDetailsAndEmptiedLists);
    CPPUNIT_TEST(testJsonLeavesOutTheDetailsWhenNoChangedEntryIsLeft);
    CPPUNIT_TEST(testParsesJsonListsOfPaths);
    CPPUNIT_TEST(testJsonLeavesOutPathsOfLists);
    CPPUNIT_TEST(testParsesUngroupedJsonEntries);
    CPPUNIT_TEST(testRejectsWhatIsNotAReport);
    CPPUNIT_TEST(testRejectsAMalformedEntryLine);
    CPPUNIT_TEST(testRejectsAPathListedTwiceInASection);
    CPPUNIT_TEST(testRejectsARelativePath);
    CPPUNIT_TEST(testRejectsPathsAideDoesNotWrite);
    CPPUNIT_TEST(testRejectsListsOtherThanCounted);
    CPPUNIT_TEST(testRejectsEntriesWithoutASummary);
    CPPUNIT_TEST(testRejectsReportsThatListNoEntries);
    CPPUNIT_TEST(testReadsWhatAideRecorded);
    CPPUNIT_TEST(testReadsWhichAttributesDiffer);
    CPPUNIT_TEST(testRejectsInvalidJsonNamingTheByte);
    CPPUNIT_TEST(testNamesThatAreNotUtf8AreNeverExact);
    CPPUNIT_TEST(testRejectsJsonListsThatAreNotOfStrings);
    CPPUNIT_TEST(testRejectsJsonNestedTooDeep);
    CPPUNIT_TEST(testRejectsAMemberTwice);
    CPPUNIT_TEST(testTruncatedTextParsesOrIsRefused);
    CPPUNIT_TEST(testTruncatedJsonParsesOrIsRefused);
    CPPUNIT_TEST(testReportsAFailedStream);
    CPPUNIT_TEST_SUITE_END();

public:
    void testParsesTheTextForm() {
        const AideReport report = AideReport::parse(k_text, "report");
        CPPUNIT_ASSERT(report.form() == AideReport::Form::text);
        // \ooo is a byte, but builds before +deb12u4 write a backslash and three digits as they
        // are: such paths are not exact. A backslash before anything else is itself.
        CPPUNIT_ASSERT_EQUAL(std::string("added d /usr/bin/d\n"
                                         "added f /usr/bin/esc<1b> inexact\n"
                                         "added f /usr/bin/n\n"
                                         "added f /usr/bin/nl<0a>x inexact\n"
                                         "removed f /etc/c.conf\n"
                                         "changed d /usr/bin\n"
                                         "changed f /usr/bin/a\n"
                                         "changed f /usr/bin/b\\sl\n"
                                         "changed f /usr/bin/bs\\012 inexact\n"
                                         "changed l /usr/bin/lnk\n"
                                         "changed f /usr/bin/sp ace\n"),
                             describe(report));
    }

    void testWritesTheTextFormBackAsItWas() {
        for (const std::string& report :
             {k_text, k_plain_ungrouped, k_summarized_ungrouped, k_plain_grouped, k_all_details}) {
            CPPUNIT_ASSERT_EQUAL(report, rewrite(report, {}));
        }
    }

    void testAppendsNothingWhenEveryCountIsZero() {
        CPPUNIT_ASSERT_EQUAL(k_text, rewrite(k_text, {}, {{"Pristine package files", 0}}));
        CPPUNIT_ASSERT_EQUAL(k_small_json,
                             rewrite(k_small_json, {}, {{"Pristine package files", 0}}));
    }

    void testLeavesOutEntriesTheirBlocksAndEmptiedSections() {
        std::string expected =
            replaced(k_text, "  Added entries:\t\t4\n", "  Added entries:\t\t3\n");
        expected = replaced(expected, "  Removed entries:\t\t1\n", "  Removed entries:\t\t0\n");
        expected = replaced(expected, "  Changed entries:\t\t6\n", "  Changed entries:\t\t5\n");
        expected = without(expected, "d+++++++++++++++++: /usr/bin/d\n");
        expected =
            without(expected, section("Removed entries:", "f-----------------: /etc/c.conf\n"));
        expected = without(expected, "f > ... ....H..   : /usr/bin/a\n");
        expected = without(expected, block(k_text, "File: /usr/bin/a"));
        expected +=
            section("Suppressed by pkgdesc-verify:",
                    "  Pristine package files:\t3\n  Explained by maintainer scripts:\t1\n");
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_text, {"/usr/bin/d", "/etc/c.conf", "/usr/bin/a"},
                                               {{"Pristine package files", 3},
                                                {"Unowned", 0},
                                                {"Explained by maintainer scripts", 1}}));
    }

    void testLeavesOutEverythingButTheOutlineWhenNothingIsKept() {
        std::set<std::string> all;
        const AideReport report = AideReport::parse(k_text, "report");
        for (const AideReportEntry& entry : report.entries()) {
            all.insert(entry.path);
        }
        std::string expected =
            replaced(k_text, "  Added entries:\t\t4\n", "  Added entries:\t\t0\n");
        expected = replaced(expected, "  Removed entries:\t\t1\n", "  Removed entries:\t\t0\n");
        expected = replaced(expected, "  Changed entries:\t\t6\n", "  Changed entries:\t\t0\n");
        // From the first section to the databases' one, as aide writes a report with no entry.
        const std::size_t from = expected.find("\n" + k_dashes + "\nAdded entries:");
        const std::size_t to = expected.find("\n" + k_dashes + "\nThe attributes");
        expected.erase(from, to - from);
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_text, all));
    }

    void testKeepsWhatItDoesNotKnowBeforeTheSummary() {
        const std::string report =
            replaced(k_text, "Root prefix: /srv/root\n",
                     "Root prefix: /srv/root\nSomething aide may say one day\n");
        CPPUNIT_ASSERT_EQUAL(report, rewrite(report, {}));
        std::string expected =
            replaced(report, "  Added entries:\t\t4\n", "  Added entries:\t\t3\n");
        CPPUNIT_ASSERT_EQUAL(without(expected, "d+++++++++++++++++: /usr/bin/d\n"),
                             rewrite(report, {"/usr/bin/d"}));
    }

    void testRejectsSectionsAideDoesNotWrite() {
        // Where aide lists entries, a line that looks like a header is a file name holding
        // newlines, as builds before 0.18.3-1+deb12u4 write it: it would move the entries after
        // it out of their list.
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:70: unknown section \"A section to come:\""),
            error_of(replaced(k_text, "\n" + k_dashes + "\nThe attributes",
                              section("A section to come:", "f+++++++++++++++++ what it lists\n") +
                                  "\n" + "\n" + k_dashes + "\nThe attributes")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:36: section \"Added entries:\" out of aide's order"),
            error_of(replaced(k_text, "ll= ... ..i.  .   : /usr/bin/lnk\n",
                              "ll= ... ..i.  .   : /usr/bin/lnk\n" + k_dashes +
                                  "\nAdded entries:\n" + k_dashes + "\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:21: not a detailed block in \"Detailed information\""),
            error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                              "f+++++++++++++++++: /usr/bin/n\n" + k_dashes +
                                  "\nDetailed information about changes:\n" + k_dashes + "\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:18: end timestamp before the end"),
            error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                              "f+++++++++++++++++: /usr/bin/n\nEnd timestamp: x\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:95: text after the end timestamp"),
                             error_of(k_text + "f+++++++++++++++++: /usr/bin/x\n"));
        // A name ending in a newline leaves a blank line among the entries.
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:18: blank line among the entries in \"Added entries\""),
            error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                              "f+++++++++++++++++: /usr/bin/n\n\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:43: not a detailed block in \"Detailed information\""),
            error_of(replaced(k_text, "Directory: /usr/bin\n Linkcount : 2 ",
                              "Directory: /usr/bin\n\nf+++: /x\n Linkcount : 2 ")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:44: detailed information about a path twice"),
                             error_of(replaced(k_text, "File: /usr/bin/a\n", "File: /usr/bin\n")));
    }

    void testRejectsJsonMembersAideDoesNotWrite() {
        // A file name holding a '"' can close a list in the JSON of those builds.
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: unknown member \"more\""),
            error_of(replaced(k_json, "  \"removed\": {", "  \"more\": {},\n  \"removed\": {")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: member \"different_attributes\" out of aide's order"),
            error_of(replaced(k_json, "  \"removed\": {",
                              "  \"different_attributes\": {},\n  \"removed\": {")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: member \"entries\" twice, or with another list"),
            error_of(replaced(k_json, "  \"details\": {", "  \"entries\": {},\n  \"details\": {")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: \"details\" holds a member that is not an object"),
            error_of(replaced(k_json, "  \"details\": {\n",
                              "  \"details\": {\n    \"/usr/bin/n\": \"f++\",\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: \"details\" about a path twice"),
                             error_of(replaced(k_json, "    \"/usr/bin/a\": {\n      \"size\"",
                                               "    \"/usr/bin\": {\n      \"size\"")));
    }

    void testParsesTheUngroupedPlainForm() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("removed - /etc/old.conf\nadded - /usr/bin/new\nchanged - /usr/bin/tool\n"),
            describe(k_plain_ungrouped));
    }

    void testRetitlesAnUngroupedSectionAfterWhatItKeeps() {
        std::string expected = replaced(k_plain_ungrouped, "Added, removed and changed entries:\n",
                                        "Changed entries:\n");
        expected = replaced(expected, "  Added entries:\t\t1\n", "  Added entries:\t\t0\n");
        expected = replaced(expected, "  Removed entries:\t\t1\n", "  Removed entries:\t\t0\n");
        expected = without(without(expected, "removed: /etc/old.conf\n"), "added: /usr/bin/new\n");
        CPPUNIT_ASSERT_EQUAL(expected,
                             rewrite(k_plain_ungrouped, {"/etc/old.conf", "/usr/bin/new"}));
        CPPUNIT_ASSERT_EQUAL(replaced(without(k_plain_ungrouped, "added: /usr/bin/new\n"),
                                      "Added, removed and changed entries:\n",
                                      "Removed and changed entries:\n"),
                             replaced(rewrite(k_plain_ungrouped, {"/usr/bin/new"}),
                                      "  Added entries:\t\t0\n", "  Added entries:\t\t1\n"));
    }

    void testParsesTheUngroupedSummarizedForm() {
        // The kind is in the summary: nothing but '+' (or '-') after the type.
        CPPUNIT_ASSERT_EQUAL(
            std::string("removed f /etc/old.conf\nadded f /usr/bin/new\nchanged f /usr/bin/tool\n"),
            describe(k_summarized_ungrouped));
    }

    void testParsesTheGroupedPlainForm() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("added - /usr/bin/new\nremoved - /etc/old.conf\nchanged - /usr/bin/tool\n"),
            describe(k_plain_grouped));
    }

    void testLeavesOutTheBlocksOfAddedAndRemovedEntries() {
        std::string expected =
            replaced(k_all_details, "  Added entries:\t\t1\n", "  Added entries:\t\t0\n");
        expected = replaced(expected, "  Removed entries:\t\t1\n", "  Removed entries:\t\t0\n");
        expected =
            without(expected, section("Added entries:", "f+++++++++++++++++: /usr/bin/new\n"));
        expected =
            without(expected, section("Removed entries:", "f-----------------: /etc/old.conf\n"));
        expected = without(expected, block(k_all_details, "File: /etc/old.conf"));
        expected = without(expected, block(k_all_details, "File: /usr/bin/new"));
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_all_details, {"/etc/old.conf", "/usr/bin/new"}));
    }

    void testParsesTheJsonForm() {
        const AideReport report = AideReport::parse(k_json, "report");
        CPPUNIT_ASSERT(report.form() == AideReport::Form::json);
        // This aide writes ESC as "\u0027" (its code in decimal), which reads as "'": a path spelt
        // with \u is not exact. JSON's own escapes are.
        CPPUNIT_ASSERT_EQUAL(std::string("added d /usr/bin/d\n"
                                         "added f /usr/bin/esc' inexact\n"
                                         "added f /usr/bin/n\n"
                                         "added f /usr/bin/nl<0a>x\n"
                                         "removed f /etc/c.conf\n"
                                         "changed d /usr/bin\n"
                                         "changed f /usr/bin/a\n"
                                         "changed f /usr/bin/b\\sl\n"
                                         "changed f /usr/bin/bs\\012\n"
                                         "changed l /usr/bin/lnk\n"
                                         "changed f /usr/bin/sp ace\n"),
                             describe(report));
    }

    void testWritesTheJsonFormBackAsItWas() {
        for (const std::string& report : {k_small_json, k_plain_grouped_json,
                                          k_plain_ungrouped_json, k_summarized_ungrouped_json}) {
            CPPUNIT_ASSERT_EQUAL(report, rewrite(report, {}));
        }
        // nlohmann-json writes a string's characters, not the escapes it was read with.
        CPPUNIT_ASSERT_EQUAL(replaced(k_json, "esc\\u0027", "esc'"), rewrite(k_json, {}));
    }

    void testJsonLeavesOutEntriesTheirDetailsAndEmptiedLists() {
        std::string expected = replaced(k_json, "esc\\u0027", "esc'");
        expected = replaced(expected, "    \"added\": 4,\n", "    \"added\": 3,\n");
        expected = replaced(expected, "    \"removed\": 1,\n", "    \"removed\": 0,\n");
        expected = replaced(expected, "    \"changed\": 6\n", "    \"changed\": 5\n");
        expected = without(expected, "    \"/usr/bin/d\": \"d+++++++++++++++++\",\n");
        // aide leaves out a list with nothing in it.
        expected = without(expected, "  \"removed\": {\n"
                                     "    \"/etc/c.conf\": \"f-----------------\"\n"
                                     "  },\n");
        expected = without(expected, "    \"/usr/bin/a\": \"f > ... ....H..   \",\n");
        expected =
            without(expected, "    \"/usr/bin/a\": {\n"
                              "      \"size\": {\n"
                              "        \"old\": 2,\n"
                              "        \"new\": 5\n"
                              "      },\n"
                              "      \"sha256\": {\n"
                              "        \"old\": \"h0KPxSKAPTEGXnvOPPA/5HUJZjHl4Hu9eg/eYMTPJcc=\",\n"
                              "        \"new\": \"+Pt6Qg9TqQjaMvA9LGPKo+fNVGaleFvlDxSHCpKCr8M=\"\n"
                              "      }\n"
                              "    },\n");
        expected = replaced(expected, "  \"run_time_seconds\": 0\n}\n",
                            "  \"run_time_seconds\": 0,\n"
                            "  \"suppressed_by_pkgdesc_verify\": {\n"
                            "    \"Pristine package files\": 3,\n"
                            "    \"Explained by maintainer scripts\": 1\n"
                            "  }\n"
                            "}\n");
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_json, {"/usr/bin/d", "/etc/c.conf", "/usr/bin/a"},
                                               {{"Pristine package files", 3},
                                                {"Unowned", 0},
                                                {"Explained by maintainer scripts", 1}}));
    }

    void testJsonLeavesOutTheDetailsWhenNoChangedEntryIsLeft() {
        std::string expected =
            replaced(k_small_json, "    \"changed\": 1\n", "    \"changed\": 0\n");
        expected = without(expected, "  \"changed\": {\n"
                                     "    \"/usr/bin/tool\": \"f > ... ....H..   \"\n"
                                     "  },\n");
        const std::size_t from = expected.find("  \"details\": {\n");
        expected.erase(from, expected.find("  \"databases\": {\n") - from);
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_small_json, {"/usr/bin/tool"}));
    }

    void testParsesJsonListsOfPaths() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("added - /usr/bin/new\nremoved - /etc/old.conf\nchanged - /usr/bin/tool\n"),
            describe(k_plain_grouped_json));
    }

    void testJsonLeavesOutPathsOfLists() {
        std::string expected =
            replaced(k_plain_grouped_json, "    \"added\": 1,\n", "    \"added\": 0,\n");
        expected = without(expected, "  \"added\": [\n"
                                     "    \"/usr/bin/new\"\n"
                                     "  ],\n");
        CPPUNIT_ASSERT_EQUAL(expected, rewrite(k_plain_grouped_json, {"/usr/bin/new"}));
    }

    void testParsesUngroupedJsonEntries() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("removed - /etc/old.conf\nadded - /usr/bin/new\nchanged - /usr/bin/tool\n"),
            describe(k_plain_ungrouped_json));
        CPPUNIT_ASSERT_EQUAL(
            std::string("removed f /etc/old.conf\nadded f /usr/bin/new\nchanged f /usr/bin/tool\n"),
            describe(k_summarized_ungrouped_json));
    }

    void testRejectsWhatIsNotAReport() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:1: not an aide --check report"), error_of(""));
        CPPUNIT_ASSERT_EQUAL(std::string("report:1: not an aide --check report"),
                             error_of("Package: aide\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: not an aide --check report"), error_of("{}"));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: not an aide --check report"),
                             error_of("{\"outline\": 1}"));
    }

    void testRejectsAMalformedEntryLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:17: malformed entry line in \"Added entries\""),
                             error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                                               "f+++++++++++++++++ /usr/bin/n\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:17: malformed entry line in \"Added entries\""),
                             error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                                               "Warning: /usr/bin/n\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:15: entry of another kind in \"Added entries\""),
            error_of(replaced(k_plain_grouped, "added: /usr/bin/new", "removed: /usr/bin/new")));
    }

    void testRejectsAPathListedTwiceInASection() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:17: path listed twice in a section"),
                             error_of(replaced(k_text, "f+++++++++++++++++: /usr/bin/n\n",
                                               "f+++++++++++++++++: /usr/bin/d\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: path listed twice in \"added\""),
                             error_of(replaced(k_json, "\"/usr/bin/n\": ", "\"/usr/bin/d\": ")));
    }

    void testRejectsARelativePath() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:17: path not absolute in \"Added entries\""),
                             error_of(replaced(k_text, ": /usr/bin/n\n", ": usr/bin/n\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:15: path not absolute in \"Added entries\""),
            error_of(replaced(k_plain_grouped, "added: /usr/bin/new", "added: usr/bin/new")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: path not absolute in \"added\""),
                             error_of(replaced(k_json, "\"/usr/bin/n\": ", "\"usr/bin/n\": ")));
    }

    void testRejectsPathsAideDoesNotWrite() {
        // aide names every file by its normalized path, which holds no NUL byte.
        for (const char* path : {"/usr/bin/./n", "/usr/bin//n", "/usr/../bin/n", "/usr/bin/n/"}) {
            CPPUNIT_ASSERT_EQUAL(
                std::string("report:17: path not normalized (an empty, \".\" or \"..\" "
                            "component, or a trailing slash) in \"Added entries\""),
                error_of(replaced(k_text, ": /usr/bin/n\n", std::string(": ") + path + "\n")));
        }
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:17: NUL byte in a path in \"Added entries\""),
            error_of(replaced(k_text, ": /usr/bin/n\n", std::string(": /usr/bin/n\0x\n", 15))));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: NUL byte in a path in \"added\""),
            error_of(replaced(k_json, "\"/usr/bin/n\": ", "\"/usr/bin/n\\u0000\": ")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: path not normalized (an empty, \".\" or \"..\" component, or a "
                        "trailing slash) in \"added\""),
            error_of(replaced(k_json, "\"/usr/bin/n\": ", "\"/usr/bin/./n\": ")));
    }

    void testRejectsListsOtherThanCounted() {
        // What aide before 0.18.3-1+deb12u4 writes for a file named "nl\nf+++...: /usr/bin/ls".
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:1: the summary counts 4 added entries, the report lists 5"),
            error_of(replaced(k_text, "/usr/bin/nl\\012x\n",
                              "/usr/bin/nl\nf+++++++++++++++++: /usr/bin/ls\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:1: the summary counts 4 added entries, the report lists 3"),
            error_of(without(k_text, "f+++++++++++++++++: /usr/bin/n\n")));
        // And for one named "x\": \"f\", \"/usr/bin/ls".
        CPPUNIT_ASSERT_EQUAL(
            std::string(
                "report:0: \"number_of_entries\" counts 4 added entries, the report lists 5"),
            error_of(
                replaced(k_json, "\"/usr/bin/n\": ", "\"/usr/bin/x\": \"f\", \"/usr/bin/ls\": ")));
        CPPUNIT_ASSERT_EQUAL(
            std::string(
                "report:0: \"number_of_entries\" counts 1 removed entries, the report lists 0"),
            error_of(replaced(
                k_json, "  \"removed\": {\n    \"/etc/c.conf\": \"f-----------------\"\n  },\n",
                "")));
    }

    void testRejectsEntriesWithoutASummary() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:1: differences found but not counted "
                                         "(report_level minimal?): the filter needs "
                                         "report_level list_entries or higher"),
                             error_of(without(k_text, "  Added entries:\t\t4\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("report:0: differences found but not counted in "
                                         "\"number_of_entries\" (report_level minimal?): the "
                                         "filter needs report_level list_entries or higher"),
                             error_of(without(k_json, "    \"removed\": 1,\n")));
    }

    void testRejectsReportsThatListNoEntries() {
        // What report_level minimal and summary write: the differences are not named, so none
        // can be explained, and the report must not pass as explained.
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:1: differences found but not counted (report_level minimal?): "
                        "the filter needs report_level list_entries or higher"),
            error_of("AIDE found differences between database and filesystem!!\n"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:1: the summary counts 1 added entries, the report lists 0 "
                        "(report_level below list_entries?)"),
            error_of("Start timestamp: 2026-12-02 22:13:34 +0000 (AIDE 0.18.3)\n"
                     "AIDE found differences between database and filesystem!!\n"
                     "Root prefix: /srv/root | Report level: summary\n\nSummary:\n"
                     "  Total number of entries:\t4\n  Added entries:\t\t1\n"
                     "  Removed entries:\t\t1\n  Changed entries:\t\t1\n\n"
                     "End timestamp: 2026-12-02 22:13:34 +0000 (run time: 0m 0s)\n"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: differences found but not counted in \"number_of_entries\" "
                        "(report_level minimal?): the filter needs report_level list_entries or "
                        "higher"),
            error_of("{\n  \"outline\": \"AIDE found differences between database and "
                     "filesystem!!\"\n}\n"));
        // Nothing found is nothing to explain.
        CPPUNIT_ASSERT(AideReport::parse("AIDE found NO differences between database and "
                                         "filesystem. Looks okay!!\n",
                                         "report")
                           .entries()
                           .empty());
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:15: entries listed, yet no differences found"),
            error_of(replaced(k_text, "AIDE found differences between database and filesystem!!",
                              "AIDE found NO differences between database and filesystem. "
                              "Looks okay!!")));
    }

    void testReadsWhatAideRecorded() {
        // The new values of the detailed information: what aide saw when it wrote the report.
        for (const std::string& report : {k_text, k_json}) {
            const AideReport parsed = AideReport::parse(report, "report");
            const AideReportEntry& a = parsed.entries()[6];
            CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/a"), a.path);
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, a.recorded.size.value_or(0));
            CPPUNIT_ASSERT(a.recorded.sha256.has_value());
            CPPUNIT_ASSERT_EQUAL(std::string("f8fb7a420f53a908da32f03d2c63caa3e7cd5466a5785be50f1"
                                             "4870a9282afc3"),
                                 to_hex(*a.recorded.sha256));
            CPPUNIT_ASSERT(!a.recorded.perm && !a.recorded.unclear);
            // The directory's block names its link count only.
            const AideReportEntry& dir = parsed.entries()[5];
            CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin"), dir.path);
            CPPUNIT_ASSERT(!dir.recorded.size && !dir.recorded.sha256 && !dir.recorded.perm);
            // An added entry has no block at this report level.
            CPPUNIT_ASSERT(!parsed.entries()[0].recorded.size);
        }
        const AideReport perm = AideReport::parse(
            replaced(k_text, " Size      : 2                                | 5\n",
                     " Perm      : -rwxr-xr-x                       | -rwsr-xr-x\n"
                     " Size      : 2                                | 5\n"),
            "report");
        CPPUNIT_ASSERT_EQUAL(std::string("-rwsr-xr-x"),
                             perm.entries()[6].recorded.perm.value_or(""));
        const AideReport unclear = AideReport::parse(
            replaced(k_text, " Size      : 2                                | 5\n",
                     " Size      : 2                                | 5 GB\n"),
            "report");
        CPPUNIT_ASSERT(unclear.entries()[6].recorded.unclear);
        const AideReport json_perm = AideReport::parse(
            replaced(k_json,
                     "      \"size\": {\n        \"old\": 2,\n        \"new\": 5\n      },\n",
                     "      \"perm\": {\n        \"old\": \"-rwxr-xr-x\",\n        \"new\": "
                     "\"-rwsr-xr-x\"\n      },\n"),
            "report");
        CPPUNIT_ASSERT_EQUAL(std::string("-rwsr-xr-x"),
                             json_perm.entries()[6].recorded.perm.value_or(""));
    }

    void testReadsWhichAttributesDiffer() {
        // From the summary string and the detailed block, by summary character.
        for (const std::string& report : {k_text, k_json}) {
            const AideReport parsed = AideReport::parse(report, "report");
            const AideReportEntry& a = parsed.entries()[6];
            CPPUNIT_ASSERT(a.differences_named);
            CPPUNIT_ASSERT_EQUAL(std::string(">H>H"), a.differing);
            const AideReportEntry& dir = parsed.entries()[5];
            CPPUNIT_ASSERT_EQUAL(std::string("nn"), dir.differing);
            // Added and removed entries differ in everything: nothing is named.
            CPPUNIT_ASSERT(parsed.entries()[0].differing.empty());
            CPPUNIT_ASSERT(!parsed.entries()[0].differences_named);
        }
        // An attribute recorded on one side only ('+', '-'): its place in Debian's 18-character
        // string says which; in a string of another length it cannot be told.
        const AideReport added_xattr =
            AideReport::parse(replaced(k_text, "f > ... ....H..   : /usr/bin/a\n",
                                       "f = ... ....H.+   : /usr/bin/a\n"),
                              "report");
        CPPUNIT_ASSERT_EQUAL(std::string("HX>H"), added_xattr.entries()[6].differing);
        const AideReport short_summary = AideReport::parse(
            replaced(k_text, "f > ... ....H..   : /usr/bin/a\n", "f = ... ....-: /usr/bin/a\n"),
            "report");
        CPPUNIT_ASSERT_EQUAL(std::string("?>H"), short_summary.entries()[6].differing);
        // A detailed block names what the summary leaves out.
        const AideReport xattrs = AideReport::parse(
            replaced(k_text, " Size      : 2                                | 5\n",
                     " Size      : 2                                | 5\n"
                     " XAttrs    : num=0                            | num=1\n"),
            "report");
        CPPUNIT_ASSERT_EQUAL(std::string(">H>XH"), xattrs.entries()[6].differing);
    }

    void testRejectsInvalidJsonNamingTheByte() {
        CPPUNIT_ASSERT_EQUAL(std::string("report:2: invalid JSON at byte 13"),
                             error_of("{\n\"outline\": }"));
        CPPUNIT_ASSERT_EQUAL(std::string("report:1: JSON ends early at byte 15"),
                             error_of("{\"outline\": \"x\""));
        // What this aide writes for a file whose name holds a 0x1f: it escapes only below it.
        CPPUNIT_ASSERT(error_of(replaced(k_json, "/usr/bin/n\"", "/usr/bin/n\x1f\"")) != "");
    }

    void testNamesThatAreNotUtf8AreNeverExact() {
        // As aide writes a file name that is not UTF-8: the report is read, the name is not.
        const AideReport parsed =
            AideReport::parse(replaced(k_json, "/usr/bin/n\"", "/usr/bin/n\xff\""), "report");
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/n\xef\xbf\xbd"), parsed.entries()[2].path);
        CPPUNIT_ASSERT(!parsed.entries()[2].exact);
        CPPUNIT_ASSERT(parsed.entries()[0].exact);
    }

    void testRejectsJsonListsThatAreNotOfStrings() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: \"added\" holds a summary that is not a string"),
            error_of(
                replaced(k_json, "\"/usr/bin/n\": \"f+++++++++++++++++\"", "\"/usr/bin/n\": 1")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: \"added\" holds a path that is not a string"),
            error_of(replaced(k_plain_grouped_json, "\"/usr/bin/new\"\n", "null\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: \"removed\" is not an object or an array"),
            error_of(replaced(k_json,
                              "  \"removed\": {\n    \"/etc/c.conf\": \"f-----------------\"\n  }",
                              "  \"removed\": \"/etc/c.conf\"")));
    }

    void testRejectsJsonNestedTooDeep() {
        const std::string outline =
            "{\"outline\": \"AIDE found NO differences between database "
            "and filesystem. Looks okay!!\", \"details\": {\"/x\": {\"a\": ";
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: JSON nested deeper than 64 levels"),
            error_of(outline + std::string(62, '[') + std::string(62, ']') + "}}}"));
        CPPUNIT_ASSERT_EQUAL(
            std::string(), error_of(outline + std::string(61, '[') + std::string(61, ']') + "}}}"));
    }

    void testRejectsAMemberTwice() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("report:0: member \"added\" twice, or with another list"),
            error_of(replaced(k_json, "  \"removed\": {", "  \"added\": {},\n  \"removed\": {")));
    }

    void testTruncatedTextParsesOrIsRefused() {
        parse_every_prefix(k_text);
        parse_every_prefix(k_all_details);
        parse_every_prefix(k_summarized_ungrouped);
    }

    void testTruncatedJsonParsesOrIsRefused() {
        parse_every_prefix(k_json);
        parse_every_prefix(k_plain_grouped_json);
    }

    void testReportsAFailedStream() {
        const AideReport report = AideReport::parse(k_text, "report");
        std::ostringstream out;
        out.setstate(std::ios::badbit);
        CPPUNIT_ASSERT(!report.write(out, [](std::size_t) { return true; }, {}));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(AideReportTest, "unit.aide_report");
