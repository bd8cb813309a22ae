# Sourced by shell tests. start_server NAME CMD... runs CMD in the
# background with its stdout on a FIFO, reads it until the "listening on URL"
# line, and sets $url and ${NAME}_pid (the pid is also added to the array
# pids). There is no deadline: it waits for that line or for the end of the
# program's output (it exited), however slowly a loaded machine runs it;
# ctest's TIMEOUT bounds a program that hangs. The FIFO stays open for
# reading, so a later line cannot kill the server with SIGPIPE. Needs $tmp
# (a scratch directory) and the array pids.
start_server() {
	local name=$1 fifo line fd
	shift
	fifo=$tmp/$name.stdout
	rm -f "$fifo"
	mkfifo "$fifo"
	"$@" >"$fifo" 2>"$tmp/$name.err" &
	pids+=($!)
	printf -v "${name}_pid" %s "$!"
	exec {fd}<"$fifo"
	url=
	while IFS= read -r line <&"$fd"; do
		case $line in
		*"listening on "*)
			url=${line##*listening on }
			break
			;;
		esac
	done
	if [ -z "$url" ]; then
		echo "FAIL: $name ($1) ended before it printed 'listening on':" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	fi
}
