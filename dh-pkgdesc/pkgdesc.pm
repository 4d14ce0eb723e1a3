#!/usr/bin/perl
# debhelper sequence addon: "dh $@ --with pkgdesc" or Build-Depends: dh-sequence-pkgdesc.
# Runs dh_pkgdesc once every file and control member is final: after dh_md5sums, before
# dh_builddeb.

use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

insert_after('dh_md5sums', 'dh_pkgdesc');

1;
