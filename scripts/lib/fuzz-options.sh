# Sourced by scripts/fuzz.sh and scripts/soak.sh.
# libfuzzer_options TARGET: the [libfuzzer] settings of fuzzers/TARGET.options
# as libFuzzer flags (-name=value), one per line; nothing when there is no
# such file. Run from the checkout's root.
libfuzzer_options() {
	sed -n 's/^[[:space:]]*\([a-z_]*\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/-\1=\2/p' "fuzzers/$1.options" 2>/dev/null
}
