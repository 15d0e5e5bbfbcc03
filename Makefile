# jingsai — build, install what is missing, run, test.
#
#   make run     build, then run the nightly job on the sample in input/
#   make test    unit and end-to-end tests, then the same under ASan+UBSan
#   make regress         the regress suite alone (tests/regress/: documents as layout dumps,
#                        diagnostics of every bad file), with whole diffs
#   make regress-update  rewrites its expected files after a deliberate change (review git diff)
#   make bench   speed and size figures against baselines measured in the same run
#   make fuzz    libFuzzer targets (long; not part of make test; FUZZ_SECONDS per target, default 600)
#   make leakcheck  valgrind over the nightly run on the sample (full run, then no-change run)
#   make crashtest  the nightly run at city scale killed at 50 moments (long; not part of make test)
#   make po      gather the messages of src/ into po/jingsai.pot and merge them into po/zh_CN.po
#   make install the program and its Chinese message catalogue under PREFIX (default /usr/local)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra
# What only make test builds (the sanitizer build, the unit tests) turns warnings
# into errors, so a warning fails the tests rather than scrolling past.
TEST_WARN = $(WARN) -Werror
PREFIX  ?= /usr/local
LOCALEDIR = $(PREFIX)/share/locale
PKGS     = libxml-2.0 libzip xlsxwriter sqlite3 harfbuzz harfbuzz-subset icu-uc icu-i18n libqrencode libcrypto libdeflate zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     = $(PKG_LIBS) -lhpdf -lcsv -lm

# Debian packages the build, the documents and the tests need.
DEBS = gcc make pkg-config clang libclang-rt-14-dev \
       libhpdf-dev libxml2-dev libsqlite3-dev sqlite3 libcsv-dev \
       libharfbuzz-dev libicu-dev libqrencode-dev libssl-dev libdeflate-dev zlib1g-dev \
       libzip-dev libxlsxwriter-dev python3-openpyxl \
       fonts-lxgw-wenkai fonts-arphic-gbsn00lp fonts-arphic-gkai00mp \
       fonts-droid-fallback fonts-hanazono fonts-wqy-microhei \
       poppler-utils qpdf zbar-tools valgrind python3 time chromium strace python3-reportlab \
       gettext locales
# The locale the Chinese messages need (a fresh Debian has only C and C.UTF-8).
LOCALE = zh_CN.UTF-8

SRC      := $(filter-out src/main.c,$(wildcard src/*.c))
OBJ      := $(SRC:src/%.c=build/obj/%.o) build/obj/schemas.o
ASAN_OBJ := $(SRC:src/%.c=build/asan/%.o) build/asan/schemas.o
SCHEMAS  := $(wildcard schemas/*.xsd)
UNIT     := $(wildcard tests/unit/*.c)
TOOLS    := $(wildcard tools/*.c)
MO       := build/locale/zh_CN/LC_MESSAGES/jingsai.mo

.PHONY: all build test-run deps locale po install run test regress regress-update unit e2e asan bench fuzz leakcheck crashtest clean distclean

# deps first: pkg-config can only answer once the -dev packages are there.
all: deps locale
	@$(MAKE) --no-print-directory build

build: jingsai tools $(MO)

# Messages: po/zh_CN.po (the translation, edited by hand) compiled into the
# catalogue the program finds beside itself (build/locale/) or installed
# ($(LOCALEDIR)); -c checks every translation's printf conversions.
$(MO): po/zh_CN.po
	@mkdir -p $(@D)
	msgfmt -c --statistics -o $@ po/zh_CN.po

# What xgettext gathers: _("…"), N_("…"), ngettext and the catalogue's D(code, level, "…").
XGETTEXT = xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=D:3 \
	--flag=D:3:c-format --flag=_:1:pass-c-format --flag=N_:1:pass-c-format \
	--add-comments=TRANSLATORS: --package-name=jingsai --msgid-bugs-address=none \
	--sort-output --add-location=file --no-wrap
# Sorted by msgid, files without line numbers and no creation date: what two
# branches add lands in different places of zh_CN.po, and merges stay easy.
# Translations of messages gone from src/ are dropped.
po:
	@mkdir -p build
	$(XGETTEXT) -o build/jingsai.pot src/*.c src/*.def
	msgmerge --quiet --update --backup=none --no-wrap --sort-output --add-location=file po/zh_CN.po build/jingsai.pot
	msgattrib --no-obsolete --no-wrap --sort-output -o po/zh_CN.po po/zh_CN.po
	@sed -i '/^"POT-Creation-Date: /d' po/zh_CN.po
	@msgfmt -c --statistics -o /dev/null po/zh_CN.po

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES
	install -m 755 jingsai $(DESTDIR)$(PREFIX)/bin/jingsai
	install -m 644 $(MO) $(DESTDIR)$(LOCALEDIR)/zh_CN/LC_MESSAGES/jingsai.mo

# The zh_CN.UTF-8 locale, generated when missing (as root), or the command printed.
locale:
	@if ! locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "generating the locale $(LOCALE)"; \
	    localedef -i zh_CN -f UTF-8 $(LOCALE) || exit 1; \
	  else \
	    echo "the locale $(LOCALE) is missing (Chinese messages fall back to English); run:"; \
	    echo "  sudo localedef -i zh_CN -f UTF-8 $(LOCALE)"; \
	  fi; \
	fi

# Install missing Debian packages (as root), or print the exact command.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build/obj/%.o: src/%.c src/*.h src/*.def | build/obj
	$(CC) $(CFLAGS) $(WARN) -Isrc $(PKG_CFLAGS) -DJZ_LOCALEDIR='"$(LOCALEDIR)"' -MMD -c $< -o $@

build/asan/%.o: src/%.c src/*.h src/*.def | build/asan
	clang -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	  $(TEST_WARN) -Isrc $(PKG_CFLAGS) -DJZ_LOCALEDIR='"$(LOCALEDIR)"' -c $< -o $@

# The XSDs (schemas/*.xsd, the readable source) are compiled into the program,
# so jingsai validates from any folder: one byte array per file, made with od and sed.
build/gen/schemas.c: $(SCHEMAS) | build/gen
	@{ echo '/* generated from the .xsd files of schemas/ by the Makefile; do not edit */'; \
	  echo '#include "schemas.h"'; n=0; \
	  for f in $(SCHEMAS); do n=$$((n+1)); echo "static const unsigned char s$$n[] = {"; \
	    od -An -v -tx1 $$f | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00};'; done; \
	  echo 'const struct embedded_file jz_schemas[] = {'; n=0; \
	  for f in $(SCHEMAS); do n=$$((n+1)); echo "{\"$${f##*/}\", (const char *)s$$n, sizeof s$$n - 1},"; done; \
	  echo '{0, 0, 0}};'; } >$@.tmp && mv $@.tmp $@

build/obj/schemas.o: build/gen/schemas.c src/schemas.h | build/obj
	$(CC) $(CFLAGS) $(WARN) -Isrc -c $< -o $@

build/asan/schemas.o: build/gen/schemas.c src/schemas.h | build/asan
	clang -O1 -g $(TEST_WARN) -Isrc -c $< -o $@

build/obj build/asan build/gen build/unit build/asan-unit build/tools:
	@mkdir -p $@

build/libjingsai.a: $(OBJ)
	@rm -f $@; ar rcs $@ $(OBJ)

build/libjingsai-asan.a: $(ASAN_OBJ)
	@rm -f $@; ar rcs $@ $(ASAN_OBJ)

jingsai: src/main.c build/libjingsai.a
	$(CC) $(CFLAGS) $(WARN) -Isrc $(PKG_CFLAGS) src/main.c build/libjingsai.a $(LIBS) -o $@

build/jingsai-asan: src/main.c build/libjingsai-asan.a
	clang -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	  $(TEST_WARN) -Isrc $(PKG_CFLAGS) src/main.c build/libjingsai-asan.a $(LIBS) -o $@

# Helper programs (data generator, benchmark baselines).
tools: $(TOOLS:tools/%.c=build/tools/%)
build/tools/%: tools/%.c build/libjingsai.a | build/tools
	$(CC) $(CFLAGS) $(WARN) -Isrc $(PKG_CFLAGS) $< build/libjingsai.a $(LIBS) -o $@

build/unit/%: tests/unit/%.c tests/unit/check.h build/libjingsai.a | build/unit
	$(CC) $(CFLAGS) $(TEST_WARN) -Isrc -Itests/unit $(PKG_CFLAGS) $< build/libjingsai.a $(LIBS) -o $@

build/asan-unit/%: tests/unit/%.c tests/unit/check.h build/libjingsai-asan.a | build/asan-unit
	clang -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	  $(TEST_WARN) -Isrc -Itests/unit $(PKG_CFLAGS) $< build/libjingsai-asan.a $(LIBS) -o $@

# The sample run a new user sees: every kind of document in output/.
run: all
	mkdir -p output
	./jingsai run; st=$$?; [ $$st -le 1 ] || exit $$st; ls output

test: all
	@$(MAKE) --no-print-directory test-run

test-run: $(UNIT:tests/unit/%.c=build/unit/%) build/jingsai-asan $(UNIT:tests/unit/%.c=build/asan-unit/%) $(MO)
	@echo "== tests (optimised build)"
	@JINGSAI=$(CURDIR)/jingsai UNITDIR=$(CURDIR)/build/unit sh tests/run.sh
	@echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  JINGSAI=$(CURDIR)/build/jingsai-asan UNITDIR=$(CURDIR)/build/asan-unit SANITIZED=1 sh tests/run.sh

# The regress suite (tests/regress/README): make regress compares, make
# regress-update writes the expected files anew from what the program does.
regress: all
	@JINGSAI=$(CURDIR)/jingsai sh tests/regress/regress.sh

regress-update: all
	@JINGSAI=$(CURDIR)/jingsai sh tests/regress/regress.sh -u

bench: all
	@sh bench/run.sh

FUZZ_SECONDS ?= 600
fuzz: build/gen/schemas.c
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

leakcheck: all
	@sh tests/leakcheck.sh

crashtest: all
	@JINGSAI=$(CURDIR)/jingsai sh tests/crashtest.sh

clean:
	rm -rf build jingsai

distclean: clean
	rm -rf output/* var

-include $(OBJ:.o=.d)
