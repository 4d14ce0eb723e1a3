#!/usr/bin/perl
# debhelper sequence addon: "dh $@ --with pkgdesc" or Build-Depends: dh-sequence-pkgdesc.
# dh_pkgdesc_metadata adds its postinst snippet before dh_installdeb assembles the maintainer
# scripts (and its ${misc:Depends} before dh_gencontrol); dh_pkgdesc runs once every file and
# control member is final: after dh_md5sums, before dh_builddeb.

use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

insert_before('dh_installdeb', 'dh_pkgdesc_metadata');
insert_after('dh_md5sums', 'dh_pkgdesc');

1;
