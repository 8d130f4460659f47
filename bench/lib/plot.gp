# SPDX-License-Identifier: MulanPSL-2.0
# plot.gp - memory saved vs slowdown, one panel per workload, one point per round and
# setting (paired with that round's baseline). Filled: RSS saved; open: net of zram. The
# loss is wall throughput, or ops per CPU-second of the workload where the machine was
# shared (column 8 of the data says which, as the targets are judged).
# gnuplot -e "dat='plot.dat'; out='latest.png'; wls='exerciser redis'; t1='Exerciser';
#             t2='Redis'; conds='etmem-1s etmem-3x1s senpai'; xmin=-5; xmax=40" plot.gp
# (wls and conds: one word each; t<N>: the title of panel N)
set terminal png size 1200,520 font ",10"
set output out
set multiplot layout 1, words(wls)
set xlabel "throughput loss vs the same round's baseline (%)"
set ylabel "memory saved vs baseline (% of the workload's RSS)"
set grid
set key bottom right box opaque title "filled: RSS saved\nopen: net of zram"
set yrange [-5:100]
colors = "#1f77b4 #2ca02c #9467bd #17becf #ff7f0e #d62728"
do for [w = 1:words(wls)] {
    wl = word(wls, w)
    set title value(sprintf("t%d", w)) noenhanced
    # the target: at most 2 % loss, at least 30 % saved
    set object 1 rect from -100, 30 to 2, 100 fc rgb "#eeffee" fs solid 0.5 noborder behind
    set xrange [xmin:xmax]
    set label 1 "target" at 1.5, 97 right textcolor rgb "#339933"
    plot for [c = 1:words(conds)] dat using ((strcol(1) eq wl && strcol(2) eq word(conds, c)) ? ($8 != 0 ? $7 : $4) : 1/0):5 \
             with points pt 7 ps 1.3 lc rgb word(colors, (word(conds, c) eq "senpai") ? 6 : c) \
             title word(conds, c), \
         for [c = 1:words(conds)] dat using ((strcol(1) eq wl && strcol(2) eq word(conds, c)) ? ($8 != 0 ? $7 : $4) : 1/0):6 \
             with points pt 6 ps 1.3 lc rgb word(colors, (word(conds, c) eq "senpai") ? 6 : c) notitle
    unset object 1
    unset label 1
}
unset multiplot
