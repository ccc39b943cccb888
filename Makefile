# ctui build. `make`, `make check`, `make install PREFIX=... DESTDIR=...`, `make deps`,
# `make test-deps`, `make bench-deps`.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/ctui
DATADIR    ?= $(PREFIX)/share/ctui
LOCALEDIR  ?= $(PREFIX)/share/locale
SYSCONFDIR ?= /etc/ctui
STATEDIR   ?= /var/lib/ctui

CC      ?= cc
PKGS    := libnl-3.0 libnl-route-3.0 libcgroup sqlite3 ldap libarchive inih ldns libcap ncursesw formw menuw libnftables libxcrypt
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wformat-security -Wconversion \
           -Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
           -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wnull-dereference \
           -Wimplicit-fallthrough -Wswitch-enum -Wno-format-truncation -Wvla -Wmissing-declarations -Wredundant-decls
ifeq ($(WERROR),1)
WARN    += -Werror
endif
DEFS    := -D_GNU_SOURCE -DCTUI_SYSCONFDIR='"$(SYSCONFDIR)"' -DCTUI_STATEDIR='"$(STATEDIR)"' \
           -DCTUI_LIBEXECDIR='"$(LIBEXECDIR)"' -DCTUI_DATADIR='"$(DATADIR)"' -DCTUI_LOCALEDIR='"$(LOCALEDIR)"'
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 $(WARN) $(DEFS) -Iinclude -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS))

# The directories are compiled into ctui: objects are rebuilt when they change
# (`make install PREFIX=/opt/ctui` after a plain `make` must not install
# binaries that look in /usr/local).
DIRS_STAMP := $(LIBEXECDIR)|$(DATADIR)|$(LOCALEDIR)|$(SYSCONFDIR)|$(STATEDIR)
$(shell mkdir -p build && [ "$$(cat build/dirs 2>/dev/null)" = '$(DIRS_STAMP)' ] || echo '$(DIRS_STAMP)' > build/dirs)

ENGINE_SRC := $(wildcard src/engine/*.c) $(wildcard src/util/*.c)
CLI_SRC    := $(wildcard src/cli/*.c) $(wildcard src/tui/*.c) src/main.c
INIT_SRC   := $(wildcard src/init/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

ENGINE_OBJ := $(ENGINE_SRC:%.c=build/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=build/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
PO         := $(wildcard po/*.po)
MO         := $(PO:po/%.po=build/locale/%/LC_MESSAGES/ctui.mo)

all: build/ctui build/ctui-init $(MO)

# `make V=1` shows the full command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

build/%.o: %.c build/dirs
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

build/libctui.a: $(ENGINE_OBJ)
	$(Q)$(AR) rcs $@ $^

build/ctui: $(CLI_OBJ) build/libctui.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) build/libctui.a $(LDLIBS)

# The container's PID 1 runs inside the site's root filesystem, where none of
# the host's libraries exist: it is linked statically against libc alone.
build/ctui-init: $(INIT_SRC)
	@mkdir -p build
	@$(if $(Q),echo "  LD      $@ (static)")
	$(Q)$(CC) -std=c11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $(INIT_SRC)

build/tests/%: tests/unit/%.c build/libctui.a
	@mkdir -p build/tests
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< build/libctui.a $(LDLIBS) $(shell pkg-config --libs cmocka)

build/locale/%/LC_MESSAGES/ctui.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

unit: $(UNIT_BIN)

check: all $(UNIT_BIN)
	tests/run

# The French system test needs the fr_FR.UTF-8 locale, which make deps
# generates.
DEB_I18N := locales

# Every file that may hold a message: the sources of the engine, util, CLI and
# TUI, and all headers, since a header may define a table of N_() strings.
# Locations name files only, so that moved lines leave po/*.po unchanged.
POT_SRC := $(sort $(ENGINE_SRC) $(CLI_SRC) $(wildcard src/*/*.h include/ctui/*.h))
pot:
	xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --from-code=UTF-8 \
	  --add-comments=TRANSLATORS --add-location=file --package-name=ctui -o po/ctui.pot $(POT_SRC)
	for po in $(PO); do msgmerge --quiet --update --backup=none $$po po/ctui.pot; done

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/templates \
	  $(DESTDIR)$(SYSCONFDIR)/models $(DESTDIR)$(STATEDIR) $(DESTDIR)$(DATADIR)/themes
	install -m 755 build/ctui $(DESTDIR)$(SBINDIR)/ctui
	install -m 755 build/ctui-init $(DESTDIR)$(LIBEXECDIR)/ctui-init
	install -m 755 conf/ctui-setup-host $(DESTDIR)$(SBINDIR)/ctui-setup-host
	install -m 644 conf/ctui.conf $(DESTDIR)$(DATADIR)/ctui.conf.example
	install -m 644 conf/apache-proxy.conf $(DESTDIR)$(DATADIR)/apache-proxy.conf
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	for t in conf/templates/*.conf; do \
	  [ -e $(DESTDIR)$(SYSCONFDIR)/templates/$${t##*/} ] || install -m 644 $$t $(DESTDIR)$(SYSCONFDIR)/templates/; \
	done
	for m in conf/models/*.conf; do \
	  [ -e $(DESTDIR)$(SYSCONFDIR)/models/$${m##*/} ] || install -m 644 $$m $(DESTDIR)$(SYSCONFDIR)/models/; \
	done
	for mo in $(MO); do \
	  lang=$${mo#build/locale/}; lang=$${lang%%/*}; \
	  install -D -m 644 $$mo $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES/ctui.mo; \
	done

# The Debian packages that build, run and test ctui (deps), and those that
# only the benchmarks compare it with (bench-deps). bench-deps stays off a
# production host: Debian starts nginx once installed, on Apache's port 80.
DEB_BUILD := build-essential pkg-config gettext libnl-3-dev libnl-route-3-dev libcgroup-dev \
             libsqlite3-dev libldap2-dev libarchive-dev libinih-dev libldns-dev libcap-dev \
             libncurses-dev libcmocka-dev libnftables-dev libcrypt-dev
DEB_RUN   := apache2 bind9 bind9-utils debootstrap ca-certificates openssl ssl-cert iproute2 \
             e2fsprogs coreutils openssh-client nftables curl bind9-dnsutils
DEB_TEST  := acl attr python3 busybox-static zstd procps tmux sqlite3 \
             socat slapd ldap-utils pebble
DEB_BENCH := lxc wrk nginx
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

deps:
	apt-get update
	$(APT_INSTALL) $(DEB_BUILD) $(DEB_RUN) $(DEB_I18N)
	sed -i 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' >> /etc/locale.gen
	locale-gen

# The servers and tools of the tests. Debian starts slapd on port 389 when
# it installs it, so a production host gets only make deps.
test-deps: deps
	$(APT_INSTALL) $(DEB_TEST)

bench-deps:
	apt-get update
	$(APT_INSTALL) $(DEB_BENCH)

format:
	clang-format -i $(ENGINE_SRC) $(CLI_SRC) $(INIT_SRC) $(wildcard src/*/*.h include/ctui/*.h)

clean:
	rm -rf build

.PHONY: all unit check install deps test-deps bench-deps clean pot format
-include $(ENGINE_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
