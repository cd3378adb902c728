# Sourced by the benchmark scripts: the machine's busy CPU time in milliseconds (all cores, from
# /proc/stat), to say what one operation of a phase cost the whole machine.
busy_ms() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz; exit }' /proc/stat
}

# The machine's CPU milliseconds per operation of a phase: busy_ms before and after it, its rate
# per second and its length in seconds.
cpu_ms_per_op() {
  awk -v before="$1" -v after="$2" -v rate="$3" -v seconds="$4" 'BEGIN { printf "%.2f\n", (after - before) / (rate * seconds) }'
}
