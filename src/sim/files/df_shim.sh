#!/usr/bin/env bash
# df of the simulated Ascend host (ascend-train sim). An Atlas 800T A2 keeps its data on a large NVMe volume and has
# a large /dev/shm: paths inside the simulated host report that volume (3.5 TiB, 2.9 TiB free) and /dev/shm 512 GiB,
# whatever the machine running the simulation has. The small-shm scenario (a .small-shm marker next to this file)
# imitates a container whose /dev/shm is 64M. Other paths go to the real df.
self_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$self_dir")
real_df=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ "$(cd "$d" 2>/dev/null && pwd)" = "$self_dir" ] && continue
  if [ -x "$d/df" ]; then real_df="$d/df"; break; fi
done
[ -z "$real_df" ] && real_df=/bin/df
if [ -e "$self_dir/.small-shm" ]; then shm_kb=65536; shm_h=64M; else shm_kb=536870912; shm_h=512G; fi
data_kb=3750000000; data_used=850000000; data_free=2900000000
shm=0; human=0; ours=(); args=()
for a in "$@"; do
  case "$a" in
    /dev/shm|/dev/shm/) shm=1 ;;
    -h|--human-readable) human=1; args+=("$a") ;;
    -*) args+=("$a") ;;
    *)
      abs=$(cd "$a" 2>/dev/null && pwd -P || (cd "$(dirname "$a")" 2>/dev/null && pwd -P))
      case "$abs/" in "$root"/*) ours+=("$a") ;; *) args+=("$a") ;; esac ;;
  esac
done
if [ "$shm" = 1 ] || [ "${#ours[@]}" -gt 0 ]; then
  if [ "$human" = 1 ]; then echo "Filesystem      Size  Used Avail Use% Mounted on"
  else echo "Filesystem     1K-blocks  Used Available Use% Mounted on"; fi
  if [ "$shm" = 1 ]; then
    if [ "$human" = 1 ]; then echo "shm             $shm_h     0  $shm_h   0% /dev/shm"
    else echo "shm            $shm_kb     0 $shm_kb   0% /dev/shm"; fi
  fi
  for _ in "${ours[@]}"; do
    if [ "$human" = 1 ]; then echo "/dev/nvme0n1p1  3.5T  792G  2.7T  23% /data"
    else echo "/dev/nvme0n1p1 $data_kb $data_used $data_free  23% /data"; fi
  done
  exit 0
fi
"$real_df" "${args[@]}" | while IFS= read -r line; do
  case "$line" in
    *" /dev/shm")
      if [ "$human" = 1 ]; then echo "shm             $shm_h     0  $shm_h   0% /dev/shm"
      else echo "shm            $shm_kb     0 $shm_kb   0% /dev/shm"; fi ;;
    *) printf '%s\n' "$line" ;;
  esac
done
exit "${PIPESTATUS[0]}"
