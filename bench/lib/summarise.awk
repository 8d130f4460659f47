# SPDX-License-Identifier: MulanPSL-2.0
# summarise.awk - the savings CSV (one row per phase, from bench/lib/savings.sh) -> Markdown
# tables of paired ratios, the plot's data and the target verdicts. POSIX awk (mawk).
# Each non-baseline phase is compared with the baseline phase of the same workload and
# round; a cell is "median [min..max]" over rounds.
# -v plot=FILE     rows "workload cond round loss_pct saved_pct net_pct loss_per_cpu_pct
#                  judged_per_cpu(0/1)" for gnuplot
# -v targets=FILE  "TARGET|PASS or FAIL|what|figures" lines
# -v titles="wl=text;wl=text"  section titles per workload
# -v descs="cond=text;cond=text"  what each setting is, where the columns do not say it

BEGIN { FS = ","; nwl = 0 }
NR == 1 { next }
{
    wl = $1; r = $2; c = $4
    if (!(wl in seen_wl)) { seen_wl[wl] = 1; wls[++nwl] = wl; ncond[wl] = 0 }
    if (!((wl, c) in seen_c)) { seen_c[wl, c] = 1; conds[wl, ++ncond[wl]] = c }
    if (!((wl, r) in seen_r)) { seen_r[wl, r] = 1; rounds[wl, ++nround[wl]] = r }
    for (i = 1; i <= NF; i++) v[wl, r, c, i] = $i
    has[wl, r, c] = 1
}

function sortn(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
function median(a, n) {
    if (n == 0) return ""
    sortn(a, n)
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# cell(): "median [min..max]" of the collected values x[1..nx], with fmt
function cell(fmt,   m, lo, hi) {
    if (nx == 0) return "n/a"
    m = median(x, nx); lo = x[1]; hi = x[nx]
    if (nx == 1) return sprintf(fmt, m)
    return sprintf(fmt " [" fmt ".." fmt "]", m, lo, hi)
}
function med_only(   m) { return nx ? median(x, nx) : "" }
# collect(wl, c, what): x[] = per-round values; what is a column number, or a negative code
# for a paired figure: -1 throughput change %, -2 p99 change %, -3 saved minus baseline's,
# -4 net saved minus baseline's, -5 throughput change over the whole phase %
function collect(wl, c, what,   k, r, b) {
    nx = 0
    for (k = 1; k <= nround[wl]; k++) {
        r = rounds[wl, k]
        if (!has[wl, r, c]) continue
        if (what > 0) { if (v[wl, r, c, what] != "") x[++nx] = v[wl, r, c, what] + 0; continue }
        if (!has[wl, r, "base"]) continue
        if (what == -1 && v[wl, r, "base", 16] > 0) x[++nx] = 100 * (v[wl, r, c, 16] / v[wl, r, "base", 16] - 1)
        if (what == -2 && v[wl, r, "base", 19] > 0) x[++nx] = 100 * (v[wl, r, c, 19] / v[wl, r, "base", 19] - 1)
        if (what == -3) x[++nx] = v[wl, r, c, 12] - v[wl, r, "base", 12]
        if (what == -4) x[++nx] = v[wl, r, c, 15] - v[wl, r, "base", 15]
        if (what == -5 && v[wl, r, "base", 17] > 0) x[++nx] = 100 * (v[wl, r, c, 17] / v[wl, r, "base", 17] - 1)
        if (what == -6 && v[wl, r, "base", 39] > 0 && v[wl, r, c, 39] > 0) x[++nx] = 100 * (v[wl, r, c, 39] / v[wl, r, "base", 39] - 1)
    }
}
function describe(wl, c,   k, r, n, i, kv, parts) {
    n = split(descs, parts, ";")
    for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == c) return substr(parts[i], length(c) + 2) }
    if (c == "base") return "no offload (baseline)"
    if (c == "senpai") return "kernel LRU, Senpai-style (v1 limit + PSI)"
    for (k = 1; k <= nround[wl]; k++) {
        r = rounds[wl, k]
        if (has[wl, r, c]) return sprintf("etmem slide loop=%s interval=%s sleep=%s T=%s", v[wl, r, c, 5], v[wl, r, c, 6], v[wl, r, c, 7], v[wl, r, c, 8])
    }
}
function short(wl) { return toupper(substr(wl, 1, 1)) substr(wl, 2) }
function title(wl,   n, i, kv, parts) {
    n = split(titles, parts, ";")
    for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == wl) return kv[2] }
    return wl
}

END {
    for (w = 1; w <= nwl; w++) {
        wl = wls[w]
        printf "\n### %s\n\n", title(wl)
        collect(wl, "base", 16); base_ops = med_only()
        collect(wl, "base", 19); base_p99 = med_only()
        collect(wl, "base", 20); base_slow = med_only()
        collect(wl, "base", 9); base_rss = med_only()
        collect(wl, "base", 38); base_cpu = med_only()
        printf "Baseline (median of %d rounds): %.0f ops/s, p99 %.0f ns, %.3f %% of ops >= 5 us, RSS %.0f MiB; the workload's processes got %.0f %% of their CPU.\n\n", nround[wl], base_ops, base_p99, 100 * base_slow, base_rss / 1024, base_cpu
        printf "| setting | RSS saved %% | net of zram %% | throughput %% (steady) | per CPU-second %% | throughput %% (whole phase) | p99 %% | ops >= 5 us %% | major faults/s | swap-ins/min %% of WS | policy CPU %% of a core (steady / whole) | policy RSS MiB | pswpout MiB | control copy swapped MiB | PSI some ms/s |\n"
        printf "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for (k = 1; k <= ncond[wl]; k++) {
            c = conds[wl, k]
            row = "| " c " |"
            if (c == "base") {
                collect(wl, c, 12); row = row " " cell("%.1f") " |"
                collect(wl, c, 15); row = row " " cell("%.1f") " | (reference) | (reference) | (reference) | (reference) |"
            } else {
                collect(wl, c, -3); row = row " " cell("%.1f") " |"
                collect(wl, c, -4); row = row " " cell("%.1f") " |"
                collect(wl, c, -1); row = row " " cell("%+.1f") " |"; thr[wl, c] = med_only()
                collect(wl, c, -6); row = row " " cell("%+.1f") " |"; thrcpu[wl, c] = med_only()
                collect(wl, c, -5); row = row " " cell("%+.1f") " |"
                collect(wl, c, -2); row = row " " cell("%+.0f") " |"
                collect(wl, c, -3); saved[wl, c] = med_only()
                collect(wl, c, -4); net[wl, c] = med_only()
            }
            nx = 0; for (q = 1; q <= nround[wl]; q++) if (has[wl, rounds[wl, q], c] && v[wl, rounds[wl, q], c, 20] >= 0) x[++nx] = 100 * v[wl, rounds[wl, q], c, 20]
            row = row " " cell("%.3f") " |"
            collect(wl, c, 21); row = row " " cell("%.1f") " |"
            collect(wl, c, 22); row = row " " cell("%.2f") " |"
            collect(wl, c, 23); a = cell("%.1f"); collect(wl, c, 24); row = row " " a " / " cell("%.1f") " |"
            nx = 0; for (q = 1; q <= nround[wl]; q++) if (has[wl, rounds[wl, q], c]) x[++nx] = v[wl, rounds[wl, q], c, 25] / 1024
            row = row " " (c == "base" ? "-" : cell("%.1f")) " |"
            if (c != "base" && c != "senpai") { collect(wl, c, 25); pol_rss[wl, c] = med_only(); collect(wl, c, 9); tracked[wl, c] = med_only(); collect(wl, c, 26); nsp[wl, c] = med_only() }
            nx = 0; for (q = 1; q <= nround[wl]; q++) if (has[wl, rounds[wl, q], c]) x[++nx] = v[wl, rounds[wl, q], c, 27] * 4 / 1024
            row = row " " cell("%.0f") " |"
            nx = 0; for (q = 1; q <= nround[wl]; q++) if (has[wl, rounds[wl, q], c]) x[++nx] = v[wl, rounds[wl, q], c, 29] / 1024
            row = row " " cell("%.1f") " |"
            collect(wl, c, 30); row = row " " cell("%.1f") " |"
            print row
        }
        printf "\n"
        for (k = 1; k <= ncond[wl]; k++) printf "- `%s`: %s\n", conds[wl, k], describe(wl, conds[wl, k])
        # zram is shared by the whole machine: phases where it moved by more than 32 MiB
        # beyond this run's own swap had other users, and their "net of zram" is unreliable
        shared = 0; nph = 0
        for (k = 1; k <= ncond[wl]; k++) for (q = 1; q <= nround[wl]; q++)
            if (has[wl, rounds[wl, q], conds[wl, k]]) {
                nph++; o = v[wl, rounds[wl, q], conds[wl, k], 36]
                if (o > 32768 || o < -32768) shared++
            }
        if (shared)
            printf "- **zram was shared:** in %d of %d phases zram's stored data moved by more than 32 MiB beyond this run's own swap (other processes swapping): in those phases \"net of zram\" charges this run's own swap at what the device held a byte in at the end of the phase (its mem_used_total / orig_data_size), which holds only as far as the others' data compressed like this run's.\n", shared, nph
        else
            printf "- zram was not shared: in every phase its stored data moved with this run's own swap (within 32 MiB).\n"
        # plot rows
        for (k = 1; k <= ncond[wl]; k++) {
            c = conds[wl, k]
            if (c == "base") continue
            for (q = 1; q <= nround[wl]; q++) {
                r = rounds[wl, q]
                if (!has[wl, r, c] || !has[wl, r, "base"] || v[wl, r, "base", 16] <= 0) continue
                lc = (v[wl, r, "base", 39] > 0 && v[wl, r, c, 39] > 0) ? -100 * (v[wl, r, c, 39] / v[wl, r, "base", 39] - 1) : 0
                printf "%s %s %s %.3f %.3f %.3f %.3f %d\n", wl, c, r, -100 * (v[wl, r, c, 16] / v[wl, r, "base", 16] - 1),
                    v[wl, r, c, 12] - v[wl, r, "base", 12], v[wl, r, c, 15] - v[wl, r, "base", 15], lc, (base_cpu < 90) >plot
            }
        }
        # targets: the most saving etmem setting within 2 % loss. The loss is wall throughput
        # when the workload had its CPU to itself in the baseline (>= 90 %); on a shared
        # machine, ops per CPU-second of the workload (what the neighbours take is not ours).
        use_cpu = base_cpu < 90
        metric = use_cpu ? "per CPU-second" : "throughput"
        for (k = 1; k <= ncond[wl]; k++) { c = conds[wl, k]; loss[wl, c] = use_cpu ? thrcpu[wl, c] : thr[wl, c] }
        best = ""; least = ""
        for (k = 1; k <= ncond[wl]; k++) {
            c = conds[wl, k]
            if (c !~ /^etmem/ || loss[wl, c] == "") continue
            if (least == "" || loss[wl, c] > loss[wl, least]) least = c
            if (loss[wl, c] >= -2 && (best == "" || saved[wl, c] > saved[wl, best])) best = c
        }
        pick = best != "" ? best : least
        if (pick != "") {
            ok = best != "" && saved[wl, best] >= 30
            printf "TARGET|%s|>= 30 %% RSS saved at <= 2 %% throughput loss (%s)|%s: %.1f %% RSS saved (%.1f %% net of zram) at %+.1f %% throughput, %+.1f %% per CPU-second of the workload; judged on %s%s%s\n",
                ok ? "PASS" : "FAIL", short(wl), pick, saved[wl, pick], net[wl, pick], thr[wl, pick], thrcpu[wl, pick], metric,
                use_cpu ? sprintf(" (in the baseline the workload's processes got %.0f %% of their CPU: the machine was shared)", base_cpu) : "",
                best == "" ? " (no setting stayed within 2 %)" : "" >targets
            if ((wl, "senpai") in seen_c) {
                dom = saved[wl, pick] >= saved[wl, "senpai"] && loss[wl, pick] >= loss[wl, "senpai"]
                both_worse = saved[wl, pick] < saved[wl, "senpai"] && loss[wl, pick] < loss[wl, "senpai"]
                printf "TARGET|%s|more saved than kernel-LRU reclaim at equal slowdown (%s)|%s: %.1f %% saved at %+.1f %% (%s); Senpai-style at the same RSS: %.1f %% saved at %+.1f %%%s\n",
                    dom ? "PASS" : "FAIL", short(wl), pick, saved[wl, pick], loss[wl, pick], metric, saved[wl, "senpai"], loss[wl, "senpai"],
                    dom ? "" : both_worse ? " (kernel LRU saves more and is faster)" : " (neither dominates)" >targets
            }
            if (nsp[wl, pick] != "")
                printf "DAEMON|%s|%s|%.1f|%.0f|%.0f\n", short(wl), pick, nsp[wl, pick], pol_rss[wl, pick], tracked[wl, pick] >targets
        }
    }
}
