#!/bin/sh
# The stream compactrace reads from a binary trace must equal the stream its
# text parsers read from what trace-cmd report / perf script print for it.
# Usage: equal.sh CT_BIN_COMPARE SAMPLE [v6|v7-none|stdin]
#   v6, v7-none: first convert the trace.dat with trace-cmd convert
#   stdin: feed the binary file through a pipe ("-")
# Exit: 0 equal, 1 differ, 77 the tool that prints the text is missing.
set -u
cmp=$1
sample=$2
variant=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

bin=$sample
case $sample in
*.perf.data)
	command -v perf >/dev/null 2>&1 || { echo "perf not installed"; exit 77; }
	# -G: no callchains; --show-lost-events: the text shows lost records too
	perf script -i "$sample" -G --show-lost-events >"$tmp/text" 2>"$tmp/err" ||
		{ cat "$tmp/err"; exit 1; }
	;;
*)
	command -v trace-cmd >/dev/null 2>&1 || { echo "trace-cmd not installed"; exit 77; }
	case $variant in
	v6) trace-cmd convert -i "$sample" --file-version 6 --compression none -o "$tmp/bin.dat" \
		>"$tmp/err" 2>&1 || { cat "$tmp/err"; exit 1; }
	    bin=$tmp/bin.dat ;;
	v7-none) trace-cmd convert -i "$sample" --file-version 7 --compression none -o "$tmp/bin.dat" \
		>"$tmp/err" 2>&1 || { cat "$tmp/err"; exit 1; }
	    bin=$tmp/bin.dat ;;
	esac
	trace-cmd report "$bin" >"$tmp/text" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
	;;
esac
if [ "$variant" = stdin ]; then
	cat "$bin" | "$cmp" - "$tmp/text"
else
	"$cmp" "$bin" "$tmp/text"
fi
