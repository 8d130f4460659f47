# SPDX-License-Identifier: MulanPSL-2.0
# guard_targets.awk - the guard part's CSV (bench/lib/guard.sh; the savings CSV's columns)
# -> its targets with PASS/FAIL, each with the median over rounds, the per-round range and
# how many rounds agree, and the zram algorithm table. POSIX awk.
# -v target=PCT  the guard's refault target (guard_refault_pct)
# -v part=targets|zram|faults  which table to print (faults: the etmem settings' major
#    faults split into the fallback tracker's probes and the rest; nothing when no phase
#    counted probes; vm: the guest's CSV, latest-guard-vm.csv, as a table against its own
#    baseline)
BEGIN { FS = "," }
NR == 1 { next }
part == "vm" {
    r = $1; c = $3
    if (!(c in gsc)) { gsc[c] = 1; gconds[++ngc] = c }
    if (!(r in gsr)) { gsr[r] = 1; grounds[++ngr] = r }
    for (i = 1; i <= NF; i++) g[r, c, i] = $i
    ghas[r, c] = 1
    next
}
$1 == "zram" { split($2, ar, "."); a = ar[1]; if (!(a in za)) { za[a] = 1; zalg[++nza] = a }
               zn[a]++; zs[a, zn[a]] = $12; zt[a, zn[a]] = $15; zc[a, zn[a]] = $40
               sh = $36 > 32768 || $36 < -32768; zsh[a] += sh
               if (!sh && $13 > 0) zr[a, ++zrn[a]] = $14 / $13
               next }
{
    wl = $1; r = $2; c = $4
    if (!(wl in swl)) { swl[wl] = 1; wls[++nwl] = wl }
    if (!((wl, r) in sr)) { sr[wl, r] = 1; rounds[wl, ++nr[wl]] = r }
    has[wl, r, c] = 1
    if (!((wl, c) in sc)) { sc[wl, c] = 1; conds[wl, ++nc[wl]] = c }
    for (i = 1; i <= NF; i++) v[wl, r, c, i] = $i
}
function sortn(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
function med(a, n) { if (!n) return ""; sortn(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
# fig(wl, c, what, r): one round's figure. what: saved (pp beyond the baseline's), net,
# thr (throughput % vs baseline), p99 (% vs baseline), refault (%/min of resident memory)
function fig(wl, c, what, r,   b) {
    if (!has[wl, r, c] || !has[wl, r, "base"]) return ""
    if (what == "saved") return v[wl, r, c, 12] - v[wl, r, "base", 12]
    if (what == "net") return v[wl, r, c, 15] - v[wl, r, "base", 15]
    if (what == "thr") {
        col = cpu_shared[wl] ? 39 : 16; b = v[wl, r, "base", col]
        return b > 0 && v[wl, r, c, col] > 0 ? 100 * (v[wl, r, c, col] / b - 1) : ""
    }
    if (what == "p99") { b = v[wl, r, "base", 19]; return b > 0 ? 100 * (v[wl, r, c, 19] / b - 1) : "" }
    if (what == "refault") return v[wl, r, c, 10] > 0 ? v[wl, r, c, 21] * 60 * 4 / v[wl, r, c, 10] * 100 : ""
    if (what == "mf") return v[wl, r, c, 21]
    if (what == "probe_mf") return v[wl, r, c, 43]
    if (what == "rest_mf") return v[wl, r, c, 43] == "" ? "" : v[wl, r, c, 21] - v[wl, r, c, 43]
    if (what == "probe_share") return v[wl, r, c, 43] == "" || v[wl, r, c, 21] <= 0 ? "" : 100 * v[wl, r, c, 43] / v[wl, r, c, 21]
    if (what == "probe_refault") return v[wl, r, c, 43] == "" || v[wl, r, c, 10] <= 0 ? "" : v[wl, r, c, 43] * 60 * 4 / v[wl, r, c, 10] * 100
    if (what == "rest_refault") return v[wl, r, c, 43] == "" || v[wl, r, c, 10] <= 0 ? "" : (v[wl, r, c, 21] - v[wl, r, c, 43]) * 60 * 4 / v[wl, r, c, 10] * 100
}
# cell(wl, c, what, fmt): the median over rounds [range], "-" when no round has the figure
function cell(wl, c, what, fmt,   m) {
    m = gather(wl, c, what)
    return m == "" ? "-" : sprintf(fmt, m) spread(fmt)
}
# gather(wl, c, what): x[1..nx] over rounds (also keeps them by round in byr[])
function gather(wl, c, what,   k, f) {
    nx = 0
    for (k = 1; k <= nr[wl]; k++) { f = fig(wl, c, what, rounds[wl, k]); byr[k] = f; if (f != "") x[++nx] = f + 0 }
    return med(x, nx)
}
function spread(fmt) { return nx > 1 ? sprintf(" [" fmt ".." fmt "]", x[1], x[nx]) : "" }
# line(ok, agree, n, what, figures)
function line(ok, agree, n, what, figs) {
    printf "| **%s** | %s | %s | %d of %d |\n", ok ? "PASS" : "FAIL", what, figs, agree, n
}
# gfig(c, what, r): one guest round's figure against that round's baseline
function gfig(c, what, r,   b) {
    if (!ghas[r, c] || !ghas[r, "base"]) return ""
    if (what == "rss") return pct_saved(g[r, c, 4], g[r, c, 5]) - pct_saved(g[r, "base", 4], g[r, "base", 5])
    if (what == "mc") return pct_saved(g[r, c, 7], g[r, c, 8]) - pct_saved(g[r, "base", 7], g[r, "base", 8])
    if (what == "thr") { b = g[r, "base", 9]; return b > 0 ? 100 * (g[r, c, 9] / b - 1) : "" }
    if (what == "p99") { b = g[r, "base", 10]; return b > 0 ? 100 * (g[r, c, 10] / b - 1) : "" }
    if (what == "mf") return g[r, c, 11]
    if (what == "refault") return g[r, c, 5] > 0 ? g[r, c, 11] * 60 * 4 / g[r, c, 5] * 100 : ""
    if (what == "psi") return g[r, c, 12]
    if (what == "ctl") return g[r, c, 14] / 1024
}
function pct_saved(a, b) { return a > 0 ? 100 * (a - b) / a : 0 }
function gcell(c, what, fmt,   k, f) {
    nx = 0
    for (k = 1; k <= ngr; k++) { f = gfig(c, what, grounds[k]); if (f != "") x[++nx] = f + 0 }
    if (!nx) return "-"
    return sprintf(fmt, med(x, nx)) spread(fmt)
}
function title(wl) { return wl == "redis" ? "Redis" : "Exerciser" }
END {
    if (part == "zram") {
        if (!nza) { print "(not run)"; exit }
        print "| zram algorithm | phases | what arrived: orig / RAM used (unshared phases) | RSS saved % | net of zram % | net after compaction % | compaction adds (pp) | phases zram was shared |"
        print "|---|---|---|---|---|---|---|---|"
        best = ""
        for (i = 1; i <= nza; i++) {
            a = zalg[i]; n = zn[a]
            for (k = 1; k <= zrn[a]; k++) x[k] = zr[a, k]; mr = med(x, zrn[a])
            for (k = 1; k <= n; k++) x[k] = zs[a, k]; ms = med(x, n)
            for (k = 1; k <= n; k++) x[k] = zt[a, k]; mt = med(x, n)
            for (k = 1; k <= n; k++) x[k] = zc[a, k]; mc = med(x, n)
            for (k = 1; k <= n; k++) x[k] = zc[a, k] - zt[a, k]; md = med(x, n)
            printf "| %s | %d | %s | %.1f | %.1f | %.1f | %+.1f | %d |\n", a, n,
                zrn[a] ? sprintf("%.2fx", mr) : "n/a (every phase shared)", ms, mt, mc, md, zsh[a]
            if (best == "" || mc > bestc) { best = a; bestc = mc; bestd = md }
            nsh += zsh[a]; nph += n
        }
        printf "\nBEST|%s|%.1f|%+.1f|%d|%d\n", best, bestc, bestd, nsh, nph
        exit
    }
    if (part == "vm") {
        if (!ngc) exit
        print "| setting | RSS saved (pp) | memory.current saved (pp) | throughput % | p99 % | major faults/s | refaults %/min of resident memory | PSI some ms/s | control copy swapped MiB |"
        print "|---|---|---|---|---|---|---|---|---|"
        for (i = 1; i <= ngc; i++) {
            c = gconds[i]
            if (c == "base") {
                printf "| base | (reference) | (reference) | (reference) | (reference) | %s | %s | %s | %s |\n",
                    gcell(c, "mf", "%.1f"), gcell(c, "refault", "%.2f"), gcell(c, "psi", "%.1f"), gcell(c, "ctl", "%.1f")
                continue
            }
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, gcell(c, "rss", "%.1f"), gcell(c, "mc", "%.1f"),
                gcell(c, "thr", "%+.1f"), gcell(c, "p99", "%+.1f"), gcell(c, "mf", "%.1f"), gcell(c, "refault", "%.2f"),
                gcell(c, "psi", "%.1f"), gcell(c, "ctl", "%.1f")
        }
        nx = 0
        for (k = 1; k <= ngr; k++) if (ghas[grounds[k], "base"]) x[++nx] = g[grounds[k], "base", 9]
        m = med(x, nx)
        if (nx > 1 && m > 0)
            printf "NOISE|the baseline's own throughput ranged %.0f..%.0f ops/s over %d rounds (%.0f %% around its median): the guest's speed follows the host's load, so only a setting's ratio to the baseline of its own round means anything, and differences within that spread do not\n", x[1], x[nx], nx, 100 * (x[nx] - x[1]) / m / 2
        exit
    }
    if (part == "faults") {
        for (w = 1; w <= nwl; w++) {
            wl = wls[w]
            for (i = 1; i <= nc[wl]; i++) {
                c = conds[wl, i]
                if (gather(wl, c, "probe_mf") == "") continue
                if (!head++) {
                    print "| workload | setting | major faults/s | of which probes | the rest (swapped-out pages back) | probes' share % | refaults %/min (all) | of which probes | the rest |"
                    print "|---|---|---|---|---|---|---|---|---|"
                }
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", title(wl), c,
                    cell(wl, c, "mf", "%.1f"), cell(wl, c, "probe_mf", "%.1f"), cell(wl, c, "rest_mf", "%.1f"),
                    cell(wl, c, "probe_share", "%.0f"), cell(wl, c, "refault", "%.2f"),
                    cell(wl, c, "probe_refault", "%.2f"), cell(wl, c, "rest_refault", "%.2f")
            }
        }
        exit
    }
    print "| | target (with the guard, against no offload in the same round) | median [range over rounds] | rounds that meet it |"
    print "|---|---|---|---|"
    for (w = 1; w <= nwl; w++) {
        wl = wls[w]; T = title(wl); n = nr[wl]
        # throughput is judged per CPU-second of the workload when, in the baseline, its
        # processes got less than 90 % of their CPU (the machine was shared), as in section 1
        nx = 0; for (k = 1; k <= n; k++) if (has[wl, rounds[wl, k], "base"]) x[++nx] = v[wl, rounds[wl, k], "base", 38]
        cpu_shared[wl] = med(x, nx) < 90
        thr_what = cpu_shared[wl] ? sprintf("throughput per CPU-second of the workload >= -2 %% (%s; its baseline got %.0f %% of its CPU: wall throughput would measure the neighbours)", T, med(x, nx)) : "throughput >= -2 % (" T ")"
        s = gather(wl, "etmem-guard", "saved"); agree = 0; for (k = 1; k <= n; k++) agree += byr[k] != "" && byr[k] >= 50
        line(s >= 50, agree, n, ">= 50 % of RSS saved (" T ")", sprintf("%.1f pp", s) spread("%.1f"))
        s = gather(wl, "etmem-guard", "net"); agree = 0; for (k = 1; k <= n; k++) agree += byr[k] != "" && byr[k] >= 25
        line(s >= 25, agree, n, ">= 25 % saved net of zram (" T ")", sprintf("%.1f pp", s) spread("%.1f"))
        s = gather(wl, "etmem-guard", "p99"); agree = 0; for (k = 1; k <= n; k++) agree += byr[k] != "" && byr[k] <= 5
        line(s != "" && s <= 5, agree, n, "p99 <= +5 % (" T ")", sprintf("%+.1f %%", s) spread("%+.1f"))
        gp99 = s
        s = gather(wl, "etmem-guard", "thr"); agree = 0; for (k = 1; k <= n; k++) agree += byr[k] != "" && byr[k] >= -2
        line(s != "" && s >= -2, agree, n, thr_what, sprintf("%+.1f %%", s) spread("%+.1f"))
        s = gather(wl, "etmem-guard", "refault"); agree = 0; for (k = 1; k <= n; k++) agree += byr[k] != "" && byr[k] <= target
        line(s != "" && s <= target, agree, n, "refaults within the target, " target " %/min of resident memory (" T ")",
             sprintf("%.2f %%/min", s) spread("%.2f"))
        # against Senpai-style, aimed at the RSS the guard reached in the same round
        agree = 0
        for (k = 1; k <= n; k++) {
            r = rounds[wl, k]
            if (fig(wl, "senpai", "saved", r) == "") continue
            agree += fig(wl, "etmem-guard", "saved", r) >= fig(wl, "senpai", "saved", r) && \
                     fig(wl, "etmem-guard", "p99", r) <= fig(wl, "senpai", "p99", r)
        }
        gs = gather(wl, "etmem-guard", "saved"); ss = gather(wl, "senpai", "saved"); sp = gather(wl, "senpai", "p99")
        line(ss != "" && gs >= ss && gp99 <= sp, agree, n, "more saved than Senpai-style at equal or better p99 (" T ")",
             ss == "" ? "Senpai-style not run" : sprintf("guard %.1f pp at p99 %+.1f %%; Senpai-style %.1f pp at p99 %+.1f %%", gs, gp99, ss, sp))
        # region monitoring against page monitoring (both without the guard)
        agree = 0
        for (k = 1; k <= n; k++) {
            r = rounds[wl, k]
            if (fig(wl, "etmem-region", "saved", r) == "" || fig(wl, "etmem-slide", "saved", r) == "") continue
            agree += fig(wl, "etmem-region", "saved", r) >= 0.9 * fig(wl, "etmem-slide", "saved", r) && \
                     fig(wl, "etmem-region", "thr", r) >= fig(wl, "etmem-slide", "thr", r)
        }
        rs = gather(wl, "etmem-region", "saved"); rt = gather(wl, "etmem-region", "thr")
        ps = gather(wl, "etmem-slide", "saved"); pt = gather(wl, "etmem-slide", "thr")
        line(rs != "" && ps != "" && rs >= 0.9 * ps && rt >= pt, agree, n,
             "scan_type=region saves >= 90 % of what page mode saves, at no more slowdown (" T ")",
             rs == "" ? "not run" : sprintf("region %.1f pp at %+.1f %% throughput%s; page %.1f pp at %+.1f %% (%.0f %% of page mode's saving)", rs, rt, cpu_shared[wl] ? " per CPU-second" : "", ps, pt, ps > 0 ? 100 * rs / ps : 0))
        # the noise: how far the baseline itself moves between rounds
        nx = 0
        for (k = 1; k <= n; k++) if (has[wl, rounds[wl, k], "base"]) x[++nx] = v[wl, rounds[wl, k], "base", 16]
        m = med(x, nx)
        if (nx > 1 && m > 0) noise[wl] = sprintf("%s: the baseline's own throughput ranged %.1f %% around its median over %d rounds (%.0f..%.0f ops/s)", T, 100 * (x[nx] - x[1]) / m / 2, nx, x[1], x[nx])
        nx = 0
        for (k = 1; k <= n; k++) if (has[wl, rounds[wl, k], "base"]) x[++nx] = v[wl, rounds[wl, k], "base", 19]
        m = med(x, nx)
        if (nx > 1 && m > 0) noise[wl] = noise[wl] sprintf(", its p99 %.0f..%.0f ns", x[1], x[nx])
    }
    for (w = 1; w <= nwl; w++) if (noise[wls[w]] != "") printf "NOISE|%s\n", noise[wls[w]]
}
