#!/bin/sh
# git of the simulated Ascend host (ascend-train sim): the machine's own git, except that a repository made here with
# `git init` can resolve the upstream MindSpeed commits the releases pin. Those commits cannot be rebuilt offline, so
# the host's MindSpeed mirror carries stand-in commits and refs/replace/<upstream commit> naming them; a new
# repository borrows the mirror's objects (alternates) and copies those replace refs, and then
# `git checkout <upstream commit>` and `git rev-parse HEAD` behave as on a real offline site's mirror.
self_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
sim_root=$(dirname -- "$self_dir")
real_git=
old_ifs=$IFS
IFS=:
for d in $PATH; do
  [ "$(CDPATH= cd -- "$d" 2>/dev/null && pwd)" = "$self_dir" ] && continue
  if [ -x "$d/git" ]; then real_git=$d/git; break; fi
done
IFS=$old_ifs
[ -n "$real_git" ] || { echo "git: not found on PATH" >&2; exit 127; }
[ "$1" = init ] || exec "$real_git" "$@"

"$real_git" "$@" || exit $?
# The directory `git init` made: its last operand (options that take a value are skipped), else the current one.
dir=.
skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in
    init) ;;
    -b|--initial-branch|--template|--separate-git-dir|--object-format) skip=1 ;;
    -*) ;;
    *) dir=$a ;;
  esac
done
mirror=$sim_root/mirrors/MindSpeed.git
[ -d "$mirror" ] || exit 0
git_dir=$("$real_git" -C "$dir" rev-parse --absolute-git-dir 2>/dev/null) || exit 0
mkdir -p "$git_dir/objects/info"
grep -qxF "$mirror/objects" "$git_dir/objects/info/alternates" 2>/dev/null ||
  printf '%s\n' "$mirror/objects" >>"$git_dir/objects/info/alternates"
"$real_git" --git-dir="$mirror" for-each-ref --format='%(refname) %(objectname)' refs/replace/ |
  while read -r ref oid; do "$real_git" -C "$dir" update-ref "$ref" "$oid" || exit 1; done
