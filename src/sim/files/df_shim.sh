#!/usr/bin/env bash
# df of the simulated Ascend host (ascend-train sim): this container's /dev/shm is 64M.
self_dir=$(cd "$(dirname "$0")" && pwd)
real_df=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ "$(cd "$d" 2>/dev/null && pwd)" = "$self_dir" ] && continue
  if [ -x "$d/df" ]; then real_df="$d/df"; break; fi
done
[ -z "$real_df" ] && real_df=/bin/df
shm=0; human=0; args=()
for a in "$@"; do
  case "$a" in
    /dev/shm|/dev/shm/) shm=1 ;;
    -h|--human-readable) human=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
if [ "$shm" = 1 ]; then
  if [ "$human" = 1 ]; then
    echo "Filesystem      Size  Used Avail Use% Mounted on"
    echo "shm              64M     0   64M   0% /dev/shm"
  else
    echo "Filesystem     1K-blocks  Used Available Use% Mounted on"
    echo "shm                65536     0     65536   0% /dev/shm"
  fi
  exit 0
fi
"$real_df" "${args[@]}" | while IFS= read -r line; do
  case "$line" in
    *" /dev/shm")
      if [ "$human" = 1 ]; then echo "shm              64M     0   64M   0% /dev/shm"
      else echo "shm                65536     0     65536   0% /dev/shm"; fi ;;
    *) printf '%s\n' "$line" ;;
  esac
done
exit "${PIPESTATUS[0]}"
