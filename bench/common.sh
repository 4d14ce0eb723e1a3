# Shared by the benchmarks (sourced).

# select_installed_debs DEBDIR: sets debs (the .deb files of DEBDIR whose Package, Version and
# Architecture, read with dpkg-deb -f, equal those of an installed "ii" package, one per
# package) and P (those packages' dpkg names, sorted); exits 2 when there is none.
select_installed_debs() {
  local debdir=$1 st bin pkg ver arch d base fields key
  declare -A installed names chosen
  while read -r st bin pkg ver arch; do
    [ "$st" = ii ] || continue
    installed["$pkg $ver $arch"]=$bin; names[$pkg]=1
  done < <(dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package} ${Package} ${Version} ${Architecture}\n')
  shopt -s nullglob
  all=("$debdir"/*.deb)
  shopt -u nullglob
  [ ${#all[@]} -gt 0 ] || { echo "$(basename "$0"): no .deb in $debdir" >&2; exit 2; }
  debs=()
  for d in "${all[@]}"; do
    base=${d##*/}
    # apt names its files NAME_VERSION_ARCH.deb: skip the ones whose NAME is not installed at
    # all without opening them; everything else is decided on the fields inside (versions are
    # %3a-encoded in the file names).
    if [[ $base == *_*_*.deb ]] && [ -z "${names[${base%%_*}]+x}" ]; then continue; fi
    fields=$(dpkg-deb -f "$d" Package Version Architecture 2>/dev/null) || continue
    pkg=$(sed -n 's/^Package: //p' <<< "$fields")
    ver=$(sed -n 's/^Version: //p' <<< "$fields")
    arch=$(sed -n 's/^Architecture: //p' <<< "$fields")
    key="$pkg $ver $arch"
    [ -n "${installed[$key]+x}" ] && [ -z "${chosen[$key]+x}" ] || continue
    chosen[$key]=${installed[$key]}; debs+=("$d")
  done
  [ ${#debs[@]} -gt 0 ] || {
    echo "$(basename "$0"): no .deb in $debdir matches an installed package" >&2; exit 2; }
  mapfile -t P < <(printf '%s\n' "${chosen[@]}" | LC_ALL=C sort)
}

# median: the median of the numbers on standard input (one per line or space separated).
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$3" -v op="$2" \
  'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print ok ? "met" : "MISSED" }'; }
