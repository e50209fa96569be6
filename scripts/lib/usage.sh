# usage: prints the calling script's --help, which is its own header comment
# (the lines after the shebang, up to the first line that is not a comment),
# so that the help is the script's documentation and never a fixed line
# range of its source. The scripts cd to the top of the tree first: a
# relative $0 is found again under scripts/.
usage() {
	local f=$0
	[ -f "$f" ] || f=scripts/${0##*/}
	[ -f "$f" ] || f=scripts/kernel-mode/${0##*/}
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$f"
}
