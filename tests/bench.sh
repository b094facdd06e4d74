#!/bin/sh
# `make bench`: the CLI against the simulated modem at an emulated 115200
# baud, then at 1,000,000 baud.
#
#   sh tests/bench.sh BUILD
#
# Each step (write a 2 KB PEM, list, read it back) is one whole CLI process,
# timed from start to exit, with the simulator restarted on the same store
# for every step so that its --stats give that step's bytes. The wire-time
# lower bound of a step is (rx_bytes + tx_bytes) x 10 / baud (8N1: ten bit
# times per byte). Prints a table per baud rate and the ratio wall/bound for
# the whole; the targets are <= 1.15 for the whole at 115200 and <= 1.3 for
# the 2 KB write at 1 Mbaud, where the process's own start-up weighs most.
# The steps run three times at 115200 and ten times at 1 Mbaud, and the
# fastest run of each counts: on a shared machine a single run (20 ms at
# 1 Mbaud) is at the mercy of the scheduler. A measurement: it fails only
# when a step fails.
set -u

. "$(dirname "$0")/simctl.sh"
resolve_build "$(dirname "$0")/.." "${1:-}"
MC="$BUILD/modemcred"
SIM="$BUILD/modemsim"

# The simulator rewrites its store file after every change (a new file,
# then rename). On a busy ext4 /tmp, creating that inode alone took
# milliseconds (ext4's search past recently deleted inodes), which is the
# host's file system, not the CLI nor a modem: the store lives in tmpfs
# (/dev/shm) when there is one. TMPDIR still wins when set.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_TMP=/dev/shm
else BENCH_TMP="${TMPDIR:-/tmp}"; fi
DIR=$(mktemp -d "$BENCH_TMP/mcbench.XXXXXX") || exit 1
sim_cleanup_trap "$DIR"

die() { echo "bench: $*" >&2; exit 1; }

# start_sim BAUD
start_sim() {
	rm -f "$DIR/stats"
	sim_start "$DIR/modem" "$DIR/sim.log" --store "$DIR/store" --baud "$1" --stats "$DIR/stats" ||
		{ cat "$DIR/sim.log" >&2; die "modemsim did not start"; }
}

stat_of() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$DIR/stats"; }

[ -x "$MC" ] && [ -x "$SIM" ] || die "build first: make"

# a real certificate of about 2 KB (a 4096-bit RSA key, a few names):
# write checks that the file is one, and that check is part of what it costs
openssl req -x509 -newkey rsa:4096 -nodes -keyout "$DIR/cert.key" -out "$DIR/cert.pem" \
	-subj "/C=FI/O=Bench Oy/CN=bench.example.com" -days 30 \
	-addext "subjectAltName=DNS:one.bench.example.com,DNS:two.bench.example.com,DNS:three.bench.example.com" \
	>/dev/null 2>&1 || die "openssl could not make the certificate"
size=$(wc -c <"$DIR/cert.pem")

command -v bash >/dev/null 2>&1 || die "bash is needed (its time keyword times each process to the millisecond)"
HAVE_TIME=0
[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 && HAVE_TIME=1

# timed_cli NAME args...: run the CLI once against the running simulator; the
# wall time of the process alone (fork to exit, bash's `time`: no wrapper's
# start-up counted) goes to $DIR/wall, its peak RSS (with HAVE_TIME) to $DIR/rss.
timed_cli() {
	name="$1"; shift
	set -- bash -c 'TIMEFORMAT=%3R; { time "$@" >"$OUT" 2>"$ERR"; } 2>"$WALL"' sh "$MC" -p "$DIR/modem" "$@"
	[ "$HAVE_TIME" = 0 ] || set -- /usr/bin/time -f %M -o "$DIR/rss" "$@"
	OUT="$DIR/out.$name" ERR="$DIR/err.$name" WALL="$DIR/wall" timeout -k 3 60 "$@"
}

# step BAUD NAME args...: time one CLI process against a fresh simulator;
# appends "name bytes commands wall" to ROWS
peak_rss=0
ROWS=""
step() {
	baud="$1" name="$2"; shift 2
	start_sim "$baud"
	rc=0
	timed_cli "$name" "$@" || rc=$?
	sim_stop
	[ "$rc" -eq 0 ] || { cat "$DIR/err.$name" >&2; die "step $name failed with exit $rc"; }
	[ -f "$DIR/stats" ] || die "modemsim wrote no --stats file"
	rx=$(stat_of rx_bytes) tx=$(stat_of tx_bytes) cmds=$(stat_of commands)
	[ -n "$rx" ] && [ -n "$tx" ] || die "no rx_bytes/tx_bytes in the stats: $(cat "$DIR/stats")"
	wall=$(cat "$DIR/wall")
	rss=""
	if [ "$HAVE_TIME" = 1 ]; then rss=$(tail -n 1 "$DIR/rss"); fi
	[ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
	ROWS="$ROWS$name $((rx + tx)) ${cmds:-?} $wall
"
}

# bench BAUD RUNS TARGET JUDGED: the three steps RUNS times at BAUD (the
# fastest run of each step counts), then the table and the ratio of JUDGED
# (a step, or total) against TARGET
bench() {
	baud="$1" runs="$2" target="$3" judged="$4"
	ROWS=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		step "$baud" write write --tag 1000 --type ca "$DIR/cert.pem"
		step "$baud" list list
		step "$baud" read read --tag 1000 --type ca -o "$DIR/back.pem"
		cmp -s "$DIR/back.pem" "$DIR/cert.pem" || die "read back differs from the written PEM"
		i=$((i + 1))
	done
	echo
	echo "modemcred bench: $size-byte PEM, emulated $baud baud 8N1 (10 bit times per byte)" \
		"$([ "$runs" -gt 1 ] && echo "fastest of $runs runs")"
	echo
	printf '%-8s %14s %9s %12s %12s %8s\n' step "bytes on wire" commands "wall (s)" "bound (s)" ratio
	printf '%-8s %14s %9s %12s %12s %8s\n' -------- -------------- --------- ------------ ------------ --------
	printf '%s' "$ROWS" | awk -v baud="$baud" -v target="$target" -v judged="$judged" '
		!($1 in wall) { order[++n] = $1; bytes[$1] = $2; cmds[$1] = $3; wall[$1] = $4 }
		$4 < wall[$1] { wall[$1] = $4 }
		END {
			for (i = 1; i <= n; i++) {
				s = order[i]; bound = bytes[s] * 10 / baud
				printf "%-8s %14d %9s %12.3f %12.3f %8.2f\n", s, bytes[s], cmds[s], wall[s], bound, wall[s] / bound
				tb += bytes[s]; tw += wall[s]
			}
			bytes["total"] = tb; wall["total"] = tw
			printf "%-8s %14d %9s %12.3f %12.3f %8.2f\n", "total", tb, "", tw, tb * 10 / baud, tw / (tb * 10 / baud)
			bound = bytes[judged] * 10 / baud; r = wall[judged] / bound
			printf "\n%s at %d baud, whole CLI processes: %.3f s against a wire-time bound of %.3f s: ratio %.2f (target <= %s: %s)\n",
				judged, baud, wall[judged], bound, r, target, (r <= target ? "met" : "NOT met")
		}'
}

bench 115200 3 1.15 total
# At 1 Mbaud a process's start-up (~3 ms) outweighs a short step's wire time
# (list: 4 ms), so the target is the 2 KB write's.
bench 1000000 10 1.3 write

if [ "$HAVE_TIME" = 0 ]; then
	# no /usr/bin/time: sample the peak from /proc while a list runs
	start_sim 115200
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

echo
if [ "$peak_rss" -gt 0 ]; then
	echo "peak RSS of the CLI: $peak_rss KiB"
else
	echo "peak RSS of the CLI: not measured"
fi
