#!/bin/sh
# tests/fuzz/run.sh — builds every tests/fuzz/fuzz_NAME.c (a libFuzzer
# target) against the sources with AddressSanitizer and UBSan, then runs
# each for ${FUZZ_SECONDS:-600} seconds on its seed corpus
# tests/fuzz/corpus/NAME/ (and tests/fuzz/NAME.dict when there is one).
# New inputs go to build/fuzz/corpus/NAME/, crashes to build/fuzz/NAME-*.
# FUZZ_TARGETS="csv xml" runs only those.  Exit status 1 when a target failed.
cd "$(dirname "$0")/../.." || exit 3
PKGS=$(sed -n 's/^PKGS *= *//p' Makefile)
# CSV_SLICE: a mapped file's pages are handed back every 8 KB instead of
# every MB, so that inputs of fuzzing size go through that too; likewise
# XLSX_THREAD_FROM: every sheet is parsed and unpacked on threads of its own.
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -DCSV_SLICE=8192 -DXLSX_THREAD_FROM=0 -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lhpdf -lcsv -lm"
OUT=build/fuzz
mkdir -p "$OUT/obj" || exit 3

# The sources, instrumented for coverage (not main.c: libFuzzer has main).
objs=""
for src in src/*.c; do
	[ "$src" = src/main.c ] && continue
	obj="$OUT/obj/$(basename "$src" .c).o"
	newer=$(find src -name '*.h' -newer "$obj" -o -name '*.def' -newer "$obj" 2>/dev/null | head -1)
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$newer" ]; then
		echo "cc $src"
		clang $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || exit 3
	fi
	objs="$objs $obj"
done
# The XSDs compiled into the program (the Makefile generates the C file).
if [ -f build/gen/schemas.c ]; then
	clang $CFLAGS -c build/gen/schemas.c -o "$OUT/obj/schemas.o" || exit 3
	objs="$objs $OUT/obj/schemas.o"
fi
rm -f "$OUT/libjingsai-fuzz.a"
ar rcs "$OUT/libjingsai-fuzz.a" $objs || exit 3

status=0
for target in tests/fuzz/fuzz_*.c; do
	[ -f "$target" ] || continue
	name=$(basename "$target" .c); name=${name#fuzz_}
	if [ -n "$FUZZ_TARGETS" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "== fuzz $name (${FUZZ_SECONDS:-600} s)"
	clang $CFLAGS -fsanitize=fuzzer "$target" "$OUT/libjingsai-fuzz.a" $LIBS -o "$OUT/fuzz_$name" || { status=1; continue; }
	mkdir -p "$OUT/corpus/$name" "tests/fuzz/corpus/$name"
	dict=""; [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$OUT/fuzz_$name" -max_total_time="${FUZZ_SECONDS:-600}" -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$OUT/$name-" $dict \
		"$OUT/corpus/$name" "tests/fuzz/corpus/$name" || { status=1; echo "FAIL: fuzz $name (see $OUT/$name-*)"; }
done
exit $status
