#!/usr/bin/env bash
# Local Neo4j 5.26 Community for development and tests, without Docker.
#
#   tools/neo4j/neo4j.sh start [key=value ...]   start (idempotent); last stdout line: NEO4J_URI=bolt://127.0.0.1:PORT
#   tools/neo4j/neo4j.sh stop                    SIGTERM, then SIGKILL after 60 s; ok if not running
#   tools/neo4j/neo4j.sh status                  exit 0 and print the URI if running and answering Bolt
#   tools/neo4j/neo4j.sh uri                     print bolt://127.0.0.1:PORT for the configured port
#   tools/neo4j/neo4j.sh fetch                   download the jars (Maven) if missing or pom.xml changed
#   tools/neo4j/neo4j.sh fetch-apoc              download APOC Core (apoc/pom.xml) into target/plugins and
#                                                print its path, for NEO4J_LOCAL_PLUGINS (only `make bench`)
#
# Environment:
#   NEO4J_LOCAL_HOME       data, conf, logs, neo4j.pid, neo4j.log    (default: <repo>/.neo4j)
#   NEO4J_LOCAL_PORT       Bolt port on 127.0.0.1                   (default: 7687)
#   NEO4J_LOCAL_HEAP       JVM heap (-Xmx)                          (default: 1g)
#   NEO4J_LOCAL_PAGECACHE  server.memory.pagecache.size             (default: 256m)
#   NEO4J_LOCAL_START_TIMEOUT  seconds to wait for readiness        (default: 180)
#   NEO4J_LOCAL_PLUGINS    a folder of plugin jars (fetch-apoc prints one) that start puts on the class path and
#                          names as server.directories.plugins (embedded Neo4j registers APOC's extensions only
#                          from the class path); default: none
#   NEO4J_LOCAL_CDS        1: record a JVM class-data-sharing archive once per fetch (about 15 s), which
#                          makes every start about 40% faster; 0: don't (default: 1)
#   JAVA_HOME              a JDK 17..21 (Neo4j 5.26); otherwise java on PATH or /usr/lib/jvm/* is tried
#
# Authentication is disabled and Bolt listens on loopback only: for local development and tests.
# Instances with different NEO4J_LOCAL_HOME and NEO4J_LOCAL_PORT can run side by side.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
TARGET=$SCRIPT_DIR/target
LIB=$TARGET/lib                   # the jars (mvn package)
STAMP=$TARGET/pom.sha256          # hash of the pom.xml that LIB was fetched for
LAUNCHER_JAR=$TARGET/launcher.jar # Neo4jLauncher.java compiled once: saves about 2 s of javac per start
CDS=$TARGET/neo4j.jsa             # class-data-sharing archive of the classes a start loads

NEO4J_HOME_DIR=${NEO4J_LOCAL_HOME:-$REPO_ROOT/.neo4j}
PORT=${NEO4J_LOCAL_PORT:-7687}
HEAP=${NEO4J_LOCAL_HEAP:-1g}
PAGECACHE=${NEO4J_LOCAL_PAGECACHE:-256m}
START_TIMEOUT=${NEO4J_LOCAL_START_TIMEOUT:-180}
USE_CDS=${NEO4J_LOCAL_CDS:-1}
PLUGINS=${NEO4J_LOCAL_PLUGINS:-}
STOP_TIMEOUT=60

say() { echo "neo4j.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "NEO4J_LOCAL_PORT must be a TCP port, got '$PORT'"
URI=bolt://127.0.0.1:$PORT

# abs_home: absolute home path (the launcher's command line carries it: that is how its process is
# recognised), pid file and log.
abs_home() {
	mkdir -p "$NEO4J_HOME_DIR"
	NEO4J_HOME_DIR=$(cd "$NEO4J_HOME_DIR" && pwd -P)
	PIDFILE=$NEO4J_HOME_DIR/neo4j.pid
	LOG=$NEO4J_HOME_DIR/neo4j.log
}

now_ms() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); else echo $(($(date +%s) * 1000)); fi
}
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }

# with_timeout SECONDS CMD...: timeout(1) when available.
with_timeout() {
	local t=$1; shift
	if command -v timeout >/dev/null; then timeout "$t" "$@"; else "$@"; fi
}

# port_open: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	with_timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null
}

# bolt_answers: a Bolt server completes the handshake on 127.0.0.1:PORT (proposes 5.0-5.7 and 4.4;
# the reply is 00 00 MINOR MAJOR). Something else on the port fails this check.
bolt_answers() {
	local reply
	reply=$(with_timeout 5 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "\x60\x60\xb0\x17\x00\x07\x07\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
		head -c 4 <&3 | od -An -tx1' _ "$PORT" 2>/dev/null) || return 1
	reply=${reply//[[:space:]]/}
	[[ ${#reply} -eq 8 && ${reply:0:4} == 0000 && $reply != 00000000 ]]
}

# is_ours PID: PID is a live launcher JVM for this home (guards against recycled pids and zombies).
is_ours() {
	local pid=$1 args
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
	if [[ -r /proc/$pid/cmdline ]]; then
		args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	else
		args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
	fi
	[[ $args == *Neo4jLauncher* && $args == *" $NEO4J_HOME_DIR "* ]]
}

# live_pid: our running launcher's pid, from the pid file or, if that is missing or stale, found among
# the running processes (then the pid file is rewritten); empty if none.
live_pid() {
	local pid="" p=""
	[[ -f $PIDFILE ]] && read -r pid <"$PIDFILE" 2>/dev/null || true
	if [[ -n $pid ]] && is_ours "$pid"; then echo "$pid"; return 0; fi
	if [[ -d /proc/self ]]; then
		for p in $(grep -las Neo4jLauncher /proc/[0-9]*/cmdline | cut -d/ -f3); do
			is_ours "$p" && break
			p=""
		done
	else
		for p in $(ps -eo pid=,args= 2>/dev/null | awk '/Neo4jLauncher/ {print $1}'); do
			is_ours "$p" && break
			p=""
		done
	fi
	if [[ -n $p ]]; then
		echo "$p" >"$PIDFILE"
		echo "$p"
	fi
}

# lock FD FILE: serialise start/stop (fd 8, per home) and fetch (fd 9) with flock(1) when available.
# The JVM is started with both fds closed, so it never holds a lock.
lock() {
	command -v flock >/dev/null || return 0
	eval "exec $1>\"\$2\""
	flock -w 600 "$1" || die "could not lock $2 within 600 s"
}
unlock() { eval "exec $1>&-" || true; }

# java_major BIN: the feature version (8, 11, 17, 21, 25...) of a java binary, or nothing.
java_major() {
	local v
	v=$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
	v=${v#1.}
	echo "${v%%[.+-]*}"
}

# pick_java: sets JAVA (and JDK_HOME, JAVA_VERSION) to a JDK 17..21 with javac.
pick_java() {
	local c m seen="" candidates=()
	[[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin/java")
	command -v java >/dev/null && candidates+=("$(command -v java)")
	candidates+=(/usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/*17*/bin/java /usr/lib/jvm/java-21-openjdk-*/bin/java /usr/lib/jvm/*21*/bin/java)
	for c in "${candidates[@]}"; do
		[[ -x $c ]] || continue
		c=$(readlink -f "$c")
		m=$(java_major "$c")
		seen+="${seen:+,} $c (Java ${m:-?})"
		if [[ $m =~ ^[0-9]+$ ]] && ((m >= 17 && m <= 21)) && [[ -x $(dirname "$c")/javac ]]; then
			JAVA=$c
			JDK_HOME=$(dirname "$(dirname "$c")")
			JAVA_VERSION=$("$c" -version 2>&1 | head -n 1)
			if [[ -n ${JAVA_HOME:-} && $(readlink -f "$JAVA_HOME") != "$JDK_HOME" ]]; then
				say "JAVA_HOME=$JAVA_HOME is not a JDK 17..21; using $JDK_HOME for Neo4j 5.26"
			fi
			return 0
		fi
	done
	die "Neo4j 5.26 needs a JDK 17..21 (with javac); found:${seen:- no java}. Fix: apt-get install openjdk-17-jdk-headless, or set JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"
}

# jvm_flags: sets JVM, the launcher's JVM options (the CDS archive is recorded with the same ones).
jvm_flags() {
	JVM=(
		-Xmx"$HEAP" -XX:+UseG1GC
		-XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2 # small, shared machines
		-XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow
		--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
		--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
		-Dio.netty.tryReflectionSetAccessible=true -Djdk.nio.maxCachedBufferSize=1024
		-Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8
	)
}

pom_hash() {
	if command -v sha256sum >/dev/null; then sha256sum "$SCRIPT_DIR/pom.xml"; else shasum -a 256 "$SCRIPT_DIR/pom.xml"; fi | cut -d' ' -f1
}

jars_present() { compgen -G "$LIB/neo4j-kernel-*.jar" >/dev/null; }

# compile_launcher: (re)build LAUNCHER_JAR when missing or older than the source or the jars.
# Runs under the fetch lock; the jar is replaced atomically, so concurrent starts are safe.
compile_launcher() {
	local src=$SCRIPT_DIR/Neo4jLauncher.java bin tmp
	[[ -f $LAUNCHER_JAR && $LAUNCHER_JAR -nt $src && ! $LIB -nt $LAUNCHER_JAR ]] && return 0
	bin=$(dirname "$JAVA")
	tmp=$(mktemp -d "$TARGET/launcher.XXXXXX")
	if ! "$bin/javac" -nowarn -d "$tmp/classes" -cp "$LIB/*" "$src" >&2 ||
		! "$bin/jar" cf "$tmp/launcher.jar" -C "$tmp/classes" .; then
		rm -rf "$tmp"
		die "compiling $src failed"
	fi
	mv -f "$tmp/launcher.jar" "$LAUNCHER_JAR"
	rm -rf "$tmp"
}

# cds_current: the archive exists, is newer than the launcher jar (rebuilt with every fetch) and was
# recorded by this JVM. A stale archive would be harmless (the JVM ignores it) but gives no speed-up.
cds_current() {
	[[ -f $CDS && -f $CDS.java && $CDS -nt $LAUNCHER_JAR && $(<"$CDS.java") == "$JAVA $JAVA_VERSION" ]]
}

# build_cds: record the classes that a start loads, with one throw-away start on a temporary home and
# Bolt port 0 (-XX:ArchiveClassesAtExit). On failure Neo4j simply starts without the archive.
build_cds() {
	[[ $USE_CDS == 1 ]] || return 0
	cds_current && return 0
	local tmp t0 rc=0
	t0=$(now_ms)
	say "recording a class-data-sharing archive for faster starts (once per fetch, about 15 s)..."
	tmp=$(mktemp -d "$TARGET/cds.XXXXXX")
	jvm_flags
	with_timeout 300 "$JAVA" "${JVM[@]}" -XX:ArchiveClassesAtExit="$tmp/neo4j.jsa" -Xlog:cds=error \
		-Dneo4j.launcher.exitWhenReady=true -cp "$LAUNCHER_JAR:$LIB/*" \
		Neo4jLauncher "$tmp/home" 0 server.memory.pagecache.size=32m </dev/null >"$tmp/log" 2>&1 || rc=$?
	if ((rc == 0)) && [[ -s $tmp/neo4j.jsa ]]; then
		mv -f "$tmp/neo4j.jsa" "$CDS" # running JVMs keep the old file mapped
		echo "$JAVA $JAVA_VERSION" >"$CDS.java"
		say "archive recorded in $(secs_since "$t0") s"
	else
		cp -f "$tmp/log" "$TARGET/cds-failed.log" || true
		say "could not record the archive (exit $rc, see $TARGET/cds-failed.log); starting without it"
	fi
	rm -rf "$tmp"
}

cmd_fetch() {
	mkdir -p "$TARGET"
	lock 9 "$TARGET/fetch.lock"
	pick_java
	local hash t0
	hash=$(pom_hash)
	if ! jars_present || [[ ! -f $STAMP || $(<"$STAMP") != "$hash" ]]; then
		command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) to download Neo4j into $LIB"
		say "downloading Neo4j jars with Maven into $LIB (about 120 MB the first time)..."
		t0=$(now_ms)
		# pom.xml changed since the last fetch: drop the old jars so no other version stays on the class path.
		[[ -f $STAMP ]] && rm -rf "$LIB" "$STAMP"
		# (Maven 3.8 prints colour codes even in batch mode: strip them)
		JAVA_HOME=$JDK_HOME mvn -B -q -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" package </dev/null 2>&1 |
			sed $'s/\e\\[[0-9;]*m//g' >&2 || die "mvn -f $SCRIPT_DIR/pom.xml package failed"
		jars_present || die "Maven ran but $LIB has no Neo4j jars"
		echo "$hash" >"$STAMP"
		say "fetched $(find "$LIB" -name '*.jar' | wc -l | tr -d ' ') jars in $(secs_since "$t0") s"
	fi
	compile_launcher
	build_cds
	unlock 9
}

# cmd_fetch_apoc: APOC Core and its libraries into PLUGINS (Maven, apoc/pom.xml), once per pom change;
# prints PLUGINS. Separate from cmd_fetch so that run, test and CI never download it.
cmd_fetch_apoc() {
	local plugins=$TARGET/plugins stamp=$TARGET/plugins.sha256 pom=$SCRIPT_DIR/apoc/pom.xml hash
	mkdir -p "$TARGET"
	lock 9 "$TARGET/fetch.lock"
	pick_java
	hash=$(if command -v sha256sum >/dev/null; then sha256sum "$pom"; else shasum -a 256 "$pom"; fi | cut -d' ' -f1)
	if ! compgen -G "$plugins/apoc-core-*.jar" >/dev/null || [[ ! -f $stamp || $(<"$stamp") != "$hash" ]]; then
		command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) to download APOC into $plugins"
		say "downloading APOC Core with Maven into $plugins..."
		rm -rf "$plugins" "$stamp"
		JAVA_HOME=$JDK_HOME mvn -B -q -Dstyle.color=never -f "$pom" package </dev/null 2>&1 |
			sed $'s/\e\\[[0-9;]*m//g' >&2 || die "mvn -f $pom package failed"
		compgen -G "$plugins/apoc-core-*.jar" >/dev/null || die "Maven ran but $plugins has no apoc-core jar"
		echo "$hash" >"$stamp"
	fi
	unlock 9
	echo "$plugins"
}

print_log_tail() {
	say "last lines of $LOG:"
	tail -n 40 "$LOG" >&2 || true
	[[ -f $NEO4J_HOME_DIR/logs/debug.log ]] && say "more in $NEO4J_HOME_DIR/logs/debug.log"
	return 0
}

# wait_ready PID T0: until NEO4J_READY is logged and Bolt answers; fails if PID exits or on timeout.
wait_ready() {
	local pid=$1 t0=$2 deadline=$((SECONDS + START_TIMEOUT))
	while :; do
		if ! is_ours "$pid"; then
			rm -f "$PIDFILE"
			say "neo4j (pid $pid) exited during start-up"
			print_log_tail
			exit 1
		fi
		if grep -q NEO4J_READY "$LOG" 2>/dev/null && bolt_answers; then
			echo "neo4j started in $(secs_since "$t0") s (pid $pid, home $NEO4J_HOME_DIR, log $LOG)"
			echo "NEO4J_URI=$URI"
			return 0
		fi
		if ((SECONDS >= deadline)); then
			say "neo4j (pid $pid) not ready on $URI after $START_TIMEOUT s; stopping it"
			print_log_tail
			stop_pid "$pid" >&2
			exit 1
		fi
		sleep 0.5
	done
}

cmd_start() {
	abs_home
	lock 8 "$NEO4J_HOME_DIR/lock"
	local pid t0
	t0=$(now_ms)
	pid=$(live_pid)
	if [[ -n $pid ]]; then
		if bolt_answers; then
			echo "neo4j already running (pid $pid, home $NEO4J_HOME_DIR)"
			echo "NEO4J_URI=$URI"
			return 0
		fi
		say "neo4j (pid $pid) is running but $URI does not answer yet; waiting"
		wait_ready "$pid" "$t0"
		return 0
	fi
	rm -f "$PIDFILE"
	if port_open; then
		die "port $PORT is already in use by another process (not the Neo4j of $NEO4J_HOME_DIR); set NEO4J_LOCAL_PORT or stop it"
	fi
	cmd_fetch # also picks JAVA, builds the launcher jar and the CDS archive

	jvm_flags
	[[ $USE_CDS == 1 ]] && cds_current && JVM+=(-XX:SharedArchiveFile="$CDS")
	[[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
	: >"$LOG"
	say "starting neo4j on $URI (home $NEO4J_HOME_DIR, heap $HEAP, page cache $PAGECACHE, $(basename "$JDK_HOME"))"
	local detach=() cp=$LAUNCHER_JAR:$LIB/* plugin_conf=()
	if [[ -n $PLUGINS ]]; then
		[[ -d $PLUGINS ]] || die "NEO4J_LOCAL_PLUGINS=$PLUGINS is not a folder"
		PLUGINS=$(cd "$PLUGINS" && pwd -P)
		cp+=:$PLUGINS/*
		plugin_conf=("server.directories.plugins=$PLUGINS")
		say "loading the plugins in $PLUGINS"
	fi
	command -v setsid >/dev/null && detach=(setsid)
	# Detached: own session, SIGHUP ignored, no inherited stdio or lock fds, so it outlives the caller
	# (make, a test's exec.Command) and never holds the caller's pipes open.
	(cd "$NEO4J_HOME_DIR" && exec "${detach[@]}" nohup "$JAVA" "${JVM[@]}" -cp "$cp" \
		Neo4jLauncher "$NEO4J_HOME_DIR" "$PORT" "server.memory.pagecache.size=$PAGECACHE" "${plugin_conf[@]}" "$@" \
		</dev/null >>"$LOG" 2>&1 8>&- 9>&-) &
	pid=$!
	echo "$pid" >"$PIDFILE"
	sleep 0.2
	wait_ready "$pid" "$t0"
}

# stop_pid PID: SIGTERM (clean shutdown with checkpoint), wait STOP_TIMEOUT s, then SIGKILL.
stop_pid() {
	local pid=$1 t0 deadline
	t0=$(now_ms)
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + STOP_TIMEOUT))
	while is_ours "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
	if is_ours "$pid"; then
		say "neo4j (pid $pid) did not stop within $STOP_TIMEOUT s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 15))
		while is_ours "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
		is_ours "$pid" && die "neo4j (pid $pid) survived SIGKILL"
	fi
	rm -f "$PIDFILE"
	echo "neo4j stopped in $(secs_since "$t0") s (pid $pid, home $NEO4J_HOME_DIR)"
}

cmd_stop() {
	abs_home
	lock 8 "$NEO4J_HOME_DIR/lock"
	local pid
	pid=$(live_pid)
	if [[ -z $pid ]]; then
		rm -f "$PIDFILE"
		echo "neo4j not running (home $NEO4J_HOME_DIR)"
		return 0
	fi
	stop_pid "$pid"
}

cmd_status() {
	abs_home
	local pid
	pid=$(live_pid)
	if [[ -n $pid ]] && bolt_answers; then
		echo "neo4j running (pid $pid, home $NEO4J_HOME_DIR)"
		echo "NEO4J_URI=$URI"
		return 0
	fi
	if [[ -n $pid ]]; then
		say "neo4j (pid $pid) is running but $URI does not answer Bolt"
	else
		say "neo4j not running (home $NEO4J_HOME_DIR)"
	fi
	return 1
}

usage() {
	sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cmd=${1:-}
shift || true
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop ;;
status) cmd_status ;;
uri) echo "$URI" ;;
fetch) cmd_fetch ;;
fetch-apoc) cmd_fetch_apoc ;;
*) usage ;;
esac
