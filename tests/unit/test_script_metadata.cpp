// Unit tests of reading maintainer scripts for literal metadata changes: the maintainer scripts
// of Debian 12 packages as they ship, then one shell construct per test, hostile input, GNU
// chmod's mode arithmetic and libcap's capability text.
#include <libpkgdesc/verify/script_metadata.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace pkgdesc;

namespace {

// Debian 12 (bookworm) postinst scripts, byte for byte (dpkg-deb -e of the .deb).

// fuse 2.9.9-6+b1
const std::string k_fuse_postinst = R"script(#!/bin/sh

set -e

chrooted() {
	if [ "$(stat -c %d/%i /)" = "$(stat -Lc %d/%i /proc/1/root 2>/dev/null)" ]; then
		# the devicenumber/inode pair of / is the same as that of
		# /sbin/init's root, so we're *not* in a chroot and hence
		# return false.
		return 1
	fi
	return 0
}

case "${1}" in
	configure)
		if [ -c /dev/cuse ] && ! chrooted
		then
			chmod 0600 /dev/cuse > /dev/null 2>&1
		fi
		if ! dpkg-statoverride --list /bin/fusermount > /dev/null 2>&1
		then
			chmod 4755 /bin/fusermount
		fi

		modprobe fuse > /dev/null 2>&1 || true

		if [ -x /usr/sbin/update-initramfs ]
		then
			update-initramfs -u
		fi
		;;

	abort-upgrade|abort-remove|abort-deconfigure)

		;;

	*)
		echo "postinst called with unknown argument \`${1}'" >&2
		exit 1
		;;
esac



exit 0
)script";

// cron-daemon-common 3.0pl1-162
const std::string k_cron_postinst = R"script(#!/bin/sh
set -e

crondir="/var/spool/cron"
action="$1"

if [ "$action" != configure ]; then
    exit 0
fi


# Add group for crontabs
getent group crontab > /dev/null 2>&1 || addgroup --system crontab

# Fixup crontab , directory and files for new group 'crontab'.
# Can't use dpkg-statoverride for this because it doesn't cooperate nicely
# with cron alternatives such as bcron
if [ -d $crondir/crontabs ] ; then
    chown root:crontab $crondir/crontabs
    chmod 1730 $crondir/crontabs
    # This used to be done conditionally. For versions prior to "3.0pl1-81"
    # It has been disabled to suit cron alternative such as bcron. 
    cd $crondir/crontabs
    set +e

    # Iterate over each entry in the spool directory, perform some sanity
    # checks (see CVE-2017-9525), and chown/chgroup the crontabs
    for tab_name in *
    do
        [ "$tab_name" = "*" ] && continue
        tab_links=`stat -c '%h' "$tab_name"`
        tab_owner=`stat -c '%U' "$tab_name"`

        if [ ! -f "$tab_name" ]
        then
            echo "Warning: $tab_name is not a regular file!"
            continue
        elif [ "$tab_links" -ne 1 ]
        then
            echo "Warning: $tab_name has more than one hard link!"
            continue
        elif [ "$tab_owner" != "$tab_name" ]
        then
            echo "Warning: $tab_name name differs from owner $tab_owner!"
            continue
        fi

		chown "$tab_owner:crontab" "$tab_name"
		chmod 600 "$tab_name"
    done
    set -e
fi



)script";

// libgstreamer1.0-0 1.22.0-2+deb12u1 (amd64: the helper's multiarch path is written out)
const std::string k_gstreamer_postinst = R"script(#!/bin/sh

set -e

if [ "$1" = configure ]; then
    # If we have setcap is installed, try setting cap_net_bind_service,cap_net_admin+ep,
    # which allows us to install our helper binary without the setuid bit.
    if command -v setcap > /dev/null; then
        if setcap cap_net_bind_service,cap_net_admin+ep /usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-ptp-helper; then
            echo "Setcap worked! gst-ptp-helper is not suid!"
        else
            echo "Setcap failed on gst-ptp-helper, falling back to setuid" >&2
            chmod u+s /usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-ptp-helper
        fi
    else
        echo "Setcap is not installed, falling back to setuid" >&2
        chmod u+s /usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-ptp-helper
    fi
fi



exit 0

)script";

// polkitd 122-3
const std::string k_polkitd_postinst = R"script(#!/bin/sh
# postinst script for polkitd
#
# see: dh_installdeb(1)

set -e

# summary of how this script can be called:
#        * <postinst> `configure' <most-recently-configured-version>
#        * <old-postinst> `abort-upgrade' <new version>
#        * <conflictor's-postinst> `abort-remove' `in-favour' <package>
#          <new-version>
#        * <postinst> `abort-remove'
#        * <deconfigured's-postinst> `abort-deconfigure' `in-favour'
#          <failed-install-package> <version> `removing'
#          <conflicting-package> <version>
# for details, see http://www.debian.org/doc/debian-policy/ or
# the debian-policy package

set_perms() {
    USER=$1
    GROUP=$2
    MODE=$3
    FILE=$4
    if ! dpkg-statoverride --list "$FILE" > /dev/null 2>&1; then
        chown "$USER:$GROUP" "$FILE"
        chmod "$MODE" "$FILE"
    fi
}

stop_polkitd () {
    if [ -n "${DPKG_ROOT-}" ]; then
        return
    fi

    if [ -d /run/systemd/system ]; then
        deb-systemd-invoke stop polkit.service >/dev/null || true
    else
        # On non-systemd systems, polkitd is started as a traditional D-Bus
        # system service and is not managed by a service manager, so this is
        # the best we can do
        start-stop-daemon --stop --oknodo --quiet --exec /usr/lib/polkit-1/polkitd || true
        start-stop-daemon --stop --oknodo --quiet --exec /usr/libexec/polkitd || true
    fi
}

case "$1" in
    configure)
        if ! getent passwd polkitd >/dev/null; then
            user_changed=yes
        else
            user_changed=
        fi

        # Intentionally not using dh_installsysusers: we need enough control
        # over sequencing to reload dbus-daemon after doing this, but before
        # restarting polkitd
        if command -v systemd-sysusers >/dev/null; then
            systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} polkitd.conf
        else
            adduser --group --system --quiet --gecos 'polkit' \
                --no-create-home --home /nonexistent polkitd
            addgroup --system --quiet polkitd
        fi

        if dpkg --compare-versions "$2" lt "122-3~" \
            && [ "$(getent passwd polkitd | cut -d: -f6)" = /var/lib/polkit-1 ]
        then
            # Make sure polkitd is stopped: usermod refuses to change the
            # home directory of a uid that has processes
            stop_polkitd
            # Don't fail hard if we can't change this, it's non-critical
            usermod -d /nonexistent polkitd || true
        fi

        # polkitd-pkla wants the polkitd user to have polkitd as its
        # primary group, but older Debian packages used nogroup
        if [ "$(id -g polkitd)" = 65534 ]; then
            user_changed=yes
            usermod -g polkitd polkitd
        fi
        set_perms polkitd root 700 /etc/polkit-1/rules.d
        set_perms polkitd root 700 /usr/share/polkit-1/rules.d
        set_perms polkitd root 700 /var/lib/polkit-1
        set_perms root root 4755 /usr/lib/polkit-1/polkit-agent-helper-1

        # If the polkitd user was newly created or newly added to the polkitd
        # group, the dbus-daemon might not know about that until reloaded.
        # dbus-broker's service has a dbus.service alias, so this will reload
        # either dbus-daemon or dbus-broker, whichever is used.
        if [ -z "${DPKG_ROOT-}" ] && [ -n "$user_changed" ]; then
            invoke-rc.d dbus reload || true
        fi
    ;;

    abort-upgrade|abort-remove|abort-deconfigure)
    ;;

    *)
        echo "postinst called with unknown argument \`$1'" >&2
        exit 1
    ;;
esac

# dh_installdeb will replace this with shell code automatically
# generated by other debhelper scripts.

# Automatically added by dh_installxmlcatalogs/UNDECLARED
if [ "$1" = "configure" ]; then
	update-xmlcatalog --sort --add --type public --id "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN" --package polkitd --local /usr/share/xml/polkit-1/catalog.xml
	update-xmlcatalog --sort --add --type system --id "http://www.freedesktop.org/standards/PolicyKit/1.0/policyconfig.dtd" --package polkitd --local /usr/share/xml/polkit-1/catalog.xml

	update-xmlcatalog --sort --add --type public --id "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN" --package polkitd --root
	update-xmlcatalog --sort --add --type system --id "http://www.freedesktop.org/standards/PolicyKit/1.0/policyconfig.dtd" --package polkitd --root

fi
# End automatically added section
# Automatically added by dh_installtmpfiles/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -x "$(command -v systemd-tmpfiles)" ]; then
		systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create polkitd.conf >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installdeb/13.11.4
dpkg-maintscript-helper rm_conffile /etc/pam.d/polkit-1 122-2\~ -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/localauthority.conf.d/50-localauthority.conf 121\+compat0.1-1\~ -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/localauthority.conf.d/51-debian-sudo.conf 121\+compat0.1-1\~ -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/localauthority.conf.d/51-ubuntu-admin.conf 121\+compat0.1-1\~ -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/rules.d/40-debian-sudo.rules 121\~ polkitd-javascript -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/rules.d/40-ubuntu-admin.rules 121\~ polkitd-javascript -- "$@"
dpkg-maintscript-helper rm_conffile /etc/polkit-1/rules.d/50-default.rules 121\~ polkitd-javascript -- "$@"
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			deb-systemd-invoke try-restart 'polkit.service' >/dev/null || true
		fi
	fi
fi
# End automatically added section


# If dpkg renamed a sysadmin-modified /etc/pam.d/polkit-1 to .dpkg-bak,
# rename it back to the original name so PAM will still load it.
# (Workaround for missing dpkg feature requested in
# https://bugs.debian.org/1006655)
if [ -e /etc/pam.d/polkit-1.dpkg-bak ]; then
    echo "Moving /etc/pam.d/polkit-1.dpkg-bak back to /etc/pam.d/polkit-1 ..."
    mv /etc/pam.d/polkit-1.dpkg-bak /etc/pam.d/polkit-1
fi

# Clean up old directories after dpkg-maintscript-helper has removed the
# conffiles.
if dpkg --compare-versions "$2" lt "0.109-1"; then
    for path in \
        /etc/polkit-1/localauthority.conf.d/ \
        /etc/polkit-1/nullbackend.conf.d/ \
    ; do
        if [ -d "$path" ] \
            && ! dpkg-query -S "$path" >/dev/null 2>/dev/null
        then
            rmdir --ignore-fail-on-non-empty "$path"
        fi
    done
fi

# On non-systemd systems, polkitd is started as a traditional D-Bus
# system service and is not managed by a service manager, so the
# closest thing we can do to a restart operation is to terminate it
# and let dbus-daemon restart it.
if ! [ -d /run/systemd/system ]; then
    stop_polkitd
fi

exit 0

# vim:set sw=4 sts=4 et:
)script";

// aide-common 0.18.3-1+deb12u5
const std::string k_aide_postinst = R"script(#!/bin/sh
#
# post-installation script for AIDE
# A whole lot of this is "borrowed" from tripwire's postinst
#

set -e

# We need debconf.
. /usr/share/debconf/confmodule

if [ -n "$AIDEDEBUG" ]; then
  echo "now debugging $0 $@"
  set -x
fi

PKGNAME="aide"

# Flags to be passed to aideinit
aideinitflags="-b"

# Make sure we should be running...
case "$1" in
    configure)
        # continue below
        ;;
    abort-upgrade|abort-remove|abort-deconfigure)
        exit 0
        ;;
    *)
        printf >&2 "postinst called with unknown argument %s\n" "$1"
        exit 0
        ;;
esac

# handle ucf-conffiles

# ucf-helper-functions is part of ucf starting with bullseye
# we keep our own (identical) version for the time being to be
# backportable to buster.
. /usr/share/aide/ucf-helper-functions.sh
SRCDIR="/usr/share/$PKGNAME/config"
TRGDIR="/etc"

# added updating to 0.18-1
rm -rf /var/tmp/aide.cron.daily /var/tmp/aide.cron.daily.old.*

rm -f /var/lib/aide/aide.conf.autogenerated
if dpkg --compare-versions "$2" le "0.16-1"; then
    # we're updating from a version earlier than 0.16-1, rename DHCP conffiles
    rename_ucf_file /etc/aide/aide.conf.d/31_aide_dhcp3-client /etc/aide/aide.conf.d/31_aide_isc-dhcp-client 
    rename_ucf_file /etc/aide/aide.conf.d/31_aide_dhcp3-server /etc/aide/aide.conf.d/31_aide_isc-dhcp-server 
fi
handle_all_ucf_files $SRCDIR $TRGDIR

# in aide 0.17.2-1, the smokeping snippet has been made static
# instead of being a executable snippet. Remove x bits on an unchanged
# file
if [ "$(sha256sum /etc/aide/aide.conf.d/31_aide_smokeping)" = "99f11d04cf33318cef28cb71c252ee0f7b5c37e91893e813973ee120f301a5a7  /etc/aide/aide.conf.d/31_aide_smokeping" ]; then
    chmod 0644 /etc/aide/aide.conf.d/31_aide_smokeping
fi
if [ "$(sha256sum /etc/aide/aide.conf.d/31_aide_sudo)" = "9081189536ce23888827e6cd1f94884033fc5acb689bdf4083001e1ecd7a7e5a  /etc/aide/aide.conf.d/31_aide_sudo" ]; then
    chmod 0644 /etc/aide/aide.conf.d/31_aide_sudo
fi

db_get aide/aideinit
if [ "$RET" = "true" ]; then
	if [ -f "/var/lib/aide/aide.db.new" ]; then
		db_get aideinit/overwritenew
		if [ "$RET" = "true" ]; then
			aideinitflags="$aideinitflags -y"
		fi
	fi
	db_get aideinit/copynew
	if [ "$RET" = "true" ]; then
		aideinitflags="$aideinitflags -f"
	fi
	# borrowed this trick from man-db
	# just making sure it actually ends up in the background...
	start-stop-daemon --start --background --pidfile /dev/null \
	--startas /usr/sbin/aideinit -- $aideinitflags
	db_set aide/aideinit false
fi

# Automatically added by dh_installsysusers/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
   systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} aide-common.conf
fi
# End automatically added section
# Automatically added by dh_installtmpfiles/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -x "$(command -v systemd-tmpfiles)" ]; then
		systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create aide-common.conf >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	# The following line should be removed in trixie or trixie+1
	deb-systemd-helper unmask 'dailyaidecheck.timer' >/dev/null || true

	# was-enabled defaults to true, so new installations run enable.
	if deb-systemd-helper --quiet was-enabled 'dailyaidecheck.timer'; then
		# Enables the unit on first installation, creates new
		# symlinks on upgrades if the unit file has changed.
		deb-systemd-helper enable 'dailyaidecheck.timer' >/dev/null || true
	else
		# Update the statefile to add new symlinks (if any), which need to be
		# cleaned up on purge. Also remove old symlinks.
		deb-systemd-helper update-state 'dailyaidecheck.timer' >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			_dh_action=restart
		else
			_dh_action=start
		fi
		deb-systemd-invoke $_dh_action 'dailyaidecheck.service' 'dailyaidecheck.timer' >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	# The following line should be removed in trixie or trixie+1
	deb-systemd-helper unmask 'dailyaidecheck.timer' >/dev/null || true

	# was-enabled defaults to true, so new installations run enable.
	if deb-systemd-helper --quiet was-enabled 'dailyaidecheck.timer'; then
		# Enables the unit on first installation, creates new
		# symlinks on upgrades if the unit file has changed.
		deb-systemd-helper enable 'dailyaidecheck.timer' >/dev/null || true
	else
		# Update the statefile to add new symlinks (if any), which need to be
		# cleaned up on purge. Also remove old symlinks.
		deb-systemd-helper update-state 'dailyaidecheck.timer' >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			_dh_action=restart
		else
			_dh_action=start
		fi
		deb-systemd-invoke $_dh_action 'dailyaidecheck.service' 'dailyaidecheck.timer' >/dev/null || true
	fi
fi
# End automatically added section


# this needs to be after debhelper, otherwise the account doesn't
# yet exist.
if dpkg --compare-versions "$2" lt 0.17.5-1; then
    # we're updating from a version earlier than 0.17.5, chown logs
    # and databases
    chown --quiet _aide:adm /var/log/aide /var/log/aide/aide.log /var/log/aide/aide.log.* || true
    chmod --quiet 2755 /var/log/aide || true
    chown --quiet _aide:root /var/lib/aide/aide.db /var/lib/aide/aide.db.new || true
fi
if dpkg --compare-versions "$2" le 0.18.3-1; then
    # we're updating from 0.18.3-1 or earlier, chown aideinit logs
    chown --quiet _aide:adm /var/log/aide/aideinit.log /var/log/aide/aideinit.errors|| true
fi

exit 0

# vim:sw=4:sts=4:et:

)script";

// postgresql-common 248+deb12u2
const std::string k_postgresql_postinst = R"script(#!/bin/sh

set -e
[ "$DPKG_MAINTSCRIPT_PACKAGE" ] && . /usr/share/debconf/confmodule

SSL_ROOT=/etc/postgresql-common/root.crt

setup_createclusterconf ()
{
    [ "$DPKG_MAINTSCRIPT_PACKAGE" ] || return 0
    db_get postgresql-common/ssl
    case $RET in
        true) SSL=on ;;
        false) SSL=off ;;
        *) return ;;
    esac

    CCTEMPLATE="/usr/share/postgresql-common/createcluster.conf"
    CCTMP=`mktemp --tmpdir postgresql-common.XXXXXX`
    trap "rm -f $CCTMP" 0 2 3 15
    sed -e "s/^ssl =.*/ssl = $SSL/" $CCTEMPLATE > $CCTMP
    chmod 644 $CCTMP
    CCCONFIG="/etc/postgresql-common/createcluster.conf"
    ucf --debconf-ok $CCTMP $CCCONFIG
    ucfr postgresql-common $CCCONFIG
    rm -f $CCTMP
}

if [ "$1" = configure ]; then
    [ "$DPKG_MAINTSCRIPT_PACKAGE" ] && quiet="--quiet" # RedHat doesn't have this
    # Make sure the administrative user exists
    if ! getent passwd postgres > /dev/null; then
        adduser --system $quiet --home /var/lib/postgresql --no-create-home \
            --shell /bin/bash --group --gecos "PostgreSQL administrator" postgres
    fi
    # if the user was created manually, make sure the group is there as well
    if ! getent group postgres > /dev/null; then
        addgroup --system $quiet postgres
    fi
    # make sure postgres is in the postgres group
    if ! id -Gn postgres | grep -qw postgres; then
        adduser $quiet postgres postgres
    fi

    # check validity of postgres user and group
    if [ "`id -u postgres`" -eq 0 ]; then
        echo "The postgres system user must not have uid 0 (root).
Please fix this and reinstall this package." >&2
        exit 1
    fi
    if [ "`id -g postgres`" -eq 0 ]; then
        echo "The postgres system user must not have root as primary group.
Please fix this and reinstall this package." >&2
        exit 1
    fi

    # ensure home directory ownership
    mkdir -p /var/lib/postgresql
    su -s /bin/sh postgres -c "test -O /var/lib/postgresql &&
            test -G /var/lib/postgresql" || \
        chown postgres:postgres /var/lib/postgresql

    # config directory permissions
    chown postgres:postgres /etc/postgresql

    # nicer log directory permissions
    mkdir -p /var/log/postgresql
    chmod 1775 /var/log/postgresql
    chown root:postgres /var/log/postgresql

    # create socket directory
    [ -d /var/run/postgresql ] || \
       install -d -m 2775 -o postgres -g postgres /var/run/postgresql

    # create default dummy root.crt if not present
    if ! [ -e "$SSL_ROOT" ]; then
        cat > "$SSL_ROOT" <<EOF
This is a dummy root certificate file for PostgreSQL. To enable client side
authentication, add some certificates to it. Client certificates must be signed
with any certificate in this file to be accepted.

A reasonable choice is to just symlink this file to
/etc/ssl/certs/ssl-cert-snakeoil.pem; in this case, client certificates need to
be signed by the postgresql server certificate, which might be desirable in
many cases. See chapter "Server Setup and Operation" in the PostgreSQL
documentation for details (in package postgresql-doc-9.2).

  file:///usr/share/doc/postgresql-doc-9.2/html/ssl-tcp.html
EOF
    fi

    # Add postgres user to the ssl-cert group on fresh installs
    # if not already in the group
    if [ -z "$2" ]; then
        if getent group ssl-cert >/dev/null; then
            if ! id -Gn postgres 2> /dev/null | grep -qw ssl-cert; then
                adduser $quiet postgres ssl-cert
            fi
        fi
    fi

    if [ "$2" ]; then
        /usr/share/postgresql-common/run-upgrade-scripts "$2" || true
    fi

    /usr/share/postgresql-common/pg_checksystem || true

    # Create createcluster.conf from debconf
    setup_createclusterconf

    # Forget about ucf logrotate config handling
    if dpkg --compare-versions "$2" lt 183~; then
        LRCONFIG="/etc/logrotate.d/postgresql-common"
        ucf --purge $LRCONFIG
        ucfr --purge postgresql-common $LRCONFIG
    fi

    # Drop auto-generated conffile dropped in 215/229 + backups
    rm -f /etc/apt/apt.conf.d/01autoremove-postgresql*

    # Create tsearch dictionaries on first install
    if [ -z "$2" ]; then
        pg_updatedicts
    fi

    # Reload systemd (we don't restart services on install) (#932360, #950726)
    [ -d /run/systemd/system ] && systemctl --system daemon-reload >/dev/null || :

    # Provide keyring symlink for pgdg systems using the old pgdg.list format
    pgdg_list="/etc/apt/sources.list.d/pgdg.list"
    trusted_key="/etc/apt/trusted.gpg.d/apt.postgresql.org.gpg"
    pgdg_key="/usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg"
    if test -e $pgdg_list && ! test -e $trusted_key && ! grep -q signed-by $pgdg_list; then
        ln -sv $pgdg_key $trusted_key
    fi
fi

if [ "$1" = triggered ]; then
    pg_updatedicts || true
    db_stop
    exit 0  # skip daemon restart below
fi

[ "$DPKG_MAINTSCRIPT_PACKAGE" ] && db_stop

# Automatically added by dh_installtmpfiles/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -x "$(command -v systemd-tmpfiles)" ]; then
		systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create postgresql-common.conf >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installdeb/13.11.4
dpkg-maintscript-helper rm_conffile /etc/apt/apt.conf.d/01autoremove-postgresql 229\~ postgresql-common -- "$@"
# End automatically added section
# Automatically added by dh_installinit/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -z "${DPKG_ROOT:-}" ] && [ -x "/etc/init.d/postgresql" ]; then
		update-rc.d postgresql defaults 19 21 >/dev/null
		invoke-rc.d --skip-systemd-native postgresql start || exit 1
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	# The following line should be removed in trixie or trixie+1
	deb-systemd-helper unmask 'postgresql.service' >/dev/null || true

	# was-enabled defaults to true, so new installations run enable.
	if deb-systemd-helper --quiet was-enabled 'postgresql.service'; then
		# Enables the unit on first installation, creates new
		# symlinks on upgrades if the unit file has changed.
		deb-systemd-helper enable 'postgresql.service' >/dev/null || true
	else
		# Update the statefile to add new symlinks (if any), which need to be
		# cleaned up on purge. Also remove old symlinks.
		deb-systemd-helper update-state 'postgresql.service' >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		deb-systemd-invoke start 'postgresql.service' >/dev/null || true
	fi
fi
# End automatically added section


if [ "$1" = configure ]; then
    # update list of packages not to apt-autoremove (after dpkg-maintscript-helper possibly removed the old version)
    /usr/share/postgresql-common/pg_updateaptconfig
fi

exit 0
)script";

// ssl-cert 1.1.2
const std::string k_ssl_cert_postinst = R"script(#!/bin/sh

set -e

. /usr/share/debconf/confmodule

# Create the ssl-cert system group for snakeoil ownership:
if ! getent group ssl-cert >/dev/null; then
	addgroup --quiet --system --force-badname ssl-cert
fi

# no need to perform any check. If the certificates are there
# it will exit 0.
make-ssl-cert generate-default-snakeoil

# allow group ssl-cert to access /etc/ssl/private
if ! dpkg-statoverride --list /etc/ssl/private >/dev/null 2>&1
then
    dpkg-statoverride --update --add root ssl-cert 710 /etc/ssl/private
fi


)script";

std::string_view kind_name(ScriptChange::Kind kind) {
    switch (kind) {
    case ScriptChange::Kind::mode:
        return "mode";
    case ScriptChange::Kind::owner:
        return "owner";
    case ScriptChange::Kind::group:
        return "group";
    case ScriptChange::Kind::capabilities:
        return "capabilities";
    }
    return "?";
}

// One line per change: "LINE TOOL KIND PATH VALUE".
std::string describe(const std::vector<ScriptChange>& changes) {
    std::string out;
    for (const ScriptChange& c : changes) {
        out += std::to_string(c.line) + " " + std::string(tool_name(c.tool)) + " " +
               std::string(kind_name(c.kind)) + " " + c.path + " " + c.value + "\n";
    }
    return out;
}

std::string read_script(const std::string& text) {
    return describe(parse_script_metadata(text, "postinst"));
}

// A /bin/sh script: `body` starts on line 2.
std::string read_sh(const std::string& body) {
    return read_script("#!/bin/sh\n" + body);
}

// A mode as chmod(1) writes it in octal, or "none".
std::string octal(std::optional<std::uint32_t> mode) {
    if (!mode) {
        return "none";
    }
    char text[16];
    std::snprintf(text, sizeof text, "%#o", *mode);
    return text;
}

std::string repeat(std::string_view text, std::size_t n) {
    std::string out;
    out.reserve(text.size() * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += text;
    }
    return out;
}

} // namespace

class ScriptMetadataTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ScriptMetadataTest);
    CPPUNIT_TEST(testFusePostinstMakesFusermountSetuid);
    CPPUNIT_TEST(testCronPostinstExpandsCrondirForOwnerGroupAndMode);
    CPPUNIT_TEST(testGstreamerPostinstSetsCapabilitiesOrFallsBackToSetuid);
    CPPUNIT_TEST(testMultiarchPathFromDpkgArchitectureYieldsNothing);
    CPPUNIT_TEST(testPolkitdSetPermsCallsUseTheirLiteralArgumentsAndLines);
    CPPUNIT_TEST(testAidePostinstSkipsTheGlobOperandOnly);
    CPPUNIT_TEST(testPostgresqlPostinstSkipsHereDocumentAndTemporaryFile);
    CPPUNIT_TEST(testSslCertPostinstAddsAStatoverride);
    CPPUNIT_TEST(testChangesNameTheScript);
    CPPUNIT_TEST(testStatoverrideUpdateAddWithOptionsAndIds);
    CPPUNIT_TEST(testStatoverrideWithoutUpdateOrElsewhereYieldsNothing);
    CPPUNIT_TEST(testPositionalParameterAtTopLevelIsUnknown);
    CPPUNIT_TEST(testCommandSubstitutionIsUnknownAndNotSeen);
    CPPUNIT_TEST(testEnvironmentAndOperatorExpansionsAreUnknown);
    CPPUNIT_TEST(testRecursiveReferenceAndSymlinkFormsYieldNothing);
    CPPUNIT_TEST(testAbsoluteGlobOperandIsSkipped);
    CPPUNIT_TEST(testRelativeGlobYieldsNothingAtAll);
    CPPUNIT_TEST(testHereDocumentBodiesAreSkipped);
    CPPUNIT_TEST(testWhatMayRebindAToolYieldsNothing);
    CPPUNIT_TEST(testArgumentsAndCommentsAreNotCommands);
    CPPUNIT_TEST(testShCAndOtherCommandRunnersAreNotSeen);
    CPPUNIT_TEST(testReassignedVariableHasItsLastValue);
    CPPUNIT_TEST(testValueAssignedInABranchIsUnknownAfterIt);
    CPPUNIT_TEST(testLoopKnowsOnlyValuesOfTheSameIteration);
    CPPUNIT_TEST(testSubshellAndPipelineAssignmentsAreUnknownAfter);
    CPPUNIT_TEST(testUnquotedValueThatSplitsIsUnknown);
    CPPUNIT_TEST(testLineContinuationsKeepTheCommandsLine);
    CPPUNIT_TEST(testDoubleDashEndsOptions);
    CPPUNIT_TEST(testRelativeAndDotDotPathsYieldNothing);
    CPPUNIT_TEST(testChownOwnerGroupAndChgrp);
    CPPUNIT_TEST(testUnexpectedOptionsAndUmaskModesYieldNothing);
    CPPUNIT_TEST(testSetcapForms);
    CPPUNIT_TEST(testFunctionArgumentsBindPositionalParameters);
    CPPUNIT_TEST(testFunctionsThatCannotBeKnownAreNotRead);
    CPPUNIT_TEST(testFunctionNamedAfterAToolHidesIt);
    CPPUNIT_TEST(testCodeAfterExitOrReturnIsNotRead);
    CPPUNIT_TEST(testSourcingEvalReadAndArithmeticForgetValues);
    CPPUNIT_TEST(testAliasesMakeTheScriptUnreadable);
    CPPUNIT_TEST(testOtherInterpretersYieldNothing);
    CPPUNIT_TEST(testSyntaxErrorsYieldNothing);
    CPPUNIT_TEST(testEveryTruncationIsReadCleanly);
    CPPUNIT_TEST(testDeepNestingYieldsNothing);
    CPPUNIT_TEST(testResultIsCappedAtOneMebiChanges);
    CPPUNIT_TEST(testSelfDoublingVariableStaysBounded);
    CPPUNIT_TEST(testManyCallsOfALargeFunctionAreBudgeted);
    CPPUNIT_TEST(testOctalModes);
    CPPUNIT_TEST(testSymbolicModes);
    CPPUNIT_TEST(testDirectoryKeepsSetgidUnlessNamed);
    CPPUNIT_TEST(testInvalidAndUmaskDependentModes);
    CPPUNIT_TEST(testResultingModeOfStatoverrideIsExact);
    CPPUNIT_TEST(testCapabilityText);
    CPPUNIT_TEST(testCapabilityTextRefusals);
    CPPUNIT_TEST(testToolNames);
    CPPUNIT_TEST_SUITE_END();

public:
    // ---- real scripts

    void testFusePostinstMakesFusermountSetuid() {
        // Line 23 runs when no statoverride is registered; line 19 when /dev/cuse exists.
        CPPUNIT_ASSERT_EQUAL(std::string("19 chmod mode /dev/cuse 0600\n"
                                         "23 chmod mode /bin/fusermount 4755\n"),
                             read_script(k_fuse_postinst));
    }

    void testCronPostinstExpandsCrondirForOwnerGroupAndMode() {
        // crondir="/var/spool/cron" at the top; the loop's per-user chowns use values read
        // with stat and are not literal.
        CPPUNIT_ASSERT_EQUAL(std::string("19 chown owner /var/spool/cron/crontabs root\n"
                                         "19 chown group /var/spool/cron/crontabs crontab\n"
                                         "20 chmod mode /var/spool/cron/crontabs 1730\n"),
                             read_script(k_cron_postinst));
    }

    void testGstreamerPostinstSetsCapabilitiesOrFallsBackToSetuid() {
        const std::string helper =
            "/usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-ptp-helper";
        CPPUNIT_ASSERT_EQUAL("9 setcap capabilities " + helper +
                                 " cap_net_bind_service,cap_net_admin+ep\n"
                                 "13 chmod mode " +
                                 helper + " u+s\n17 chmod mode " + helper + " u+s\n",
                             read_script(k_gstreamer_postinst));
        const auto caps = parse_capability_text("cap_net_bind_service,cap_net_admin+ep");
        CPPUNIT_ASSERT(caps.has_value());
        // CAP_NET_BIND_SERVICE is 10, CAP_NET_ADMIN 12.
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{(1u << 10) | (1u << 12)}, caps->permitted);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, caps->inheritable);
        CPPUNIT_ASSERT(caps->effective);
    }

    void testMultiarchPathFromDpkgArchitectureYieldsNothing() {
        CPPUNIT_ASSERT_EQUAL(
            std::string(),
            read_sh(
                "ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)\n"
                "setcap cap_net_bind_service,cap_net_admin+ep "
                "/usr/lib/$ARCH/gstreamer1.0/gstreamer-1.0/gst-ptp-helper\n"
                "chmod u+s /usr/lib/`dpkg-architecture -qDEB_HOST_MULTIARCH`/gst-ptp-helper\n"));
        // The same path in a variable assigned literally is known.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /usr/lib/x86_64-linux-gnu/helper u+s\n"),
                             read_sh("ARCH=x86_64-linux-gnu\nchmod u+s /usr/lib/$ARCH/helper\n"));
    }

    void testPolkitdSetPermsCallsUseTheirLiteralArgumentsAndLines() {
        std::string expected;
        const std::vector<std::pair<std::string, std::string>> calls = {
            {"polkitd 700", "/etc/polkit-1/rules.d"},
            {"polkitd 700", "/usr/share/polkit-1/rules.d"},
            {"polkitd 700", "/var/lib/polkit-1"},
            {"root 4755", "/usr/lib/polkit-1/polkit-agent-helper-1"}};
        std::size_t line = 82;
        for (const auto& [owner_mode, path] : calls) {
            const std::string owner = owner_mode.substr(0, owner_mode.find(' '));
            const std::string mode = owner_mode.substr(owner_mode.find(' ') + 1);
            const std::string l = std::to_string(line++);
            expected += l + " chown owner " + path + " " + owner + "\n" + l + " chown group " +
                        path + " root\n" + l + " chmod mode " + path + " " + mode + "\n";
        }
        CPPUNIT_ASSERT_EQUAL(expected, read_script(k_polkitd_postinst));
    }

    void testAidePostinstSkipsTheGlobOperandOnly() {
        // Line 164's /var/log/aide/aide.log.* is a glob; its other operands are literal.
        CPPUNIT_ASSERT_EQUAL(
            std::string("60 chmod mode /etc/aide/aide.conf.d/31_aide_smokeping 0644\n"
                        "63 chmod mode /etc/aide/aide.conf.d/31_aide_sudo 0644\n"
                        "164 chown owner /var/log/aide _aide\n"
                        "164 chown group /var/log/aide adm\n"
                        "164 chown owner /var/log/aide/aide.log _aide\n"
                        "164 chown group /var/log/aide/aide.log adm\n"
                        "165 chmod mode /var/log/aide 2755\n"
                        "166 chown owner /var/lib/aide/aide.db _aide\n"
                        "166 chown group /var/lib/aide/aide.db root\n"
                        "166 chown owner /var/lib/aide/aide.db.new _aide\n"
                        "166 chown group /var/lib/aide/aide.db.new root\n"
                        "170 chown owner /var/log/aide/aideinit.log _aide\n"
                        "170 chown group /var/log/aide/aideinit.log adm\n"
                        "170 chown owner /var/log/aide/aideinit.errors _aide\n"
                        "170 chown group /var/log/aide/aideinit.errors adm\n"),
            read_script(k_aide_postinst));
    }

    void testPostgresqlPostinstSkipsHereDocumentAndTemporaryFile() {
        // Line 61 follows "|| \" on line 60; setup_createclusterconf's chmod 644 $CCTMP uses
        // mktemp's output; the here-document on lines 78-89 is text.
        CPPUNIT_ASSERT_EQUAL(std::string("61 chown owner /var/lib/postgresql postgres\n"
                                         "61 chown group /var/lib/postgresql postgres\n"
                                         "64 chown owner /etc/postgresql postgres\n"
                                         "64 chown group /etc/postgresql postgres\n"
                                         "68 chmod mode /var/log/postgresql 1775\n"
                                         "69 chown owner /var/log/postgresql root\n"
                                         "69 chown group /var/log/postgresql postgres\n"),
                             read_script(k_postgresql_postinst));
    }

    void testSslCertPostinstAddsAStatoverride() {
        const auto changes = parse_script_metadata(k_ssl_cert_postinst, "postinst");
        CPPUNIT_ASSERT_EQUAL(std::string("19 dpkg-statoverride owner /etc/ssl/private root\n"
                                         "19 dpkg-statoverride group /etc/ssl/private ssl-cert\n"
                                         "19 dpkg-statoverride mode /etc/ssl/private 710\n"),
                             describe(changes));
        CPPUNIT_ASSERT_EQUAL(std::string("0710"),
                             octal(resulting_mode(changes[2], 02755, EntryType::directory)));
    }

    void testChangesNameTheScript() {
        const auto changes = parse_script_metadata("chmod 755 /x\n", "preinst");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, changes.size());
        CPPUNIT_ASSERT_EQUAL(std::string("preinst"), changes[0].script);
        CPPUNIT_ASSERT(changes[0] ==
                       (ScriptChange{ScriptChange::Kind::mode, ScriptChange::Tool::chmod, "/x",
                                     "755", "preinst", 1}));
    }

    // ---- dpkg-statoverride

    void testStatoverrideUpdateAddWithOptionsAndIds() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("2 dpkg-statoverride owner /usr/bin/x polkitd\n"
                        "2 dpkg-statoverride group /usr/bin/x root\n"
                        "2 dpkg-statoverride mode /usr/bin/x 4755\n"),
            read_sh("dpkg-statoverride --update --add polkitd root 4755 /usr/bin/x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 dpkg-statoverride owner /x #0\n"
                                         "2 dpkg-statoverride group /x #42\n"
                                         "2 dpkg-statoverride mode /x 02750\n"),
                             read_sh("dpkg-statoverride --quiet --force --add --update '#0' "
                                     "\\#42 02750 /x/ || true\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 dpkg-statoverride owner /x root\n"
                                         "2 dpkg-statoverride group /x staff\n"
                                         "2 dpkg-statoverride mode /x 750\n"),
                             read_sh("dpkg-statoverride --force-statoverride-add --update --add "
                                     "-- root staff 750 /x\n"));
    }

    void testStatoverrideWithoutUpdateOrElsewhereYieldsNothing() {
        for (const std::string body : {
                 "dpkg-statoverride --add root root 4755 /x\n",       // applied only later
                 "dpkg-statoverride --update --add root root 4755\n", // three operands
                 "dpkg-statoverride --update --add root root 4755 /x /y\n",
                 "dpkg-statoverride --root /target --update --add root root 4755 /x\n",
                 "dpkg-statoverride --admindir=/a --update --add root root 4755 /x\n",
                 "dpkg-statoverride --update --add root root 0999 /x\n",
                 "dpkg-statoverride --update --add root root u+s /x\n",
                 "dpkg-statoverride --update --add root root 17777 /x\n",
                 "dpkg-statoverride --update --add '#x' root 755 /x\n",
                 "dpkg-statoverride --update --add root root 755 x\n",
                 "dpkg-statoverride root root 755 /x --update --add\n", // operands end options
                 "dpkg-statoverride --update --add --add root root 755 /x\n",
                 "dpkg-statoverride --list /x\n",
                 "dpkg-statoverride --update --add \"$U\" root 755 /x\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
    }

    // ---- expansions

    void testPositionalParameterAtTopLevelIsUnknown() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod $1 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755 \"$2\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=$1\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755 \"$@\"\n"));
    }

    void testCommandSubstitutionIsUnknownAndNotSeen() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod \"$(cat f)\" /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod `cat f` /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=$(cat f)\nchmod 755 \"$X\"\n"));
        // What runs inside $(...) is not seen, but parsed: the case inside does not end it.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /y 700\n"),
                             read_sh("x=$(chmod 4755 /x; case a in a) echo ;; esac)\n"
                                     "chmod 700 /y\n"));
    }

    void testEnvironmentAndOperatorExpansionsAreUnknown() {
        for (const std::string body : {
                 "chmod 755 $HOME/x\n",
                 "chmod 755 \"${DPKG_ROOT}/x\"\n",
                 "chmod 755 ${X:-/x}\n",
                 "X=/a\nchmod 755 ${X%/a}/b\n",
                 "chmod 755 ~/x\n",
                 "X=~/x\nchmod 755 \"$X\"\n",
                 "chmod 755 /x$$\n",
                 "chmod 755 $'/x'\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /a/b 755\n"),
                             read_sh("X=/a\nchmod 755 ${X}/b\n"));
    }

    void testRecursiveReferenceAndSymlinkFormsYieldNothing() {
        // chmod -R changes a whole tree: what it set below /x is not known here.
        for (const std::string body : {
                 "chmod -R 755 /x\n",
                 "chmod 755 /x -R\n", // GNU getopt reads options after operands too
                 "chmod --recursive 755 /x\n",
                 "chmod --reference=/a /x\n",
                 "chown -R root:root /x\n",
                 "chown -h root /x\n",
                 "chown --from=a root /x\n",
                 "chgrp -R staff /x\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
    }

    void testAbsoluteGlobOperandIsSkipped() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 4755 /x*\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /y 4755\n"),
                             read_sh("chmod 4755 /y /x* /z? /w[ab]\n"));
        // bash's brace expansion makes two paths; sh's one: skipped either way.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755 /etc/{a,b}\n"));
        // Quoted, a '*' is a character of the name.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x* 755\n"), read_sh("chmod 755 '/x*'\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /x* 755\n"),
                             read_sh("X='/x*'\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X='/x*'\nchmod 755 $X\n"));
        // '[' alone is no pattern: the test command is just a command.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /a 755\n"),
                             read_sh("X=/a\n[ -d /a ] && chmod 755 $X\n"));
    }

    void testRelativeGlobYieldsNothingAtAll() {
        // A file called "-R" in the working directory would make it recursive.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755 /y *\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chown root /y *.conf\n"));
    }

    void testWhatMayRebindAToolYieldsNothing() {
        // eval can define an alias or a function, hash -p rebinds a name, PATH chooses what
        // "chmod" runs; a single quote in "${x#...}" is read differently by dash and bash.
        for (const char* script : {"eval \"alias chmod=:\"\nchmod 4755 /x\n",
                                   "eval \"chmod() { :; }\"\nchmod 4755 /x\n",
                                   "hash -p /bin/true chmod\nchmod 4755 /x\n",
                                   "PATH=/nonexistent\nchmod 4755 /x\n",
                                   "export PATH=/opt/fake:$PATH\nchmod 4755 /x\n",
                                   "x=a\necho \"${x#'}\"\nchmod 4755 /x\necho \"'}\"\n"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(script, std::string(), read_sh(script));
        }
        // MYPATH= is another variable.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /x 4755\n"),
                             read_sh("MYPATH=/opt\nchmod 4755 /x\n"));
    }

    void testHereDocumentBodiesAreSkipped() {
        CPPUNIT_ASSERT_EQUAL(std::string("7 chmod mode /after 700\n"),
                             read_sh("cat > /etc/x.sh <<EOF\n"
                                     "chmod 4755 /x\n"
                                     "dpkg-statoverride --update --add root root 4755 /x\n"
                                     " EOF\n"
                                     "EOF\n"
                                     "chmod 700 /after\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("6 chmod mode /after 700\n"),
                             read_sh("if true; then\n"
                                     "\tcat <<-'END' | sh\n"
                                     "\t\tchmod 4755 /x\n"
                                     "\tEND\n"
                                     "fi; chmod 700 /after\n"));
        // Two documents on one line, read in turn; a command after them on the same line.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /a 711\n7 chmod mode /b 700\n"),
                             read_sh("cat <<A; cat <<\"B\"; chmod 711 /a\n"
                                     "chmod 4755 /x\nA\n"
                                     "chmod 4755 /y\nB\n"
                                     "chmod 700 /b\n"));
        // In an unquoted body bash joins a line ending in a backslash to the next, so "EOF"
        // below does not end it for bash, but does for dash: the script yields nothing.
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("cat <<EOF\nx \\\nEOF\nchmod 4755 /x\nEOF\nchmod 700 /c\n"));
        // Without its delimiter a body runs to the end.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("cat <<EOF\nchmod 4755 /x\n"));
    }

    void testArgumentsAndCommentsAreNotCommands() {
        for (const std::string body : {
                 "echo chmod 4755 /x\n",
                 "# chmod 4755 /x\n",
                 "true # chmod 4755 /x\n",
                 "X='chmod 4755 /x'\n",
                 "printf 'chmod 4755 /x\\n' >> /etc/rc.local\n",
                 "echo \"\n  chmod 4755 /x\n\"\n",
                 "test -x /bin/chmod && echo ok\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        // '#' inside a word starts no comment.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /a#b 755\n"), read_sh("chmod 755 /a#b\n"));
        // The tool through its path.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 755\n"), read_sh("/bin/chmod 755 /x\n"));
    }

    void testShCAndOtherCommandRunnersAreNotSeen() {
        for (const std::string body : {
                 "sh -c 'chmod 4755 /x'\n",
                 "su -s /bin/sh root -c \"chmod 4755 /x\"\n",
                 "find /x -exec chmod 4755 {} +\n",
                 "echo /x | xargs chmod 4755\n",
                 "eval chmod 4755 /x\n",
                 "command chmod 4755 /x\n",
                 "trap 'chmod 4755 /x' EXIT\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
    }

    // ---- variables

    void testReassignedVariableHasItsLastValue() {
        CPPUNIT_ASSERT_EQUAL(std::string("4 chmod mode /b 755\n"),
                             read_sh("X=/a\nX=/b\nchmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /a/b 755\n"),
                             read_sh("D=/a F=$D/b; chmod 755 \"$F\"\n"));
        // A prefix assignment lasts for its command only, and is not what $X expands to.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=/b chmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=/a\nX=/b true\nchmod 755 $X\n"));
    }

    void testValueAssignedInABranchIsUnknownAfterIt() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("if [ -e /a ]; then X=/a; fi\nchmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("X=/b\nif [ -e /a ]; then X=/a; fi\nchmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=/b\n[ -e /a ] && X=/a\nchmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("case \"$1\" in configure) X=/a ;; esac\nchmod 755 $X\n"));
        // Never the other branch's value.
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("X=/a\nif [ -e /a ]; then X=/b; else chmod 755 $X; fi\n"));
        // Inside the branch, after the assignment, the value is known.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /a 755\n"),
                             read_sh("if [ -e /a ]; then X=/a; chmod 755 $X; fi\n"));
        // Assigned before the branch, known inside it and after it.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /a 755\n4 chmod mode /a 700\n"),
                             read_sh("X=/a\nif [ -e /a ]; then chmod 755 $X; fi\n"
                                     "chmod 700 $X\n"));
    }

    void testLoopKnowsOnlyValuesOfTheSameIteration() {
        // The second iteration sees /b.
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("X=/a\nfor i in 1 2; do chmod 755 $X; X=/b; done\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("X=/a\nwhile read l; do chmod 755 \"$X\"; done < /f\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /c 755\n"),
                             read_sh("for i in 1; do X=/c; chmod 755 \"$X\"; done\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("for f in /a /b; do chmod 755 \"$f\"; done\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("while false; do X=/d; done\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("f=/a\nfor f in /b; do :; done\nchmod 755 \"$f\"\n"));
    }

    void testSubshellAndPipelineAssignmentsAreUnknownAfter() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("(X=/a)\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=/a | cat\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("{ X=/a; } | cat\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X=/a &\nchmod 755 \"$X\"\n"));
        // A subshell sees the values before it.
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /a 755\n"),
                             read_sh("X=/a\n( chmod 755 \"$X\" )\n"));
    }

    void testUnquotedValueThatSplitsIsUnknown() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("X='/a /b'\nchmod 755 $X\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /a /b 755\n"),
                             read_sh("X='/a /b'\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("IFS=/\nX=/a\nchmod 755 $X\n"));
        // An empty unquoted expansion removes the word.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("M=\nchmod $M 755 /x\n"));
    }

    // ---- commands

    void testLineContinuationsKeepTheCommandsLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 4755\n6 chmod mode /y 700\n"),
                             read_sh("chmod \\\n  47\\\n55 \\\n  /x\nchmod 700 /y\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chown owner /x root\n"),
                             read_sh("true || \\\n  chown root /x\n"));
    }

    void testDoubleDashEndsOptions() {
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 0755\n"), read_sh("chmod 0755 -- /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 0755\n"), read_sh("chmod -- 0755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 755\n"),
                             read_sh("chmod -fv --quiet 755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown owner /-R root\n"),
                             read_sh("chown root -- /-R\n"));
    }

    void testRelativeAndDotDotPathsYieldNothing() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755 x ./y ../z /a/../b\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /usr/bin/x 755\n2 chmod mode / 755\n"),
                             read_sh("chmod 755 //usr/./bin//x/ /.\n"));
    }

    void testChownOwnerGroupAndChgrp() {
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown owner /x root\n"), read_sh("chown root /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chgrp group /x staff\n"), read_sh("chgrp staff /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown group /x staff\n"), read_sh("chown :staff /x\n"));
        // "root:" gives root's login group, which the script does not name.
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown owner /x root\n"), read_sh("chown root: /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown owner /x 0\n2 chown group /x 0\n"),
                             read_sh("chown 0:0 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chown owner /a u\n2 chown group /a g\n"
                                         "2 chown owner /b u\n2 chown group /b g\n"),
                             read_sh("chown -c u:g /a /b\n"));
        // A user "root.staff" or root and group staff: the accounts decide.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chown root.staff /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chown : /x\n"));
    }

    void testUnexpectedOptionsAndUmaskModesYieldNothing() {
        for (const std::string body : {
                 "chmod -w /x\n", // a mode to GNU chmod, and one that depends on the umask
                 "chmod +x /x\n",
                 "chmod =r /x\n",
                 "chmod -Z 755 /x\n",
                 "chmod --quie 755 /x\n", // an abbreviation getopt accepts, but not read here
                 "chmod 755\n",
                 "chmod 0758 /x\n",
                 "chmod u+q /x\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x a+x\n"), read_sh("chmod a+x /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x =755\n"), read_sh("chmod =755 /x\n"));
    }

    void testSetcapForms() {
        CPPUNIT_ASSERT_EQUAL(std::string("2 setcap capabilities /x cap_net_raw+p\n"),
                             read_sh("setcap -q cap_net_raw+p /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 setcap capabilities /x cap_net_raw+ep\n"
                                         "2 setcap capabilities /y cap_chown=eip\n"),
                             read_sh("/sbin/setcap cap_net_raw+ep /x -q cap_chown=eip /y\n"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("2 setcap capabilities /bin/ip cap_dac_override,cap_sys_admin=ep\n"),
            read_sh("setcap \"cap_dac_override,cap_sys_admin=ep\" /bin/ip\n"));
        for (const std::string body : {
                 "setcap -v cap_net_raw+p /x\n", // compares only
                 "setcap -r /x\n",
                 "setcap -n 1000 cap_net_raw+p /x\n",
                 "setcap - /x\n",
                 "setcap cap_net_raw+p\n",
                 "setcap all=ep /x\n",
                 "setcap cap_nosuch+ep /x\n",
                 "setcap cap_net_raw+p /x cap_bogus+p /y\n",
                 "setcap cap_net_raw+p /x*\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
    }

    // ---- functions

    void testFunctionArgumentsBindPositionalParameters() {
        const std::string define = "fix() {\n"
                                   "    MODE=$2\n"
                                   "    chmod \"$MODE\" \"$1\"\n"
                                   "    chown \"$3\" \"$1\"\n"
                                   "}\n";
        // Line 7 and 8: the calls'.
        CPPUNIT_ASSERT_EQUAL(std::string("7 chmod mode /a 700\n7 chown owner /a root\n"
                                         "8 chmod mode /b 4755\n8 chown owner /b daemon\n"),
                             read_sh(define + "fix /a 700 root\nfix /b 4755 daemon\n"));
        // A quoted unknown argument is one field: only $1 is unknown.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh(define + "fix \"$P\" 700 root\n"));
        // An unquoted one may be any number of fields: every later parameter is unknown.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh(define + "fix /a $M root\n"));
        // shift and set -- change them.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("f() { shift; chmod 755 \"$1\"; }\nf /a /b\n"));
        // A function never called changes nothing; its body's lines are not calls.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("f() { chmod 4755 /x; }\n"));
        // Its body sees the values of the time of the call.
        CPPUNIT_ASSERT_EQUAL(std::string("4 chmod mode /d 755\n"),
                             read_sh("f() { chmod 755 \"$D\"; }\nD=/d\nf\n"));
    }

    void testFunctionsThatCannotBeKnownAreNotRead() {
        for (const std::string body : {
                 // Two definitions: which one a call runs depends on the path taken.
                 "f() { chmod 4755 /x; }\nf() { chmod 755 /x; }\nf\n",
                 // Defined in a branch that may not have run.
                 "if [ -e /a ]; then f() { chmod 4755 /x; }; fi\nf\n",
                 // Calls from a function's body are not followed.
                 "g() { chmod 4755 /x; }\nf() { g; }\nf\n",
                 // A call before the definition runs something else.
                 "f\nf() { chmod 4755 /x; }\n",
                 // Removed.
                 "f() { chmod 4755 /x; }\nunset -f f\nf\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        // What a call assigns is unknown after it.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("f() { X=/b; }\nX=/a\nf\nchmod 755 \"$X\"\n"));
        // What it forgets stays forgotten: a call from its body, read, eval; and a function
        // whose body is not read may do anything.
        for (const std::string body : {
                 "g() { :; }\nf() { g; }\nX=/a\nf\nchmod 755 \"$X\"\n",
                 "f() { read X; }\nX=/a\nf\nchmod 755 \"$X\"\n",
                 "f() { eval \"$1\"; }\nX=/a\nf 'X=/b'\nchmod 755 \"$X\"\n",
                 "f() { :; }\nf() { :; }\nX=/a\nf\nchmod 755 \"$X\"\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        // The other values hold after a call whose body was read: dbus's postinst sets the
        // launch helper's statoverride after a call that assigns nothing.
        CPPUNIT_ASSERT_EQUAL(std::string("5 chmod mode /a 755\n"),
                             read_sh("f() { echo hi; }\nX=/a\nf\nchmod 755 \"$X\"\n"));
        const std::string dbus =
            "set -e\n"
            "MESSAGEUSER=messagebus\n"
            "LAUNCHER=/usr/lib/dbus-1.0/dbus-daemon-launch-helper\n"
            "reload_dbus_config() {\n"
            "    [ -S /var/run/dbus/system_bus_socket ] || return 0\n"
            "    dbus-send --print-reply --system --type=method_call \\\n"
            "        --dest=org.freedesktop.DBus / org.freedesktop.DBus.ReloadConfig > /dev/null || true\n"
            "}\n"
            "if [ \"$1\" = triggered ]; then\n"
            "    reload_dbus_config\n"
            "    exit 0\n"
            "fi\n"
            "if [ \"$1\" = configure ]; then\n"
            "    if ! dpkg-statoverride --list \"$LAUNCHER\" >/dev/null; then\n"
            "        dpkg-statoverride --update --add root \"$MESSAGEUSER\" 4754 \"$LAUNCHER\"\n"
            "    fi\n"
            "fi\n";
        CPPUNIT_ASSERT_EQUAL(
            std::string("16 dpkg-statoverride owner /usr/lib/dbus-1.0/dbus-daemon-launch-helper root\n"
                        "16 dpkg-statoverride group /usr/lib/dbus-1.0/dbus-daemon-launch-helper messagebus\n"
                        "16 dpkg-statoverride mode /usr/lib/dbus-1.0/dbus-daemon-launch-helper 4754\n"),
            read_sh(dbus));
    }

    void testFunctionNamedAfterAToolHidesIt() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod() { :; }\nchmod 4755 /x\n"));
        // Even when defined later: a loop or a function may call it after the definition.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 4755 /x\nchmod() { :; }\n"));
    }

    void testCodeAfterExitOrReturnIsNotRead() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("exit 0\nchmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /x 4755\n"),
                             read_sh("if [ \"$1\" != configure ]; then exit 0; fi\n"
                                     "chmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /z 755\n"),
                             read_sh("f() { return 0; chmod 4755 /y; }\nf; chmod 755 /z\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("3 chmod mode /x 4755\n"),
                             read_sh("case \"$1\" in *) echo; exit 1 ;; esac\n"
                                     "chmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /z 755\n"),
                             read_sh("(exit 1); chmod 755 /z\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("for i in 1; do break; chmod 4755 /x; done\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("f() { exit 1; }\nf\nchmod 4755 /x\n"));
    }

    void testSourcingEvalReadAndArithmeticForgetValues() {
        for (const std::string body : {
                 "X=/a\n. /usr/share/debconf/confmodule\nchmod 755 \"$X\"\n",
                 "X=/a\neval \"$CMD\"\nchmod 755 \"$X\"\n",
                 "X=/a\nread X < /f\nchmod 755 \"$X\"\n",
                 "X=/a\nunset X\nchmod 755 \"$X\"\n",
                 "X=/a\n: $((Y = 1))\nchmod 755 \"$X\"\n",
                 "X=/a\n: ${X:=/b}\nchmod 755 \"$X\"\n",
                 "X=/a\ncat <<EOF; chmod 755 \"$X\"\n$((X = 1))\nEOF\n",
                 // Once a file is sourced, any command may be a function it defined.
                 ". /usr/share/debconf/confmodule\nX=/a\ndb_get foo\nchmod 755 \"$X\"\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("4 chmod mode /a 755\n"),
                             read_sh("X=/a\ndb_get foo\nchmod 755 \"$X\"\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("4 chmod mode /a 755\n"),
                             read_sh("export X=/a\nreadonly Y\nchmod 755 \"$X\"\n"));
    }

    void testAliasesMakeTheScriptUnreadable() {
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("chmod 755 /a\nalias chmod=echo\nchmod 4755 /x\n"));
    }

    void testOtherInterpretersYieldNothing() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_script("#!/usr/bin/perl -w\nchmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_script("#!/usr/bin/python3\nchmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 4755\n"),
                             read_script("#!/bin/bash -e\nchmod 4755 /x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("2 chmod mode /x 4755\n"),
                             read_script("#! /usr/bin/env sh\nchmod 4755 /x\n"));
        // Without "#!", execvp(3) runs the script with /bin/sh.
        CPPUNIT_ASSERT_EQUAL(std::string("1 chmod mode /x 4755\n"), read_script("chmod 4755 /x\n"));
    }

    void testSyntaxErrorsYieldNothing() {
        for (const std::string body : {
                 "chmod 4755 /x\nif true; then\n",
                 "chmod 4755 /x\necho 'unterminated\n",
                 "chmod 4755 /x\nfi\n",
                 "chmod 4755 /x\necho $(\n",
                 "chmod 4755 /x\n;;\n",
                 "chmod 4755 /x\n[[ $a =~ (x) ]]\n",
             }) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string(), read_sh(body));
        }
    }

    // ---- hostile input

    void testEveryTruncationIsReadCleanly() {
        // Cut inside a quote, a here-document, a function or a word: never an exception.
        for (std::size_t size = 0; size <= k_polkitd_postinst.size(); ++size) {
            CPPUNIT_ASSERT_NO_THROW(parse_script_metadata(
                std::string_view(k_polkitd_postinst).substr(0, size), "postinst"));
        }
    }

    void testDeepNestingYieldsNothing() {
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh(repeat("if true; then\n", 100000)));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh(repeat("{ ", 1000000)));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("echo " + repeat("$(", 100000)));
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("echo \"" + repeat("${x:-\"", 100000)));
        // Nesting any script has is read.
        CPPUNIT_ASSERT_EQUAL(
            std::string("2 chmod mode /x 755\n"),
            read_sh(repeat("if true; then ", 50) + "chmod 755 /x" + repeat("; fi", 50) + "\n"));
    }

    void testResultIsCappedAtOneMebiChanges() {
        const std::string command = "chmod 755" + repeat(" /a", 4000) + "\n";
        const auto changes =
            parse_script_metadata("#!/bin/sh\n" + repeat(command, 263), "postinst");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1} << 20, changes.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{264}, changes.back().line);
        // A command too long to keep is not read.
        CPPUNIT_ASSERT_EQUAL(std::string(), read_sh("chmod 755" + repeat(" /a", 5000) + "\n"));
    }

    void testSelfDoublingVariableStaysBounded() {
        // Each line doubles $X: without a limit the values grow as 2^200.
        CPPUNIT_ASSERT_EQUAL(std::string(),
                             read_sh("X=aaaaaaaa\n" + repeat("X=$X$X\n", 200) + "chmod 755 /$X\n"));
    }

    void testManyCallsOfALargeFunctionAreBudgeted() {
        // Reading the body at each of 100000 calls would read 30 GB; calls beyond a budget
        // proportional to the script are not followed.
        const std::string script =
            "#!/bin/sh\nf() {\n" + repeat("chmod 755 /a\n", 20000) + "}\n" + repeat("f\n", 100000);
        const auto changes = parse_script_metadata(script, "postinst");
        CPPUNIT_ASSERT(!changes.empty());
        CPPUNIT_ASSERT(changes.size() <= 20000 * (4 * script.size() / 260000 + 1));
    }

    // ---- modes

    void testOctalModes() {
        CPPUNIT_ASSERT_EQUAL(std::string("04755"),
                             octal(apply_chmod_mode("4755", 0644, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("0755", 04755, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("01730"),
                             octal(apply_chmod_mode("01730", 0700, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0"), octal(apply_chmod_mode("0", 0777, EntryType::file)));
        // After an operator: exact, even on a directory.
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("=755", 02755, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("-6000", 06755, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("04755"),
                             octal(apply_chmod_mode("+4000", 0755, EntryType::file)));
    }

    void testSymbolicModes() {
        CPPUNIT_ASSERT_EQUAL(std::string("04755"),
                             octal(apply_chmod_mode("u+s", 0755, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("g-w", 0775, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("u=rwx,go=rx", 0600, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("06755"),
                             octal(apply_chmod_mode("u+s,g+s", 0755, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("01777"),
                             octal(apply_chmod_mode("a=rwxt", 0, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0640"),
                             octal(apply_chmod_mode("o=", 0644, EntryType::file)));
        // X: execute only for directories and what some execute bit already marks.
        CPPUNIT_ASSERT_EQUAL(std::string("0644"),
                             octal(apply_chmod_mode("a+X", 0644, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("a+X", 0744, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("a+X", 0644, EntryType::directory)));
        // Copying another class's bits.
        CPPUNIT_ASSERT_EQUAL(std::string("0550"),
                             octal(apply_chmod_mode("u=g", 0750, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("0777"),
                             octal(apply_chmod_mode("go+u", 0700, EntryType::file)));
        // Several operations in one clause.
        CPPUNIT_ASSERT_EQUAL(std::string("0604"),
                             octal(apply_chmod_mode("g=w-w,o+r", 0620, EntryType::file)));
    }

    void testDirectoryKeepsSetgidUnlessNamed() {
        // GNU chmod: fewer than five octal digits and symbolic modes that do not name the bits
        // keep a directory's setuid and setgid.
        CPPUNIT_ASSERT_EQUAL(std::string("02755"),
                             octal(apply_chmod_mode("755", 02700, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("755", 02700, EntryType::file)));
        CPPUNIT_ASSERT_EQUAL(std::string("06755"),
                             octal(apply_chmod_mode("4755", 02000, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("00755", 06700, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("02755"),
                             octal(apply_chmod_mode("u=rwx,go=rx", 02700, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("06755"),
                             octal(apply_chmod_mode("u+s", 02755, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("0755"),
                             octal(apply_chmod_mode("g-s", 02755, EntryType::directory)));
        CPPUNIT_ASSERT_EQUAL(std::string("03755"), octal(apply_chmod_mode("a=rwx,go-w,o+t", 02755,
                                                                          EntryType::directory)));
    }

    void testInvalidAndUmaskDependentModes() {
        for (const std::string_view mode : std::initializer_list<std::string_view>{
                 "", "8", "0758", "77777", "u", "u+q", "u+x,", ",u+x", "abc", "u=755", "4755x",
                 "+x", "-w", "=r", "u+x,+w", "+u"}) {
            CPPUNIT_ASSERT_MESSAGE(std::string(mode),
                                   !apply_chmod_mode(mode, 0644, EntryType::file).has_value());
        }
    }

    void testResultingModeOfStatoverrideIsExact() {
        ScriptChange change{ScriptChange::Kind::mode,
                            ScriptChange::Tool::dpkg_statoverride,
                            "/x",
                            "4755",
                            "postinst",
                            1};
        // dpkg calls chmod(2): a directory's setgid is not kept.
        CPPUNIT_ASSERT_EQUAL(std::string("04755"),
                             octal(resulting_mode(change, 02000, EntryType::directory)));
        change.tool = ScriptChange::Tool::chmod;
        CPPUNIT_ASSERT_EQUAL(std::string("06755"),
                             octal(resulting_mode(change, 02000, EntryType::directory)));
        change.kind = ScriptChange::Kind::owner;
        CPPUNIT_ASSERT(!resulting_mode(change, 0, EntryType::file).has_value());
    }

    // ---- capabilities

    void testCapabilityText() {
        const auto caps = parse_capability_text("cap_setuid,CAP_SETGID=ip cap_setgid-i 21+p");
        CPPUNIT_ASSERT(caps.has_value());
        // CAP_SETGID 6, CAP_SETUID 7, CAP_SYS_ADMIN 21.
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{(1u << 6) | (1u << 7) | (1u << 21)}, caps->permitted);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1u << 7}, caps->inheritable);
        CPPUNIT_ASSERT(!caps->effective);
        CPPUNIT_ASSERT(parse_capability_text("cap_chown+eip") == (FileCapabilities{1, 1, true}));
        CPPUNIT_ASSERT(parse_capability_text("cap_checkpoint_restore=ep") ==
                       (FileCapabilities{std::uint64_t{1} << 40, 0, true}));
        CPPUNIT_ASSERT(parse_capability_text("") == (FileCapabilities{}));
        CPPUNIT_ASSERT(parse_capability_text("cap_kill=p cap_kill-p") == (FileCapabilities{}));
    }

    void testCapabilityTextRefusals() {
        for (const std::string_view text : std::initializer_list<std::string_view>{
                 "all=ep", "=ep", "cap_chown,all+p", "ALL+p", "cap_nosuch+p", "cap_chown",
                 "cap_chown+x", "+ep", "cap_chown+e", "cap_chown+p cap_kill+ep", "64+p",
                 std::string_view("cap_chown\0+p", 12)}) {
            CPPUNIT_ASSERT_MESSAGE(std::string(text), !parse_capability_text(text).has_value());
        }
    }

    void testToolNames() {
        CPPUNIT_ASSERT_EQUAL(std::string_view("chmod"), tool_name(ScriptChange::Tool::chmod));
        CPPUNIT_ASSERT_EQUAL(std::string_view("chown"), tool_name(ScriptChange::Tool::chown));
        CPPUNIT_ASSERT_EQUAL(std::string_view("chgrp"), tool_name(ScriptChange::Tool::chgrp));
        CPPUNIT_ASSERT_EQUAL(std::string_view("setcap"), tool_name(ScriptChange::Tool::setcap));
        CPPUNIT_ASSERT_EQUAL(std::string_view("dpkg-statoverride"),
                             tool_name(ScriptChange::Tool::dpkg_statoverride));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ScriptMetadataTest, "unit.script_metadata");
