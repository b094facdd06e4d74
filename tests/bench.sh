#!/bin/sh
# `make bench`: the CLI against the simulated modem at an emulated 115200 baud.
#
#   sh tests/bench.sh BUILD
#
# Each step (write a 2 KB PEM, list, read it back) is one whole CLI process,
# timed from start to exit, with the simulator restarted on the same store
# for every step so that its --stats give that step's bytes. The wire-time
# lower bound of a step is (rx_bytes + tx_bytes) x 10 / 115200 (8N1: ten bit
# times per byte). Prints a table and the ratio wall/bound for the whole;
# the target is <= 1.15. A measurement: it fails only when a step fails.
set -u

BAUD=115200
. "$(dirname "$0")/simctl.sh"
resolve_build "$(dirname "$0")/.." "${1:-}"
MC="$BUILD/modemcred"
SIM="$BUILD/modemsim"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/mcbench.XXXXXX") || exit 1
sim_cleanup_trap "$DIR"

die() { echo "bench: $*" >&2; exit 1; }

start_sim() {
	rm -f "$DIR/stats"
	sim_start "$DIR/modem" "$DIR/sim.log" --store "$DIR/store" --baud "$BAUD" --stats "$DIR/stats" ||
		{ cat "$DIR/sim.log" >&2; die "modemsim did not start"; }
}

stat_of() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$DIR/stats"; }

[ -x "$MC" ] && [ -x "$SIM" ] || die "build first: make"

# a 2 KB PEM (about 2048 bytes)
{
	echo "-----BEGIN CERTIFICATE-----"
	head -c 1475 /dev/urandom | base64 -w 64
	echo "-----END CERTIFICATE-----"
} >"$DIR/cert.pem"
size=$(wc -c <"$DIR/cert.pem")

HAVE_TIME=0
[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 && HAVE_TIME=1

# step NAME args...: time one CLI process against a fresh simulator
tot_bytes=0 tot_wall=0 peak_rss=0
ROWS=""
step() {
	name="$1"; shift
	start_sim
	t0=$(date +%s.%N)
	rc=0
	if [ "$HAVE_TIME" = 1 ]; then
		timeout -k 3 60 /usr/bin/time -f %M -o "$DIR/rss" "$MC" -p "$DIR/modem" "$@" \
			>"$DIR/out.$name" 2>"$DIR/err.$name" || rc=$?
	else
		timeout -k 3 60 "$MC" -p "$DIR/modem" "$@" >"$DIR/out.$name" 2>"$DIR/err.$name" || rc=$?
	fi
	t1=$(date +%s.%N)
	sim_stop
	[ "$rc" -eq 0 ] || { cat "$DIR/err.$name" >&2; die "step $name failed with exit $rc"; }
	[ -f "$DIR/stats" ] || die "modemsim wrote no --stats file"
	rx=$(stat_of rx_bytes) tx=$(stat_of tx_bytes) cmds=$(stat_of commands)
	[ -n "$rx" ] && [ -n "$tx" ] || die "no rx_bytes/tx_bytes in the stats: $(cat "$DIR/stats")"
	bytes=$((rx + tx))
	rss=""
	if [ "$HAVE_TIME" = 1 ]; then rss=$(tail -n 1 "$DIR/rss"); fi
	[ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
	ROWS="$ROWS$name $bytes ${cmds:-?} $t0 $t1
"
	tot_bytes=$((tot_bytes + bytes))
	tot_wall=$(awk -v a="$tot_wall" -v b="$t0" -v c="$t1" 'BEGIN { printf "%.6f", a + c - b }')
}

step write write --tag 1000 --type ca "$DIR/cert.pem"
step list list
step read read --tag 1000 --type ca -o "$DIR/back.pem"
cmp -s "$DIR/back.pem" "$DIR/cert.pem" || die "read back differs from the written PEM"

if [ "$HAVE_TIME" = 0 ]; then
	# no /usr/bin/time: sample the peak from /proc while a list runs
	start_sim
	"$MC" -p "$DIR/modem" list >/dev/null 2>&1 &
	p=$!
	while [ -r "/proc/$p/status" ]; do
		v=$(sed -n 's/^VmHWM: *\([0-9]*\).*/\1/p' "/proc/$p/status" 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$peak_rss" ] && peak_rss=$v
		sleep 0.01
	done
	wait "$p" 2>/dev/null
	sim_stop
fi

echo "modemcred bench: $size-byte PEM, emulated $BAUD baud 8N1 (10 bit times per byte)"
echo
printf '%-8s %14s %9s %12s %12s %8s\n' step "bytes on wire" commands "wall (s)" "bound (s)" ratio
printf '%-8s %14s %9s %12s %12s %8s\n' -------- -------------- --------- ------------ ------------ --------
echo "$ROWS" | while read -r name bytes cmds t0 t1; do
	[ -n "$name" ] || continue
	awk -v n="$name" -v b="$bytes" -v c="$cmds" -v t0="$t0" -v t1="$t1" -v baud="$BAUD" 'BEGIN {
		w = t1 - t0; bound = b * 10 / baud
		printf "%-8s %14d %9s %12.3f %12.3f %8.2f\n", n, b, c, w, bound, (bound > 0 ? w / bound : 0)
	}'
done
awk -v b="$tot_bytes" -v w="$tot_wall" -v baud="$BAUD" 'BEGIN {
	bound = b * 10 / baud; r = (bound > 0 ? w / bound : 0)
	printf "%-8s %14d %9s %12.3f %12.3f %8.2f\n", "total", b, "", w, bound, r
	printf "\nwhole CLI processes: %.3f s against a wire-time bound of %.3f s: ratio %.2f (target <= 1.15: %s)\n",
		w, bound, r, (r <= 1.15 ? "met" : "NOT met")
}'
if [ "$peak_rss" -gt 0 ]; then
	echo "peak RSS of the CLI: $peak_rss KiB"
else
	echo "peak RSS of the CLI: not measured"
fi
