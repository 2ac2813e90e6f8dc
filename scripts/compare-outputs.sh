#!/usr/bin/env bash
# Compares two folders written by reference-outputs.sh file by file. Fields meant to vary
# (wall time) are masked in meta.json and report.html; report.html is compared with white space collapsed,
# since it comes from templates. Prints each file that differs and exits 1 if any does.
set -uo pipefail
a=$1 b=$2 status=0
mask() {
    case "$1" in
        *.json) sed -E 's/"(wall_time_seconds)": *[0-9.e+-]+/"\1": 0/g' "$1" ;;
        # The report shows the wall time and the hash of meta.json, which holds it.
        *.html) tr -s ' \t\n' '   ' <"$1" | sed -E 's/> </></g; s/>[0-9.]+ s<\/dd>/>T s<\/dd>/g; s/[0-9a-f]{64}/HASH/g' ;;
        *) cat "$1" ;;
    esac
}
diff <(cd "$a" && find . -type f -not -path "./in/*" | sort) <(cd "$b" && find . -type f -not -path "./in/*" | sort) || status=1
while read -r f; do
    [ -f "$b/$f" ] || continue
    if ! cmp -s <(mask "$a/$f") <(mask "$b/$f"); then
        echo "differs: $f"
        status=1
    fi
done < <(cd "$a" && find . -type f -not -path "./in/*" | sort)
[ $status = 0 ] && echo "all $(cd "$a" && find . -type f -not -path "./in/*" | wc -l) files identical"
exit $status
