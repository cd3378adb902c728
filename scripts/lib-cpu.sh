# Sourced by the benchmark scripts: the machine's busy CPU time in milliseconds (all cores, from
# /proc/stat), to say what one operation of a phase cost the whole machine.
busy_ms() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz; exit }' /proc/stat
}
